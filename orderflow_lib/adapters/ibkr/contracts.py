"""Front-month ES/MES contracts: IB's continuous future gives the front conId, then the project's
roll rule (third Friday of the contract month minus 8 calendar days, domain.md §1.2) decides
whether the next quarter already leads. ES is streamed, MES is traded, both the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ib_async import IB, ContFuture, Contract, Future, RequestError

from orderflow_lib.adapters.ibkr.errors import ContractError
from orderflow_lib.market import instruments
from orderflow_lib.market.instruments import ContractId

DEFAULT_ROLL_DAYS = instruments.DEFAULT_ROLL_DAYS_BEFORE_THIRD_FRIDAY


def roll_date(contract_month: str, days_before: int = DEFAULT_ROLL_DAYS) -> date:
    """Roll date of an IB contract month 'YYYYMM[DD]' by the project's rule (market.instruments)."""
    if len(contract_month) < 6 or not contract_month[:6].isdigit():
        raise ValueError(f"contract_month must start with 'YYYYMM', was {contract_month!r}")
    contract = ContractId("ES", int(contract_month[:4]), int(contract_month[4:6]))
    return instruments.roll_date(contract, days_before)


@dataclass(frozen=True, slots=True)
class FrontMonth:
    """The contracts the workbench uses on a trade date, and why (shown to the user)."""

    data_contract: Contract
    order_contract: Contract
    trade_date: date
    roll_date: date
    ib_front_local_symbol: str
    rolled_ahead_of_ib: bool
    roll_days: int = DEFAULT_ROLL_DAYS

    @property
    def data_symbol(self) -> str:
        """Local symbol streamed for market data, e.g. ``ESZ6``."""
        return str(self.data_contract.localSymbol)

    @property
    def order_symbol(self) -> str:
        """Local symbol orders go to, e.g. ``MESZ6``."""
        return str(self.order_contract.localSymbol)

    def describe(self) -> str:
        """One line for the UI: contracts, roll date and the rule."""
        text = (
            f"{self.data_symbol} data / {self.order_symbol} orders; roll date "
            f"{self.roll_date.isoformat()} (third Friday - {self.roll_days} days)"
        )
        if self.rolled_ahead_of_ib:
            text += f"; rolled ahead of IB's front month {self.ib_front_local_symbol}"
        return text


async def qualify_one(ib: IB, contract: Contract) -> Contract:
    """Qualify a contract in place; ContractError when IB finds none or several."""
    try:
        result = await ib.qualifyContractsAsync(contract)
    except RequestError as exc:
        raise ContractError(
            f"IB could not qualify {contract!r}: IB error {exc.code}: {exc.message}"
        ) from exc
    if len(result) != 1 or not isinstance(result[0], Contract):
        raise ContractError(f"IB could not qualify one contract for {contract!r}, got {result!r}")
    return result[0]


async def list_futures(ib: IB, symbol: str, exchange: str = "CME") -> list[Contract]:
    """Every listed expiry of a futures root, nearest first."""
    try:
        details = await ib.reqContractDetailsAsync(Future(symbol, exchange=exchange))
    except RequestError as exc:
        raise ContractError(
            f"IB lists no {symbol} futures: IB error {exc.code}: {exc.message}"
        ) from exc
    contracts = [d.contract for d in details if d.contract is not None]
    return sorted(contracts, key=lambda c: c.lastTradeDateOrContractMonth)


async def resolve_front_month(
    ib: IB,
    trade_date: date,
    *,
    data_symbol: str = "ES",
    order_symbol: str = "MES",
    exchange: str = "CME",
    roll_days: int = DEFAULT_ROLL_DAYS,
) -> FrontMonth:
    """ContFuture -> front conId -> Future(conId=...); move to the next quarter on/after its roll date."""
    cont = await qualify_one(ib, ContFuture(data_symbol, exchange))
    data = await qualify_one(ib, Future(conId=cont.conId))
    ib_front = str(data.localSymbol)
    rolled = False
    roll = roll_date(data.lastTradeDateOrContractMonth, roll_days)
    if trade_date >= roll:
        later = [
            c
            for c in await list_futures(ib, data_symbol, exchange)
            if c.lastTradeDateOrContractMonth > data.lastTradeDateOrContractMonth
        ]
        if not later:
            raise ContractError(f"{ib_front} has rolled on {roll} but IB lists no later expiry")
        data = await qualify_one(ib, Future(conId=later[0].conId))
        roll = roll_date(data.lastTradeDateOrContractMonth, roll_days)
        rolled = True
    month = data.lastTradeDateOrContractMonth[:6]
    order = await qualify_one(ib, Future(order_symbol, month, exchange))
    return FrontMonth(data, order, trade_date, roll, ib_front, rolled, roll_days)
