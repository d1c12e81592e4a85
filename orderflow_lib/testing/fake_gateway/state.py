"""What the fake gateway knows: the ES/MES contract catalog, the account (GBP base), orders, fills,
positions and prices. Nothing here moves by itself: tests change state through the server's API.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from orderflow_lib.market.instruments import third_friday

CENTRAL = ZoneInfo("America/Chicago")
QUARTER_MONTHS = {3: "H", 6: "M", 9: "U", 12: "Z"}
DEFAULT_ACCOUNT = "DU1234567"
_ROOTS = {
    "ES": ("50", 640_000_000, "E-mini S&P 500"),
    "MES": ("5", 730_000_000, "Micro E-mini S&P 500"),
}


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """One listed future as the gateway reports it (IB field meanings, our names)."""

    con_id: int
    symbol: str
    local_symbol: str
    last_trade_date: str
    multiplier: str
    long_name: str
    sec_type: str = "FUT"
    exchange: str = "CME"
    currency: str = "USD"
    min_tick: float = 0.25
    time_zone_id: str = "US/Central"

    @property
    def contract_month(self) -> str:
        """YYYYMM of the contract month."""
        return self.last_trade_date[:6]

    @property
    def trading_class(self) -> str:
        """IB trading class (the root symbol for ES/MES)."""
        return self.symbol


@dataclass(frozen=True, slots=True)
class ContractQuery:
    """The contract fields of a client request (the "C12" block)."""

    con_id: int = 0
    symbol: str = ""
    sec_type: str = ""
    last_trade_date: str = ""
    exchange: str = ""
    currency: str = ""
    local_symbol: str = ""
    trading_class: str = ""


class Catalog:
    """Five quarterly ES and MES expiries from a given day, with lookups the way IB matches them."""

    def __init__(self, today: date, expiries: int = 5) -> None:
        self.today = today
        self.contracts: list[ContractSpec] = []
        for root, (multiplier, base_id, name) in _ROOTS.items():
            for ltd in quarterly_expiries(today, expiries):
                code = QUARTER_MONTHS[ltd.month] + str(ltd.year % 10)
                self.contracts.append(
                    ContractSpec(
                        con_id=base_id + ltd.year * 100 + ltd.month,
                        symbol=root,
                        local_symbol=root + code,
                        last_trade_date=ltd.strftime("%Y%m%d"),
                        multiplier=multiplier,
                        long_name=f"{name} {ltd:%b%y}",
                    )
                )

    def by_con_id(self, con_id: int) -> ContractSpec | None:
        """The contract with this conId, if listed."""
        return next((c for c in self.contracts if c.con_id == con_id), None)

    def by_local_symbol(self, local_symbol: str) -> ContractSpec:
        """The contract with this local symbol (e.g. ``ESZ6``); KeyError names it when unknown."""
        for c in self.contracts:
            if c.local_symbol == local_symbol:
                return c
        raise KeyError(f"no listed contract with local symbol {local_symbol!r}")

    def front(self, symbol: str) -> ContractSpec:
        """IB's continuous-future view: the nearest expiry not yet past."""
        return min(
            (c for c in self.contracts if c.symbol == symbol), key=lambda c: c.last_trade_date
        )

    def match(self, query: ContractQuery) -> list[ContractSpec]:
        """Every listed contract the query describes (IB matches on each field that is set)."""
        if query.con_id:
            found = self.by_con_id(query.con_id)
            return [found] if found is not None else []
        if query.sec_type == "CONTFUT":
            symbols = {c.symbol for c in self.contracts}
            return [self.front(query.symbol)] if query.symbol in symbols else []
        out = []
        for c in self.contracts:
            if query.symbol and query.symbol != c.symbol:
                continue
            if query.sec_type and query.sec_type != c.sec_type:
                continue
            if query.exchange and query.exchange not in (c.exchange, "GLOBEX", "SMART"):
                continue
            if query.currency and query.currency != c.currency:
                continue
            if query.local_symbol and query.local_symbol != c.local_symbol:
                continue
            if query.trading_class and query.trading_class != c.trading_class:
                continue
            if query.last_trade_date and not c.last_trade_date.startswith(query.last_trade_date):
                continue
            out.append(c)
        return out


def quarterly_expiries(today: date, count: int) -> list[date]:
    """The next `count` quarterly third Fridays on or after `today`."""
    out: list[date] = []
    year, month = today.year, today.month
    while len(out) < count:
        if month in QUARTER_MONTHS:
            ltd = third_friday(year, month)
            if ltd >= today:
                out.append(ltd)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def trading_hours(today: date, days: int = 7) -> str:
    """IB ``tradingHours`` text: Globex 17:00-16:00 Central sessions, Saturdays CLOSED."""
    parts = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() == 5:
            parts.append(f"{day:%Y%m%d}:CLOSED")
        elif day.weekday() != 6:
            prev = day - timedelta(days=1)
            parts.append(f"{prev:%Y%m%d}:1700-{day:%Y%m%d}:1600")
    return ";".join(parts)


