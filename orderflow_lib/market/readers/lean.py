"""QuantConnect Lean futures bars (AlgoSeek CME data) as DataFrames with int64 UTC-ns bar-open times.

Minute files are one zip per UTC day (`YYYYMMDD_trade.zip` / `YYYYMMDD_quote.zip`) holding one
headerless CSV per contract month (`YYYYMMDD_es_minute_trade_201312.csv` is ESZ13); the first
column is milliseconds since 00:00 UTC of that day and marks the bar's OPEN. Hour and daily
files are one zip per root (`es_trade.zip`) with one CSV per contract month and times written
`YYYYMMDD HH:mm` in UTC. Futures prices are plain decimals (ES reads ~1650-1700 in Oct 2013;
Lean's x10000 scaling applies to equities only). Because files are cut at UTC midnight, a CME
Globex session (18:00 ET to 17:00 ET) spans two minute files.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Final, Literal

import numpy as np
import pandas as pd

from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_DAY

LeanKind = Literal["trade", "quote"]

TRADE_COLUMNS: Final = ("open", "high", "low", "close", "volume")
QUOTE_COLUMNS: Final = (
    "bid_open",
    "bid_high",
    "bid_low",
    "bid_close",
    "bid_size",
    "ask_open",
    "ask_high",
    "ask_low",
    "ask_close",
    "ask_size",
)
MONTH_CODES: Final = "FGHJKMNQUVXZ"
_NS_PER_MS: Final = 1_000_000
_MS_PER_DAY: Final = 86_400_000
_MINUTE_ZIP = re.compile(r"^(\d{8})_(trade|quote)\.zip$")
_MINUTE_ENTRY = re.compile(r"^(\d{8})_([a-z0-9]+)_(minute|second)_(trade|quote)_(\d{6})\.csv$")
_BARS_ZIP = re.compile(r"^([a-z0-9]+)_(trade|quote)\.zip$")
_BARS_ENTRY = re.compile(r"^([a-z0-9]+)_(trade|quote)_(\d{6})\.csv$")
_CONTRACT = re.compile(r"^[A-Z0-9]{1,4}[FGHJKMNQUVXZ]\d{2}$")


def lean_contract_id(root: str, expiry_yyyymm: str) -> str:
    """Canonical contract id (root, month code, two-digit year) of a Lean file suffix.

    ('es', '201312') -> 'ESZ13'. The six digits are the contract month, which for ES/MES is also
    the expiry month.
    """
    if not re.fullmatch(r"\d{6}", expiry_yyyymm) or not 1 <= int(expiry_yyyymm[4:]) <= 12:
        raise DataError(f"Lean contract suffix must be YYYYMM, was {expiry_yyyymm!r}")
    month = int(expiry_yyyymm[4:])
    return f"{root.upper()}{MONTH_CODES[month - 1]}{expiry_yyyymm[2:4]}"


def read_lean_minute(
    path_or_folder: str | os.PathLike[str],
    kind: LeanKind | None = None,
    contract: str | None = None,
    *,
    front_only: bool = True,
) -> pd.DataFrame:
    """Lean one-minute bars of one day's zip, or of every day in a folder, sorted by (ts, contract).

    `kind` defaults to the one in the file name, or to "trade" for a folder. Columns: ts (int64
    UTC ns of the bar open), open/high/low/close (float), volume (int64), contract ('ESZ13');
    quotes instead carry bid_open..bid_close, bid_size, ask_open..ask_close, ask_size (prices NaN
    where a side had no quote that minute). `contract` keeps that contract only; with
    `contract=None`, `front_only=True` keeps per file (UTC day) the contract with the most traded
    volume (for quotes, the volume of the sibling `YYYYMMDD_trade.zip`, or the most quote bars
    when it is missing) and `front_only=False` keeps every contract.
    """
    _check_contract(contract)
    files, file_kind = _minute_files(Path(path_or_folder), kind)
    parts = []
    for zip_path in files:
        day_frame = _read_minute_zip(zip_path, file_kind)
        if contract is None and front_only:
            day_frame = _keep_front(day_frame, _minute_activity(zip_path, file_kind, day_frame))
        parts.append(day_frame)
    return _finish(parts, contract, files)


def read_lean_bars(
    path: str | os.PathLike[str],
    kind: LeanKind | None = None,
    contract: str | None = None,
    *,
    front_only: bool = True,
) -> pd.DataFrame:
    """Lean hour or daily bars (`es_trade.zip` / `es_quote.zip`) with the columns of read_lean_minute.

    `kind` defaults to the one in the file name. `ts` is the time written in the file, read as
    UTC (hour bars open on the hour; a daily bar is stamped 00:00 of its date and its volume uses
    the vendor's daily basis, about twice the sum of the minute bars). With `contract=None` and
    `front_only=True`, each UTC date keeps the contract with the most volume (quotes: volume of
    the sibling `<root>_trade.zip`, else most bars).
    """
    _check_kind(kind)
    _check_contract(contract)
    zip_path = Path(path)
    match = _BARS_ZIP.match(zip_path.name)
    if match is None:
        raise DataError(
            f"{zip_path}: expected a Lean hour/daily file named <root>_trade.zip or _quote.zip"
        )
    file_kind: LeanKind = "trade" if match.group(2) == "trade" else "quote"
    if kind is not None and kind != file_kind:
        raise DataError(f"{zip_path}: holds {file_kind} bars, not {kind}")
    kind = file_kind
    frame = _read_bars_zip(zip_path, kind)
    if contract is None and front_only:
        sibling = zip_path.with_name(f"{match.group(1)}_trade.zip")
        if kind == "quote" and sibling.exists():
            activity = _volume_by_day(_read_bars_zip(sibling, "trade"))
        else:
            activity = _activity_by_day(frame, kind)
        frame = _keep_front(frame, activity)
    return _finish([frame], contract, [zip_path])


def _check_kind(kind: str | None) -> None:
    if kind not in (None, "trade", "quote"):
        raise ValueError(f"kind must be 'trade' or 'quote', was {kind!r}")


def _check_contract(contract: str | None) -> None:
    if contract is not None and not _CONTRACT.match(contract):
        raise ValueError(
            "contract must be a canonical id like 'ESZ13' (root, month code, two-digit year), "
            f"was {contract!r}"
        )


def _minute_files(path: Path, kind: LeanKind | None) -> tuple[list[Path], LeanKind]:
    """The day zips to read (the one given, or every `YYYYMMDD_<kind>.zip` of a folder by date)."""
    _check_kind(kind)
    if path.is_dir():
        wanted: LeanKind = kind or "trade"
        files = sorted(p for p in path.iterdir() if _minute_kind(p.name) == wanted)
        if not files:
            raise DataError(f"{path}: no Lean minute files named YYYYMMDD_{wanted}.zip")
        return files, wanted
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    file_kind = _minute_kind(path.name)
    if file_kind is None:
        raise DataError(
            f"{path}: expected a Lean minute file named YYYYMMDD_trade.zip or _quote.zip"
        )
    if kind is not None and kind != file_kind:
        raise DataError(f"{path}: holds {file_kind} bars, not {kind}")
    return [path], file_kind


def _minute_kind(name: str) -> LeanKind | None:
    match = _MINUTE_ZIP.match(name)
    if match is None:
        return None
    return "trade" if match.group(2) == "trade" else "quote"


def _read_minute_zip(zip_path: Path, kind: LeanKind) -> pd.DataFrame:
    """Every contract's bars in one day zip, with `contract`, `expiry` and `day` helper columns."""
    day_text = zip_path.name[:8]
    day_ns = _day_ns(day_text, zip_path)
    parts = []
    for name, content in _zip_members(zip_path):
        match = _MINUTE_ENTRY.match(name)
        if match is None or match.group(4) != kind:
            raise DataError(f"{zip_path}: unexpected entry {name!r}")
        if match.group(1) != day_text:
            raise DataError(f"{zip_path}: entry {name!r} is for another day")
        raw = _read_csv(io.BytesIO(content), kind, time_column="ms", where=f"{zip_path}:{name}")
        ms = raw["ms"].to_numpy()
        bad = np.flatnonzero((ms < 0) | (ms >= _MS_PER_DAY))
        if len(bad):
            raise DataError(
                f"{zip_path}:{name} line {bad[0] + 1}: time {ms[bad[0]]} ms is outside the day"
            )
        frame = raw.drop(columns="ms")
        frame.insert(0, "ts", day_ns + ms.astype(np.int64) * _NS_PER_MS)
        parts.append(_tag(frame, match.group(2), match.group(5)))
    if not parts:
        raise DataError(f"{zip_path}: the zip holds no CSV files")
    return pd.concat(parts, ignore_index=True)


def _read_bars_zip(zip_path: Path, kind: LeanKind) -> pd.DataFrame:
    """Every contract's hour/daily bars in one zip, with `contract`, `expiry` and `day` columns."""
    parts = []
    for name, content in _zip_members(zip_path):
        match = _BARS_ENTRY.match(name)
        if match is None or match.group(2) != kind:
            raise DataError(f"{zip_path}: unexpected entry {name!r}")
        raw = _read_csv(io.BytesIO(content), kind, time_column="time", where=f"{zip_path}:{name}")
        stamps = pd.to_datetime(raw["time"], format="%Y%m%d %H:%M", utc=True, errors="coerce")
        bad = np.flatnonzero(stamps.isna().to_numpy())
        if len(bad):
            raise DataError(
                f"{zip_path}:{name} line {bad[0] + 1}: time {raw['time'].iloc[bad[0]]!r} "
                "is not 'YYYYMMDD HH:mm'"
            )
        frame = raw.drop(columns="time")
        frame.insert(0, "ts", stamps.dt.as_unit("ns").astype("int64").to_numpy())
        parts.append(_tag(frame, match.group(1), match.group(3)))
    if not parts:
        raise DataError(f"{zip_path}: the zip holds no CSV files")
    return pd.concat(parts, ignore_index=True)


def _zip_members(zip_path: Path) -> list[tuple[str, bytes]]:
    """(name, content) of every member of a zip by name; an unreadable zip is a DataError naming it."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return [(name, archive.read(name)) for name in sorted(archive.namelist())]
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise DataError(
            f"{zip_path}: not a readable zip file ({exc}); it is empty, damaged or was cut short "
            "(an interrupted download or copy?): download or copy it again"
        ) from exc


def _read_csv(handle: IO[bytes], kind: LeanKind, *, time_column: str, where: str) -> pd.DataFrame:
    """One headerless Lean CSV with typed columns; malformed content is a DataError naming the file."""
    values = TRADE_COLUMNS if kind == "trade" else QUOTE_COLUMNS
    dtypes = {name: "int64" if name.endswith(("volume", "size")) else "float64" for name in values}
    dtypes[time_column] = "int64" if time_column == "ms" else "str"
    try:
        return pd.read_csv(handle, header=None, names=[time_column, *values], dtype=dtypes)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(
            f"{where}: not a Lean {kind} CSV ({exc}); the file is damaged or is not Lean data"
        ) from exc


def _day_ns(day_text: str, where: Path) -> int:
    """UTC ns of 00:00 UTC on a YYYYMMDD date."""
    try:
        day = np.datetime64(f"{day_text[:4]}-{day_text[4:6]}-{day_text[6:]}", "D")
    except ValueError as exc:
        raise DataError(f"{where}: {day_text!r} is not a YYYYMMDD date") from exc
    return int(day.astype(np.int64)) * NS_PER_DAY


def _tag(frame: pd.DataFrame, root: str, expiry: str) -> pd.DataFrame:
    frame["contract"] = lean_contract_id(root, expiry)
    frame["expiry"] = expiry
    return frame


def _minute_activity(zip_path: Path, kind: LeanKind, day_frame: pd.DataFrame) -> pd.Series:
    """Volume (or bar count) per contract used to pick a day file's front contract."""
    if kind == "quote":
        sibling = zip_path.with_name(f"{zip_path.name[:8]}_trade.zip")
        if sibling.exists():
            return _read_minute_zip(sibling, "trade").groupby("contract")["volume"].sum()
        return day_frame.groupby("contract").size()
    return day_frame.groupby("contract")["volume"].sum()


def _volume_by_day(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby([frame["ts"] // NS_PER_DAY, "contract"])["volume"].sum()


def _activity_by_day(frame: pd.DataFrame, kind: LeanKind) -> pd.Series:
    if kind == "trade":
        return _volume_by_day(frame)
    return frame.groupby([frame["ts"] // NS_PER_DAY, "contract"]).size()


def _keep_front(frame: pd.DataFrame, activity: pd.Series) -> pd.DataFrame:
    """Rows of the most active contract (per UTC day when `activity` is indexed by day too).

    Ties go to the nearer contract month.
    """
    if activity.empty:
        return frame.iloc[0:0]
    expiry = frame.drop_duplicates("contract").set_index("contract")["expiry"]
    table = activity.rename("activity").reset_index()
    table["expiry"] = table["contract"].map(expiry).fillna("999999")
    table = table.sort_values(["activity", "expiry"], ascending=[False, True], kind="stable")
    if isinstance(activity.index, pd.MultiIndex):
        day_column = table.columns[0]
        front = table.drop_duplicates(day_column)
        chosen = pd.MultiIndex.from_frame(front[[day_column, "contract"]])
        row_keys = pd.MultiIndex.from_arrays([frame["ts"] // NS_PER_DAY, frame["contract"]])
        return frame[row_keys.isin(chosen)]
    return frame[frame["contract"] == table["contract"].iloc[0]]


def _finish(parts: Iterable[pd.DataFrame], contract: str | None, files: list[Path]) -> pd.DataFrame:
    """Concatenate, keep one contract when asked, sort by (ts, contract) and drop helper columns."""
    frame = pd.concat(list(parts), ignore_index=True)
    if contract is not None:
        found = sorted(set(frame["contract"]))
        frame = frame[frame["contract"] == contract]
        if frame.empty:
            where = files[0] if len(files) == 1 else files[0].parent
            raise DataError(f"{where}: contract {contract} not found; files hold {found}")
    frame = frame.sort_values(["ts", "contract"], kind="stable").drop(columns="expiry")
    frame["contract"] = frame["contract"].astype("str")
    return frame.reset_index(drop=True)
