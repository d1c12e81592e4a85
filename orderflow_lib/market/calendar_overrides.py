"""The calendar override file (spec §1.6): project-owned fixes on top of pandas_market_calendars.

Globex rows close a library session, replace its close time (CT, as CME publishes), pin whether it
is a trade date of its own or joins the next one, or remove the RTH session; contract rows replace
the computed last trading day and roll date. Every row carries a status, and rows whose status is
not `confirmed` must be checked against CME's published calendar before their dates arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pandas.tseries.holiday import GoodFriday

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import parse_hhmm
from orderflow_lib.market.instruments import ContractIdError, parse_contract

DEFAULT_OVERRIDES_NAME: Final = "calendar_overrides.yaml"
CONFIRMED: Final = "confirmed"
VERIFY: Final = "verify against CME's published calendar"
STATUSES: Final = (CONFIRMED, VERIFY)
GOOD_FRIDAY_ROWS_FROM_YEAR: Final = 2023
"""pandas_market_calendars 5.5 lists every Good Friday from 2023 on as an 08:15 CT session, which is
wrong in years without a jobs report, so from this year on every Good Friday needs a row."""

_GLOBEX_KEYS: Final = frozenset({"date", "closed", "trade_date", "close", "rth", "status"})
_CONTRACT_KEYS: Final = frozenset({"contract", "last_trading_day", "roll_date", "status"})
_TOP_KEYS: Final = frozenset({"globex", "contracts"})

TradeDateMode = Literal["own", "next"]


@dataclass(frozen=True, slots=True)
class GlobexOverride:
    """One `globex` row: changes to the library's Globex session dated `date` (times in CT)."""

    date: date
    status: str
    closed: bool = False
    trade_date: TradeDateMode | None = None
    close_ct: time | None = None
    no_rth: bool = False


@dataclass(frozen=True, slots=True)
class ContractOverride:
    """One `contracts` row: CME's last trading day and roll date for a contract."""

    contract: str
    last_trading_day: date
    roll_date: date
    status: str


@dataclass(frozen=True, slots=True)
class CalendarOverrides:
    """The parsed override file: rows by date / contract, and where it came from."""

    source: str
    globex: tuple[GlobexOverride, ...] = ()
    contracts: tuple[ContractOverride, ...] = ()

    def globex_row(self, day: date) -> GlobexOverride | None:
        """The `globex` row for a date, if any."""
        return next((row for row in self.globex if row.date == day), None)

    def contract_row(self, contract: str) -> ContractOverride | None:
        """The `contracts` row for a canonical contract id, if any."""
        return next((row for row in self.contracts if row.contract == contract), None)

    def rows_to_verify(self) -> list[str]:
        """One line per row whose status is not `confirmed` (facts not yet checked against CME)."""
        lines = [f"globex {row.date.isoformat()}" for row in self.globex if row.status != CONFIRMED]
        lines += [f"contract {row.contract}" for row in self.contracts if row.status != CONFIRMED]
        return lines

    def good_fridays_without_row(self, first_year: int, last_year: int) -> list[date]:
        """Good Fridays in [first_year, last_year] that have no `globex` row."""
        days = {row.date for row in self.globex}
        return [gf for gf in map(good_friday, range(first_year, last_year + 1)) if gf not in days]


def good_friday(year: int) -> date:
    """Good Friday (two days before Western Easter) of a year."""
    return GoodFriday.dates(date(year, 1, 1), date(year, 12, 31))[0].date()


def load_overrides(path: str | Path | None = None) -> CalendarOverrides:
    """Read and validate an override file; None reads the packaged default (spec §1.6)."""
    if path is None:
        resource = resources.files("orderflow_lib.market").joinpath(DEFAULT_OVERRIDES_NAME)
        return parse_overrides(resource.read_text(encoding="utf-8"), source=DEFAULT_OVERRIDES_NAME)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"calendar override file cannot be read: {file} ({exc})") from exc
    return parse_overrides(text, source=str(file))


