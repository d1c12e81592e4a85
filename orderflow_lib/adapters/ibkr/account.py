"""Account values from IB in the base currency (GBP): net liquidation, cash, the USD exchange rate
(GBP per 1 USD from the ledger), daily P&L from reqPnL, and positions for reconciliation.

A missing value is an error, never a guess: without IB's USD rate no GBP figure can be trusted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from ib_async import PnL

from orderflow_lib.adapters.ibkr.connection import IbConnection
from orderflow_lib.adapters.ibkr.errors import IbkrError


@dataclass(frozen=True, slots=True)
class IbAccountValues:
    """Account-level values in `base_currency`; `usd_rate` is base units per 1 USD."""

    ts_ns: int
    account: str
    base_currency: str
    net_liquidation: float
    total_cash: float
    usd_rate: float

    def usd_to_base(self, amount_usd: float) -> float:
        """A USD amount (futures P&L) in the base currency at IB's rate."""
        return amount_usd * self.usd_rate


@dataclass(frozen=True, slots=True)
class PnlUpdate:
    """Account P&L from reqPnL (IB reports it in the base currency)."""

    ts_ns: int
    account: str
    daily_pnl: float
    unrealized_pnl: float
    realized_pnl: float


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    """A position at IB; `avg_price` is IB's avg cost divided by the multiplier."""

    account: str
    con_id: int
    symbol: str
    local_symbol: str
    quantity: int
    avg_cost: float
    avg_price: float


def _number(value: str, tag: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise IbkrError(f"IB account value {tag} must be a number, was {value!r}") from exc


class IbAccount:
    """Reads the account and keeps a reqPnL subscription alive across reconnects."""

    def __init__(
        self, connection: IbConnection, on_pnl: Callable[[PnlUpdate], None] | None = None
    ) -> None:
        self.connection = connection
        self.on_pnl = on_pnl
        self.last_pnl: PnlUpdate | None = None
        self._pnl_account: str | None = None
        connection.ib.pnlEvent += self._on_pnl
        connection.add_resubscriber(self._resubscribe)

    async def values(self, timeout: float = 5.0) -> IbAccountValues:
        """Net liquidation and cash in the base currency and the USD rate, from the account summary."""
        ib = self.connection.ib
        rows = await asyncio.wait_for(ib.accountSummaryAsync(self.connection.account), timeout)
        by_tag = {(r.tag, r.currency): r.value for r in rows}
        nlv = next(((cur, v) for (tag, cur), v in by_tag.items() if tag == "NetLiquidation"), None)
        if nlv is None:
            raise IbkrError("IB account summary has no NetLiquidation value")
        base = nlv[0]
        cash = by_tag.get(("TotalCashValue", base))
        rate = by_tag.get(("ExchangeRate", "USD"))
        if rate is None:
            rate = next(
                (
                    v.value
                    for v in ib.accountValues(self.connection.account)
                    if v.tag == "ExchangeRate" and v.currency == "USD"
                ),
                None,
            )
        if cash is None or rate is None:
            missing = "TotalCashValue" if cash is None else "ExchangeRate for USD"
            raise IbkrError(f"IB account summary has no {missing} (base currency {base})")
        return IbAccountValues(
            ts_ns=self.connection.clock.now_ns(),
            account=self.connection.account,
            base_currency=base,
            net_liquidation=_number(nlv[1], "NetLiquidation"),
            total_cash=_number(cash, "TotalCashValue"),
            usd_rate=_number(rate, "ExchangeRate"),
        )

    def start_pnl(self) -> None:
        """Subscribe to the account's daily P&L (reqPnL)."""
        account = self.connection.account
        if not account:
            raise IbkrError("cannot subscribe to P&L: no account known (connect first)")
        self._pnl_account = account
        if not self.connection.ib.wrapper.pnlKey2ReqId.get((account, "")):
            self.connection.ib.reqPnL(account)

    def _resubscribe(self, socket_reset: bool) -> None:
        if self._pnl_account is None:
            return
        if not socket_reset:
            self.connection.ib.cancelPnL(self._pnl_account)
        self.connection.ib.reqPnL(self._pnl_account)

    def _on_pnl(self, pnl: PnL) -> None:
        if pnl.account != self._pnl_account:
            return
        update = PnlUpdate(
            self.connection.clock.now_ns(),
            pnl.account,
            float(pnl.dailyPnL),
            float(pnl.unrealizedPnL),
            float(pnl.realizedPnL),
        )
        self.last_pnl = update
        if self.on_pnl is not None:
            self.on_pnl(update)

    def positions(self) -> list[BrokerPosition]:
        """Positions IB reports for the account (kept live by ib_async since connect)."""
        out = []
        for p in self.connection.ib.positions(self.connection.account):
            multiplier = float(p.contract.multiplier or 1)
            out.append(
                BrokerPosition(
                    account=p.account,
                    con_id=int(p.contract.conId),
                    symbol=str(p.contract.symbol),
                    local_symbol=str(p.contract.localSymbol),
                    quantity=int(p.position),
                    avg_cost=float(p.avgCost),
                    avg_price=float(p.avgCost) / multiplier,
                )
            )
        return out
