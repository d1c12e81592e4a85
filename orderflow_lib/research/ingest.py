"""Import market data into the store as daily profiles: Databento DBN, Lean minute bars,
CSV/Parquet trade exports, or the synthetic market.

Every trade date found becomes its RTH volume, RTH TPO and overnight profiles (see `daily`),
saved by upsert: importing the same data twice stores nothing twice. Rows that fail the market
validators are dropped and counted in the report, never silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.market.readers import (
    dbn_trades_array,
    load_dbn_records,
    read_lean_minute,
    read_trades_csv,
    read_trades_parquet,
)
from orderflow_lib.market.readers.source import LEAN_DAY_SUFFIX, is_dbn
from orderflow_lib.market.synthetic import generate_session
from orderflow_lib.market.validation import (
    ValidationReport,
    to_trade_array,
    validate_bars,
    validate_trades,
)
from orderflow_lib.profiles.inputs import bars_to_array
from orderflow_lib.research.daily import (
    DayProfiles,
    calendar_for,
    day_profiles_from_bars,
    day_profiles_from_trades,
    split_by_trade_date,
    value_rules,
)
from orderflow_lib.research.paths import research_settings, resolve_path
from orderflow_lib.store import ProfileRecord, Store

FILE_KINDS = ("dbn", "lean", "csv", "parquet")


@dataclass(slots=True)
class ImportReport:
    """What an import stored: one summary row per trade date, records saved and how many of
    them changed what was stored before (0 on a repeated import), and validation notes."""

    days: pd.DataFrame
    saved: int = 0
    changed: int = 0
    notes: list[str] = field(default_factory=list)


def detect_kind(path: Path) -> str:
    """The data kind of a path: dbn (.dbn, .dbn.zst), lean (a folder or YYYYMMDD_trade.zip),
    csv (.csv, .csv.gz) or parquet (.parquet); DataError for anything else."""
    name = path.name.lower()
    if is_dbn(name):
        return "dbn"
    if path.is_dir() or name.endswith(LEAN_DAY_SUFFIX):
        return "lean"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    raise DataError(
        f"{path}: cannot tell the data kind; expected a .dbn/.dbn.zst file, a Lean minute folder "
        "or YYYYMMDD_trade.zip, a .csv/.csv.gz or a .parquet trade export"
    )


def import_files(
    store: Store,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    source: str = "replay",
    contract: str | None = None,
    symbol: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    settings: Settings | None = None,
    progress: bool = True,
) -> ImportReport:
    """Import data files into the store as daily profiles under `source`.

    Relative paths are read against the project root. DBN files need one instrument (or
    `symbol`); CSV/Parquet exports need `contract` (e.g. "ESZ24") and take a column `mapping`
    (see market.readers.exports). Lean folders keep the front contract of each trade date.
    """
    s = research_settings(settings)
    calendar = calendar_for(s)
    targets = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    days: list[DayProfiles] = []
    notes: list[str] = []
    for target in tqdm(targets, desc="files", unit="file", disable=not progress):
        path = resolve_path(target)
        if not path.exists():
            raise DataError(f"{path}: no such file or folder")
        kind = detect_kind(path)
        if kind == "dbn":
            found, report = _dbn_days(path, symbol, s, calendar)
        elif kind == "lean":
            found, report = _lean_days(path, s, calendar)
        else:
            found, report = _export_days(path, kind, contract, mapping, s, calendar)
        if not report.ok:
            notes.append(f"{path.name}: {report.summary()}")
        days.extend(found)
    return store_days(store, days, source=source, settings=s, notes=notes)


def import_synthetic(
    store: Store,
    start: date,
    end: date,
    *,
    seed: int = 7,
    scale: float = 0.05,
    start_price_ticks: int | None = None,
    settings: Settings | None = None,
    progress: bool = True,
) -> ImportReport:
    """Generate the synthetic market's trade dates in [start, end] (each opening at the previous
    one's last bid, as `generate_sessions` does) and store their profiles under "synthetic"."""
    s = research_settings(settings)
    calendar = calendar_for(s)
    days: list[DayProfiles] = []
    price = start_price_ticks
    for trade_date in tqdm(
        calendar.trade_dates(start, end), desc="synthetic", unit="day", disable=not progress
    ):
        session = generate_session(
            trade_date, seed, calendar=calendar, scale=scale, start_price_ticks=price
        )
        price = session.last_bid_ticks
        days.append(
            day_profiles_from_trades(
                session.trades,
                trade_date,
                calendar.lead_contract(trade_date),
                settings=s,
                calendar=calendar,
            )
        )
    return store_days(store, days, source="synthetic", settings=s)


