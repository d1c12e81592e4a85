"""ES and MES contract facts: specs, canonical contract ids, expiry, roll date and P&L in USD.

Spec §1.1-§1.2. A contract id is root + month code + two-digit year (`ESZ26`, `MESM25`); the
one-digit broker form (`ESZ6`) is ambiguous across decades and is accepted only by
`resolve_contract_alias`. Functions that need the NYSE calendar take it as a predicate, so this
module stays free of calendar libraries (`SessionCalendar` passes its own).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import DataError

MONTH_CODES: Final[Mapping[str, int]] = MappingProxyType({"H": 3, "M": 6, "U": 9, "Z": 12})
CODE_OF_MONTH: Final[Mapping[int, str]] = MappingProxyType({m: c for c, m in MONTH_CODES.items()})
QUARTERLY_MONTHS: Final = (3, 6, 9, 12)
DEFAULT_ROLL_DAYS_BEFORE_THIRD_FRIDAY: Final = 8
_MAX_ROLL_DAYS: Final = 20
_FRIDAY: Final = 4


class ContractIdError(DataError, ValueError):
    """A contract id, instrument root or contract argument that cannot be used."""


@dataclass(frozen=True, slots=True)
class Instrument:
    """An E-mini S&P contract family: USD per index point, tick size 0.25 (4 ticks per point)."""

    root: str
    multiplier: int
    tick_size: float = ES_TICK_SIZE
    ticks_per_point: int = 4

    @property
    def point_value(self) -> float:
        """USD per index point per contract ($50 ES, $5 MES)."""
        return float(self.multiplier)

    @property
    def tick_value(self) -> float:
        """USD per tick per contract ($12.50 ES, $1.25 MES); a multiple of $0.25, so exact in a float."""
        return self.multiplier / self.ticks_per_point


ES: Final = Instrument("ES", 50)
MES: Final = Instrument("MES", 5)
INSTRUMENTS: Final[Mapping[str, Instrument]] = MappingProxyType({"ES": ES, "MES": MES})

_CANONICAL = re.compile(r"^(ES|MES)([HMUZ])(\d{2})$")
_ALIAS = re.compile(r"^(ES|MES)([HMUZ])(\d)$")
_LOOSE = re.compile(r"^([A-Z]+)([A-Z])(\d+)$")


def get_instrument(root: str | Instrument) -> Instrument:
    """The Instrument of a root ('ES' or 'MES'); an Instrument is returned unchanged."""
    if isinstance(root, Instrument):
        return root
    try:
        return INSTRUMENTS[root]
    except KeyError:
        raise ContractIdError(
            f"instrument root must be one of {sorted(INSTRUMENTS)}, was {root!r}"
        ) from None


@dataclass(frozen=True, slots=True, order=True)
class ContractId:
    """A parsed quarterly contract: root, four-digit year and month (3, 6, 9 or 12)."""

    root: str
    year: int
    month: int

    def __post_init__(self) -> None:
        get_instrument(self.root)
        if self.month not in QUARTERLY_MONTHS:
            raise ContractIdError(
                f"contract month must be one of {QUARTERLY_MONTHS}, was {self.month}"
            )
        if not 2000 <= self.year <= 2099:
            raise ContractIdError(f"contract year must be 2000..2099, was {self.year}")

    @property
    def code(self) -> str:
        """Canonical id: root + month code + two-digit year, e.g. 'ESZ26'."""
        return f"{self.root}{CODE_OF_MONTH[self.month]}{self.year % 100:02d}"

    @property
    def instrument(self) -> Instrument:
        """The contract family's specs."""
        return INSTRUMENTS[self.root]

    @property
    def third_friday(self) -> date:
        """Third Friday of the contract month (the scheduled expiry)."""
        return third_friday(self.year, self.month)

    def next(self) -> ContractId:
        """The following quarterly contract of the same root."""
        if self.month == 12:
            return ContractId(self.root, self.year + 1, 3)
        return ContractId(self.root, self.year, self.month + 3)

    def previous(self) -> ContractId:
        """The preceding quarterly contract of the same root."""
        if self.month == 3:
            return ContractId(self.root, self.year - 1, 12)
        return ContractId(self.root, self.year, self.month - 3)

    def __str__(self) -> str:
        return self.code