def liquid_hours(today: date, days: int = 7) -> str:
    """IB ``liquidHours`` text: the 08:30-15:00 Central regular session on weekdays."""
    parts = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            parts.append(f"{day:%Y%m%d}:CLOSED")
        else:
            parts.append(f"{day:%Y%m%d}:0830-{day:%Y%m%d}:1500")
    return ";".join(parts)


@dataclass(slots=True)
class AccountState:
    """One account in GBP base: balances, the USD rate (GBP per 1 USD) and daily P&L in GBP."""

    account_id: str = DEFAULT_ACCOUNT
    base_currency: str = "GBP"
    net_liquidation: float = 100_000.0
    total_cash: float = 100_000.0
    usd_rate: float = 0.787402
    daily_pnl: float = 0.0
    unrealized_pnl: float = 0.0
    realized_pnl: float = 0.0

    def summary_rows(self) -> list[tuple[str, str, str]]:
        """(tag, value, currency) rows as ``reqAccountSummary`` with ``$LEDGER:ALL`` reports them."""
        base = self.base_currency
        usd_cash = 0.0
        rows = [
            ("AccountType", "INDIVIDUAL", ""),
            ("NetLiquidation", f"{self.net_liquidation:.2f}", base),
            ("TotalCashValue", f"{self.total_cash:.2f}", base),
            ("AvailableFunds", f"{self.net_liquidation:.2f}", base),
            ("BuyingPower", f"{self.net_liquidation * 4:.2f}", base),
            ("ExcessLiquidity", f"{self.net_liquidation:.2f}", base),
            ("InitMarginReq", "0.00", base),
            ("MaintMarginReq", "0.00", base),
        ]
        for currency, rate, cash in (
            ("BASE", 1.0, self.total_cash),
            (base, 1.0, self.total_cash),
            ("USD", self.usd_rate, usd_cash),
        ):
            rows += [
                ("CashBalance", f"{cash:.2f}", currency),
                ("ExchangeRate", str(rate), currency),
                ("NetLiquidationByCurrency", f"{cash:.2f}", currency),
                ("RealizedPnL", f"{self.realized_pnl:.2f}", currency),
                ("UnrealizedPnL", f"{self.unrealized_pnl:.2f}", currency),
            ]
        return rows


HELD = "PendingSubmit"
WORKING_STATES = frozenset({"PreSubmitted", "Submitted"})


@dataclass(slots=True)
class OrderRecord:
    """An order the gateway accepted, with its fill progress (IB status names).

    Prices are the wire texts (empty when unset): `lmt_price` of a limit, `aux_price` (the trigger)
    of a stop. An order sent with `transmit` false is held (status PendingSubmit, never reported)
    until an order of its bracket arrives with transmit true; a child (`parent_id` set) waits as
    PreSubmitted until its parent has filled.
    """

    order_id: int
    client_id: int
    perm_id: int
    contract: ContractSpec
    action: str
    quantity: float
    order_type: str
    lmt_price: str
    account: str
    status: str = "PreSubmitted"
    filled: float = 0.0
    avg_fill_price: float = 0.0
    last_fill_price: float = 0.0
    aux_price: str = ""
    tif: str = "DAY"
    oca_group: str = ""
    oca_type: int = 0
    order_ref: str = ""
    parent_id: int = 0
    transmit: bool = True
    outside_rth: bool = False

    @property
    def remaining(self) -> float:
        """Contracts still to fill."""
        return self.quantity - self.filled

    @property
    def side(self) -> int:
        """+1 for a buy, -1 for a sell."""
        return 1 if self.action == "BUY" else -1

    @property
    def working(self) -> bool:
        """Whether IB would report the order as open (submitted or waiting for its parent)."""
        return self.status in WORKING_STATES


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """One fill: IB execution fields plus the commission report."""

    exec_id: str
    order: OrderRecord
    ts_s: int
    shares: float
    price: float
    cum_qty: float
    avg_price: float
    commission: float
    commission_currency: str = "USD"

    @property
    def side(self) -> str:
        """IB execution side: BOT for a buy, SLD for a sell."""
        return "BOT" if self.order.action == "BUY" else "SLD"

    @property
    def time_text(self) -> str:
        """Execution time as IB writes it (``YYYYMMDD HH:MM:SS <zone>``)."""
        return datetime.fromtimestamp(self.ts_s, UTC).strftime("%Y%m%d %H:%M:%S") + " UTC"