def store_days(
    store: Store,
    days: Iterable[DayProfiles],
    *,
    source: str,
    settings: Settings,
    notes: list[str] | None = None,
) -> ImportReport:
    """Save the days' profile records in one transaction; the report counts what changed."""
    rules = value_rules(settings)
    listed = sorted(days, key=lambda d: (d.trade_date, d.contract))
    records = [r for day in listed for r in day.to_records(source, rules)]
    changed = sum(1 for r in records if _stored(store, r) != r)
    with store.atomic():
        store.profiles.save_daily(records)
    return ImportReport(
        days=day_summary(listed, source, settings),
        saved=len(records),
        changed=changed,
        notes=list(notes or []),
    )


def _stored(store: Store, record: ProfileRecord) -> ProfileRecord | None:
    return store.profiles.daily(record.trade_date, record.kind, record.contract, record.source)


def day_summary(days: Sequence[DayProfiles], source: str, settings: Settings) -> pd.DataFrame:
    """One row per trade date: records used, RTH and overnight volume, RTH POC/VAL/VAH and TPO
    POC as prices (NaN where there was no RTH trading), and whether volume is approximate."""
    rules = value_rules(settings)
    tick = settings.instrument.tick_size
    rows = []
    for day in days:
        rth = day.rth.value_area(rules=rules)
        tpo = None if day.tpo is None else day.tpo.value_area(rules=rules)
        rows.append(
            {
                "trade_date": day.trade_date,
                "contract": day.contract,
                "source": source,
                "records": day.records,
                "rth_volume": day.rth.total,
                "eth_volume": day.eth.total,
                "poc": np.nan if rth is None else rth.poc_ticks * tick,
                "val": np.nan if rth is None else rth.val_ticks * tick,
                "vah": np.nan if rth is None else rth.vah_ticks * tick,
                "tpo_poc": np.nan if tpo is None else tpo.poc_ticks * tick,
                "approximate": day.approximate,
            }
        )
    columns = [
        "trade_date",
        "contract",
        "source",
        "records",
        "rth_volume",
        "eth_volume",
        "poc",
        "val",
        "vah",
        "tpo_poc",
        "approximate",
    ]
    return pd.DataFrame(rows, columns=columns)


def _dbn_days(
    path: Path, symbol: str | None, settings: Settings, calendar: SessionCalendar
) -> tuple[list[DayProfiles], ValidationReport]:
    name = symbol or _dbn_symbol(path, settings)
    tick = settings.instrument.tick_size
    trades = dbn_trades_array(path, tick, symbol=symbol, limits=settings.data)
    clean, report = validate_trades(trades, tick)
    days = [
        day_profiles_from_trades(day_trades, day, name, settings=settings, calendar=calendar)
        for day, day_trades in split_by_trade_date(np.asarray(clean), calendar)
    ]
    return days, report


def _dbn_symbol(path: Path, settings: Settings) -> str:
    """The one raw symbol a DBN file was requested for; DataError asking for symbol= otherwise."""
    metadata = load_dbn_records(path, limits=settings.data).metadata
    symbols = [str(s) for s in metadata.symbols]
    if str(metadata.stype_in) != "raw_symbol" or len(symbols) != 1:
        raise DataError(
            f"{path}: cannot name the contract from the file's symbology {symbols} "
            f"({metadata.stype_in}); pass symbol= (e.g. 'ESH4')"
        )
    return symbols[0]


def _lean_days(
    path: Path, settings: Settings, calendar: SessionCalendar
) -> tuple[list[DayProfiles], ValidationReport]:
    tick = settings.instrument.tick_size
    frame = read_lean_minute(path, "trade")
    clean, report = validate_bars(frame, tick)
    assert isinstance(clean, pd.DataFrame)
    days = []
    if len(clean):
        dates = calendar.trade_dates_of(clean["ts"].to_numpy(dtype=np.int64))
        for day64 in np.unique(dates):
            rows = clean[dates == day64]
            volume = rows.groupby("contract", sort=True)["volume"].sum()
            front = str(volume.idxmax())
            bars = bars_to_array(rows[rows["contract"] == front], tick)
            days.append(
                day_profiles_from_bars(
                    bars, day64.astype(object), front, settings=settings, calendar=calendar
                )
            )
    return days, report


def _export_days(
    path: Path,
    kind: str,
    contract: str | None,
    mapping: Mapping[str, str | None] | None,
    settings: Settings,
    calendar: SessionCalendar,
) -> tuple[list[DayProfiles], ValidationReport]:
    if contract is None:
        raise DataError(f"{path}: a {kind} trade export needs contract= (e.g. 'ESZ24')")
    tick = settings.instrument.tick_size
    read = read_trades_csv if kind == "csv" else read_trades_parquet
    frame = read(path, mapping, limits=settings.data)
    clean, report = validate_trades(frame, tick)
    assert isinstance(clean, pd.DataFrame)
    trades = to_trade_array(clean, tick)
    days = [
        day_profiles_from_trades(day_trades, day, contract, settings=settings, calendar=calendar)
        for day, day_trades in split_by_trade_date(trades, calendar)
    ]
    return days, report