def parse_overrides(text: str, source: str = "<text>") -> CalendarOverrides:
    """Validate override YAML text; a bad row raises ConfigError naming the file, section and row."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: top level must be a mapping with 'globex' and 'contracts'")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(
            f"{source}: unknown sections {sorted(unknown)}, expected {sorted(_TOP_KEYS)}"
        )
    globex = tuple(
        _globex_row(row, f"{source}: globex row {i + 1}")
        for i, row in enumerate(_rows(data, "globex", source))
    )
    contracts = tuple(
        _contract_row(row, f"{source}: contracts row {i + 1}")
        for i, row in enumerate(_rows(data, "contracts", source))
    )
    _no_duplicates([row.date.isoformat() for row in globex], f"{source}: globex", "date")
    _no_duplicates([row.contract for row in contracts], f"{source}: contracts", "contract")
    return CalendarOverrides(source=source, globex=globex, contracts=contracts)


def _rows(data: dict[str, Any], section: str, source: str) -> list[Any]:
    rows = data.get(section) or []
    if not isinstance(rows, list):
        raise ConfigError(
            f"{source}: '{section}' must be a list of rows, was {type(rows).__name__}"
        )
    return rows


def _no_duplicates(keys: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ConfigError(f"{where}: {what} {key} appears in more than one row")
        seen.add(key)


def _mapping(row: Any, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: must be a mapping, was {row!r}")
    unknown = set(row) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}, allowed {sorted(allowed)}")
    return row


def _date(row: dict[str, Any], key: str, where: str) -> date:
    value = row.get(key)
    if type(value) is not date:
        raise ConfigError(f"{where}: '{key}' must be a date YYYY-MM-DD, was {value!r}")
    return value


def _status(row: dict[str, Any], where: str) -> str:
    status = row.get("status")
    if status not in STATUSES:
        raise ConfigError(f"{where}: 'status' must be one of {list(STATUSES)}, was {status!r}")
    return str(status)


def _globex_row(raw: Any, where: str) -> GlobexOverride:
    row = _mapping(raw, where, _GLOBEX_KEYS)
    day = _date(row, "date", where)
    where = f"{where} ({day.isoformat()})"
    status = _status(row, where)
    closed = row.get("closed", False)
    if type(closed) is not bool:
        raise ConfigError(f"{where}: 'closed' must be true or false, was {closed!r}")
    mode = row.get("trade_date")
    if mode not in (None, "own", "next"):
        raise ConfigError(f"{where}: 'trade_date' must be 'own' or 'next', was {mode!r}")
    close_text = row.get("close")
    close_ct: time | None = None
    if close_text is not None:
        if not isinstance(close_text, str):
            raise ConfigError(
                f"{where}: 'close' must be quoted 'HH:MM' text (CT), was {close_text!r}"
            )
        try:
            close_ct = parse_hhmm(close_text)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    rth = row.get("rth")
    if rth not in (None, "none"):
        raise ConfigError(f"{where}: 'rth' may only be 'none', was {rth!r}")
    if closed and (mode is not None or close_ct is not None):
        raise ConfigError(f"{where}: a 'closed: true' row cannot also set 'trade_date' or 'close'")
    if not closed and mode is None and close_ct is None and rth is None:
        raise ConfigError(f"{where}: row changes nothing; set closed, trade_date, close or rth")
    return GlobexOverride(
        date=day,
        status=status,
        closed=closed,
        trade_date=mode,
        close_ct=close_ct,
        no_rth=rth == "none",
    )


def _contract_row(raw: Any, where: str) -> ContractOverride:
    row = _mapping(raw, where, _CONTRACT_KEYS)
    text = row.get("contract")
    if not isinstance(text, str):
        raise ConfigError(f"{where}: 'contract' must be an id like 'ESM26', was {text!r}")
    try:
        contract = parse_contract(text).code
    except ContractIdError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    where = f"{where} ({contract})"
    ltd = _date(row, "last_trading_day", where)
    roll = _date(row, "roll_date", where)
    parsed = parse_contract(contract)
    if (ltd.year, ltd.month) != (parsed.year, parsed.month):
        raise ConfigError(f"{where}: last_trading_day {ltd} is not in the contract month")
    if roll > ltd:
        raise ConfigError(f"{where}: roll_date {roll} must not be after last_trading_day {ltd}")
    return ContractOverride(
        contract=contract, last_trading_day=ltd, roll_date=roll, status=_status(row, where)
    )