@dataclass(slots=True)
class Position:
    """A net position; `avg_cost` is per contract including the multiplier, as IB reports it."""

    contract: ContractSpec
    quantity: float = 0.0
    avg_cost: float = 0.0


@dataclass(slots=True)
class GatewayState:
    """All mutable gateway state shared by every client session."""

    catalog: Catalog
    account: AccountState = field(default_factory=AccountState)
    orders: dict[int, OrderRecord] = field(default_factory=dict)
    executions: list[ExecutionRecord] = field(default_factory=list)
    positions: dict[int, Position] = field(default_factory=dict)
    last_price: dict[int, float] = field(default_factory=dict)
    tops: dict[int, TopOfBook] = field(default_factory=dict)
    books: dict[int, DepthBook] = field(default_factory=dict)
    next_order_id: int = 1
    _perm_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(900_000_001))
    _exec_seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_perm_id(self) -> int:
        """A fresh IB permanent order id."""
        return next(self._perm_ids)

    def children_of(self, order: OrderRecord) -> list[OrderRecord]:
        """The orders attached to `order` as their parent, oldest first."""
        return [o for o in self.orders.values() if o.parent_id == order.order_id]

    def oca_siblings(self, order: OrderRecord) -> list[OrderRecord]:
        """The other working orders of `order`'s OCA group (none when it has no group)."""
        if not order.oca_group:
            return []
        return [
            o
            for o in self.orders.values()
            if o.oca_group == order.oca_group and o is not order and o.working
        ]

    def new_exec_id(self) -> str:
        """A fresh execution id in IB's dotted style."""
        return f"0000e0d5.6560{next(self._exec_seq):04d}.01.01"

    def price_of(self, contract: ContractSpec) -> float:
        """The contract's last price (6000.25 until a test sets one)."""
        return self.last_price.get(contract.con_id, 6000.25)

    def apply_fill(
        self, order: OrderRecord, shares: float, price: float, ts_s: int, commission: float
    ) -> ExecutionRecord:
        """Record a fill: order progress, the execution and the position (IB avg cost incl. multiplier)."""
        total = order.avg_fill_price * order.filled + price * shares
        order.filled += shares
        order.avg_fill_price = total / order.filled
        order.last_fill_price = price
        order.status = "Filled" if order.remaining <= 0 else "Submitted"
        record = ExecutionRecord(
            exec_id=self.new_exec_id(),
            order=order,
            ts_s=ts_s,
            shares=shares,
            price=price,
            cum_qty=order.filled,
            avg_price=order.avg_fill_price,
            commission=commission,
        )
        self.executions.append(record)
        self._move_position(order.contract, shares if order.action == "BUY" else -shares, price)
        return record

    def _move_position(self, contract: ContractSpec, delta: float, price: float) -> None:
        pos = self.positions.setdefault(contract.con_id, Position(contract))
        multiplier = float(contract.multiplier)
        new_qty = pos.quantity + delta
        if pos.quantity == 0 or (pos.quantity > 0) == (delta > 0):
            cost = pos.avg_cost * abs(pos.quantity) + price * multiplier * abs(delta)
            pos.avg_cost = cost / abs(new_qty)
        elif new_qty == 0:
            pos.avg_cost = 0.0
        elif (new_qty > 0) != (pos.quantity > 0):
            pos.avg_cost = price * multiplier
        pos.quantity = new_qty


@dataclass(slots=True)
class TopOfBook:
    """The L1 picture of one contract: best bid/ask with sizes, last trade and session volume."""

    bid: float = 0.0
    bid_size: float = 0.0
    ask: float = 0.0
    ask_size: float = 0.0
    last: float = 0.0
    last_size: float = 0.0
    volume: float = 0.0


@dataclass(slots=True)
class DepthBook:
    """An L2 book by row position, changed with IB's insert/update/delete row semantics."""

    bids: list[tuple[float, float]] = field(default_factory=list)
    asks: list[tuple[float, float]] = field(default_factory=list)

    def side(self, ib_side: int) -> list[tuple[float, float]]:
        """Rows of IB side 1 (bid) or 0 (ask)."""
        return self.bids if ib_side == 1 else self.asks

    def apply(self, ib_side: int, position: int, operation: int, price: float, size: float) -> None:
        """Apply one row operation: 0 insert (shifts rows down), 1 update, 2 delete (shifts up)."""
        rows = self.side(ib_side)
        if operation == 0:
            rows.insert(position, (price, size))
        elif operation == 1:
            rows[position] = (price, size)
        elif operation == 2:
            del rows[position]
        else:
            raise ValueError(f"depth operation must be 0, 1 or 2, was {operation}")