def parse_contract(contract: str | ContractId) -> ContractId:
    """Parse a canonical id ('ESZ26'); one-digit years are refused (see `resolve_contract_alias`)."""
    if isinstance(contract, ContractId):
        return contract
    if not isinstance(contract, str):
        raise ContractIdError(f"contract id must be a str like 'ESZ26', was {contract!r}")
    match = _CANONICAL.match(contract)
    if match is not None:
        root, code, yy = match.groups()
        return ContractId(root, 2000 + int(yy), MONTH_CODES[code])
    if _ALIAS.match(contract):
        raise ContractIdError(
            f"contract id must have a two-digit year (e.g. 'ESZ26'), was {contract!r}; "
            "one-digit years are broker aliases: convert with resolve_contract_alias(text, as_of)"
        )
    loose = _LOOSE.match(contract)
    if loose is not None and loose.group(1) not in INSTRUMENTS:
        raise ContractIdError(
            f"contract root must be one of {sorted(INSTRUMENTS)}, was {loose.group(1)!r} in {contract!r}"
        )
    if loose is not None and loose.group(2) not in MONTH_CODES:
        raise ContractIdError(
            f"contract month code must be one of {sorted(MONTH_CODES)}, was {loose.group(2)!r} "
            f"in {contract!r}"
        )
    raise ContractIdError(
        f"contract id must be root + month code + two-digit year (e.g. 'ESZ26'), was {contract!r}"
    )


def resolve_contract_alias(text: str, as_of: date) -> ContractId:
    """Resolve a broker alias ('ESZ6') to the first contract with that month and last year digit
    whose third Friday is on or after `as_of`; canonical ids pass through unchanged."""
    match = _ALIAS.match(text) if isinstance(text, str) else None
    if match is None:
        return parse_contract(text)
    root, code, digit_text = match.groups()
    month = MONTH_CODES[code]
    digit = int(digit_text)
    year = as_of.year - ((as_of.year - digit) % 10)
    if third_friday(year, month) < as_of:
        year += 10
    return ContractId(root, year, month)


def third_friday(year: int, month: int) -> date:
    """Third Friday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(_FRIDAY - first.weekday()) % 7 + 14)


def last_trading_day(
    contract: str | ContractId, is_nyse_business_day: Callable[[date], bool]
) -> date:
    """Third Friday of the contract month, or the preceding NYSE business day when the NYSE is
    closed that Friday (ESH08 -> 2008-03-20). Trading in the contract ends 09:30 ET that day."""
    friday = parse_contract(contract).third_friday
    day = friday
    for _ in range(10):
        if is_nyse_business_day(day):
            return day
        day -= timedelta(days=1)
    raise ContractIdError(f"no NYSE business day in the 10 days up to {friday} for {contract}")


def roll_date(
    contract: str | ContractId,
    roll_days_before_third_friday: int = DEFAULT_ROLL_DAYS_BEFORE_THIRD_FRIDAY,
) -> date:
    """First trade date led by the next contract: third Friday minus N calendar days (CME
    convention, N = 8, a Thursday). Not moved when a holiday moves the last trading day."""
    days = operator.index(roll_days_before_third_friday)
    if not 0 <= days <= _MAX_ROLL_DAYS:
        raise ContractIdError(
            f"roll_days_before_third_friday must be 0..{_MAX_ROLL_DAYS}, was {roll_days_before_third_friday}"
        )
    return parse_contract(contract).third_friday - timedelta(days=days)


def next_contract(contract: str | ContractId) -> str:
    """Canonical id of the following quarterly contract ('ESZ25' -> 'ESH26')."""
    return parse_contract(contract).next().code


def list_contracts(start: date, end: date, root: str = "ES") -> list[str]:
    """Canonical ids of the contracts whose third Friday falls in [start, end], in expiry order."""
    get_instrument(root)
    if end < start:
        raise ContractIdError(f"end must be on or after start, was start={start} end={end}")
    out: list[str] = []
    for year in range(start.year, end.year + 1):
        for month in QUARTERLY_MONTHS:
            if start <= third_friday(year, month) <= end:
                out.append(ContractId(root, year, month).code)
    return out


def pnl_usd(
    entry_ticks: int, exit_ticks: int, side: int, qty: int, instrument: str | Instrument
) -> float:
    """Round-trip P&L in USD: (exit - entry) x side x qty x tick value; side +1 long, -1 short.

    Exact: tick values are multiples of $0.25, so the float product has no rounding."""
    entry = operator.index(entry_ticks)
    exit_ = operator.index(exit_ticks)
    side_i = operator.index(side)
    qty_i = operator.index(qty)
    if side_i not in (1, -1):
        raise ValueError(f"side must be +1 (long) or -1 (short), was {side}")
    if qty_i < 0:
        raise ValueError(f"qty must be >= 0 contracts, was {qty}")
    return (exit_ - entry) * side_i * qty_i * get_instrument(instrument).tick_value
