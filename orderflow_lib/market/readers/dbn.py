"""Databento DBN files (.dbn, .dbn.zst) decoded in one vectorised pass into DataFrames and engine arrays.

The records are read straight into numpy structured arrays with the record layouts published by
`databento_dbn` (no Python object per record), so a million-message MBO file costs a few numpy
operations. Prices in DBN are integers in units of 1e-9; timestamps are UTC nanoseconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import databento_dbn
import numpy as np
import pandas as pd
import zstandard

from orderflow_lib.core.config import ES_TICK_SIZE, DataSettings
from orderflow_lib.core.errors import DataError, OffGridPriceError
from orderflow_lib.core.timeconv import NS_PER_DAY
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.market.readers.limits import DEFAULT_LIMITS, check_timestamps, check_trade_sizes

PRICE_SCALE: Final = 1_000_000_000
UNDEF_PRICE: Final = int(databento_dbn.UNDEF_PRICE)
UNDEF_TIMESTAMP: Final = int(databento_dbn.UNDEF_TIMESTAMP)
UNDEF_PRICE_TICKS: Final = int(np.iinfo(np.int64).min)
"""price_ticks of an MBO message that carries no price (a book clear, action 'R')."""

MBO_ADD: Final = ord("A")
MBO_CANCEL: Final = ord("C")
MBO_MODIFY: Final = ord("M")
MBO_CLEAR: Final = ord("R")
MBO_TRADE: Final = ord("T")
MBO_FILL: Final = ord("F")
F_LAST: Final = int(databento_dbn.F_LAST)
F_SNAPSHOT: Final = int(databento_dbn.F_SNAPSHOT)

MBO_DTYPE = np.dtype(
    [
        ("ts_ns", "i8"),
        ("order_id", "u8"),
        ("price_ticks", "i8"),
        ("size", "i8"),
        ("side", "i1"),
        ("action", "u1"),
        ("flags", "u1"),
        ("sequence", "u4"),
    ]
)
"""One MBO message for the DOM and flow engines.

`side` is +1 for 'B' and -1 for 'A' (0 for 'N'): on a trade ('T') it is the aggressor, on every
other action the resting order's book side (BOOK_BID = 1, BOOK_ASK = -1). `action` holds the
ASCII code of the DBN action letter (MBO_ADD, MBO_CANCEL, ...); `flags & F_LAST` ends an event.
"""

_STRUCT_NAME: Final = {
    "mbo": "MBOMsg",
    "mbp-1": "MBP1Msg",
    "tbbo": "MBP1Msg",
    "mbp-10": "MBP10Msg",
    "trades": "TradeMsg",
    "ohlcv-1s": "OHLCVMsg",
    "ohlcv-1m": "OHLCVMsg",
    "ohlcv-1h": "OHLCVMsg",
    "ohlcv-1d": "OHLCVMsg",
    "ohlcv-eod": "OHLCVMsg",
    "definition": "InstrumentDefMsg",
    "statistics": "StatMsg",
    "status": "StatusMsg",
    "imbalance": "ImbalanceMsg",
    "bbo-1s": "BBOMsg",
    "bbo-1m": "BBOMsg",
    "cbbo-1s": "CBBOMsg",
    "cbbo-1m": "CBBOMsg",
    "tcbbo": "CBBOMsg",
    "cmbp-1": "CMBP1Msg",
}
_TRADE_SCHEMAS: Final = frozenset({"trades", "tbbo", "mbp-1", "mbp-10", "mbo"})
_CONTROL_RTYPES: Final = frozenset(
    {int(databento_dbn.RType.SYMBOL_MAPPING), int(databento_dbn.RType.SYSTEM)}
)
"""Gateway records (symbol mappings, heartbeats) that live recordings interleave with market data."""
_REFETCH: Final = "download or copy it again"
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
_DBN_MAGIC: Final = b"DBN"
_PRIMARY_TS: Final = ("ts_event", "ts_recv")
_COMMON_COLUMNS: Final = ("ts", "price", "size", "side")
_DAYS_PER_KEY: Final = 1 << 22
_AS_IS: Final = databento_dbn.VersionUpgradePolicy.from_int(
    int(databento_dbn.VersionUpgradePolicy.AS_IS)
)
"""Keep records in the file's own DBN version, so the metadata version names their layout."""
_ONE_LETTER: Final = np.array([chr(code) for code in range(256)], dtype="U1")


@dataclass(frozen=True, slots=True)
class DbnRecords:
    """The records of one schema from a DBN file, as a structured array in the file's layout."""

    metadata: databento_dbn.Metadata
    schema: str
    records: np.ndarray
    struct: Any
    """The databento_dbn record class whose `_dtypes` describe `records`."""


def read_dbn(
    path: str | os.PathLike[str],
    schema: str | None = None,
    *,
    symbol: str | Iterable[str] | None = None,
    instrument_id: int | Iterable[int] | None = None,
    instrument_symbols: Mapping[int, str] | None = None,
    limits: DataSettings = DEFAULT_LIMITS,
) -> pd.DataFrame:
    """One row per DBN record: ts, price, size, side, then the schema's other fields and `symbol`.

    `ts` is ts_event (int64 UTC ns); `price` is the raw price / 1e9 (NaN where the schema has no
    price or it is undefined); `size` is int64 (0 where the schema has none); `side` is 'B', 'A'
    or 'N' (for trades the aggressor; 'N' where the schema has no side). Other price fields
    (bid_px_00, open, ...) are floats with NaN for undefined; ts_recv is int64 ns; other timestamp
    fields (ts_ref, expiration, ...) and statistics `quantity` are nullable Int64 with NA for
    undefined; text fields are str. `symbol` comes from the file's symbology metadata (the
    definition's own raw_symbol for definition files), overridden by `instrument_symbols`.
    `schema` is required only for files that mix record types (live recordings).
    Filtering by `symbol` and/or `instrument_id` keeps the matching records only. A damaged
    file, or a record outside `limits`, is a DataError naming the file (see load_dbn_records).
    """
    loaded = load_dbn_records(path, schema, limits=limits)
    records = loaded.records
    symbols = _record_symbols(loaded, instrument_symbols)
    keep = _filter_mask(records, symbols, symbol, instrument_id)
    if keep is not None:
        records, symbols = records[keep], symbols[keep]
    return _records_frame(records, loaded.struct, symbols, path)


def load_dbn_records(
    path: str | os.PathLike[str],
    schema: str | None = None,
    *,
    limits: DataSettings = DEFAULT_LIMITS,
) -> DbnRecords:
    """Metadata and the structured record array of a DBN file (zstd-compressed or not).

    Every problem is a DataError naming the file: an incomplete or corrupt zstd stream, a damaged
    metadata block or record, a record of another type than the file's schema (counted by type;
    live gateway records such as symbol mappings are skipped), a ts_event outside the `limits`
    times or a trade above `limits.max_trade_size`.
    """
    raw = _read_bytes(path)
    metadata, offset = _split_metadata(raw, path)
    file_schema = None if metadata.schema is None else str(metadata.schema)
    wanted = _normalise_schema(schema) if schema is not None else file_schema
    if wanted is None:
        raise DataError(f"{path}: the file mixes record types; pass schema= (one of {_schemas()})")
    if file_schema is not None and wanted != file_schema:
        raise DataError(f"{path}: the file holds {file_schema!r} records, not {wanted!r}")
    struct = _struct_for(wanted, metadata.version, path)
    dtype = _record_dtype(struct, metadata.ts_out)
    rtypes = _rtypes_for(wanted)
    records = _decode_records(raw, offset, dtype, rtypes, file_schema, path)
    _check_limits(records, wanted, limits, path)
    return DbnRecords(metadata=metadata, schema=wanted, records=records, struct=struct)


def dbn_instrument_symbols(path: str | os.PathLike[str]) -> dict[int, str]:
    """instrument_id -> raw symbol from a definition DBN file (e.g. to name spreads and children)."""
    loaded = load_dbn_records(path, "definition")
    ids = loaded.records["instrument_id"].tolist()
    names = np.char.decode(loaded.records["raw_symbol"], "utf-8").tolist()
    return dict(zip(ids, names, strict=True))


def dbn_trades_array(
    path: str | os.PathLike[str],
    tick_size: float = ES_TICK_SIZE,
    *,
    symbol: str | Iterable[str] | None = None,
    instrument_id: int | Iterable[int] | None = None,
    instrument_symbols: Mapping[int, str] | None = None,
    schema: str | None = None,
    limits: DataSettings = DEFAULT_LIMITS,
) -> np.ndarray:
    """TRADE_DTYPE array of the trades in a trades/tbbo/mbp-1/mbp-10/mbo file, in file order.

    Trades are the records with action 'T' (in MBO files the trade messages, whose side is the
    CME aggressor: 'B' -> +1, 'A' -> -1, 'N' -> 0). The file, after filtering, must hold one
    instrument; prices must be whole ticks of `tick_size` (OffGridPriceError otherwise).
    Filters, `schema` and `limits` work as in read_dbn.
    """
    loaded = load_dbn_records(path, schema, limits=limits)
    if loaded.schema not in _TRADE_SCHEMAS:
        raise DataError(
            f"{path}: schema {loaded.schema!r} has no trades; expected one of {sorted(_TRADE_SCHEMAS)}"
        )
    records = _one_instrument(loaded, symbol, instrument_id, instrument_symbols, path)
    records = records[records["action"] == b"T"]
    out = np.empty(len(records), dtype=TRADE_DTYPE)
    out["ts_ns"] = _checked_ts(records["ts_event"], "ts_event", path)
    out["price_ticks"] = _raw_to_ticks(records["price"], tick_size, path, allow_undefined=False)
    out["size"] = records["size"]
    out["side"] = _side_codes(records["side"], path)
    return out


def dbn_mbo_array(
    path: str | os.PathLike[str],
    tick_size: float = ES_TICK_SIZE,
    *,
    symbol: str | Iterable[str] | None = None,
    instrument_id: int | Iterable[int] | None = None,
    instrument_symbols: Mapping[int, str] | None = None,
    schema: str | None = None,
    limits: DataSettings = DEFAULT_LIMITS,
) -> np.ndarray:
    """MBO_DTYPE array of every MBO message of one instrument, in file order (ts_recv order).

    Undefined prices (book clears) become UNDEF_PRICE_TICKS; any other price must be a whole tick.
    Filters, `schema` and `limits` work as in read_dbn.
    """
    loaded = load_dbn_records(path, schema, limits=limits)
    if loaded.schema != "mbo":
        raise DataError(f"{path}: schema is {loaded.schema!r}, expected 'mbo'")
    records = _one_instrument(loaded, symbol, instrument_id, instrument_symbols, path)
    out = np.empty(len(records), dtype=MBO_DTYPE)
    out["ts_ns"] = _checked_ts(records["ts_event"], "ts_event", path)
    out["order_id"] = records["order_id"]
    out["price_ticks"] = _raw_to_ticks(records["price"], tick_size, path, allow_undefined=True)
    out["size"] = records["size"]
    out["side"] = _side_codes(records["side"], path)
    out["action"] = records["action"].view(np.uint8)
    out["flags"] = records["flags"]
    out["sequence"] = records["sequence"]
    return out


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    """File content, zstd-decompressed when the file starts with the zstd magic number."""
    with open(path, "rb") as handle:
        content = handle.read()
    if not content:
        raise DataError(f"{path}: the file is empty (0 bytes); expected a DBN file: {_REFETCH}")
    if content[:4] == _ZSTD_MAGIC:
        return _zstd_frames(content, path)
    if content[:3] == _DBN_MAGIC:
        return content
    raise DataError(
        f"{path}: not a DBN file (starts with {content[:4]!r}, expected b'DBN' or zstd)"
    )


def _zstd_frames(content: bytes, path: str | os.PathLike[str]) -> bytes:
    """Every zstd frame decompressed; a corrupt frame or one cut short is a DataError naming the file."""
    parts: list[bytes] = []
    rest = content
    while rest:
        decoder = zstandard.ZstdDecompressor().decompressobj()
        try:
            parts.append(decoder.decompress(rest))
        except zstandard.ZstdError as exc:
            raise DataError(
                f"{path}: the zstd-compressed data is corrupt at byte {len(content) - len(rest):,} "
                f"({exc}); the file is damaged: {_REFETCH}"
            ) from exc
        if not decoder.eof:
            raise DataError(
                f"{path}: the zstd-compressed data stops in the middle of a frame after "
                f"{len(content):,} bytes; the file was cut short (an interrupted download or "
                f"copy?): {_REFETCH}"
            )
        rest = decoder.unused_data
    return b"".join(parts)


def _split_metadata(raw: bytes, path: str | os.PathLike[str]) -> tuple[databento_dbn.Metadata, int]:
    """Decoded metadata header and the byte offset where the records start."""
    if len(raw) < 8 or raw[:3] != _DBN_MAGIC:
        raise DataError(f"{path}: no DBN header (starts with {raw[:8]!r}); {_REFETCH}")
    end = 8 + int.from_bytes(raw[4:8], "little")
    if end > len(raw):
        raise DataError(
            f"{path}: the DBN metadata block claims {end:,} bytes but the data has only "
            f"{len(raw):,}; the file is cut short or damaged: {_REFETCH}"
        )
    try:
        metadata = databento_dbn.Metadata.decode(raw[:end], upgrade_policy=_AS_IS)
    except databento_dbn.DBNError as exc:
        raise DataError(
            f"{path}: the DBN metadata block cannot be decoded ({exc}); the file is damaged: "
            f"{_REFETCH}"
        ) from exc
    return metadata, end


def _normalise_schema(schema: str) -> str:
    """Canonical schema text ('mbp-10') of a str or databento_dbn.Schema."""
    text = str(schema).lower()
    if text not in _STRUCT_NAME:
        raise ValueError(f"schema must be one of {_schemas()}, was {schema!r}")
    return text


def _schemas() -> str:
    return ", ".join(sorted(_STRUCT_NAME))


def _struct_for(schema: str, version: int, path: str | os.PathLike[str]) -> Any:
    """The databento_dbn record class for a schema in the file's DBN version."""
    module = getattr(databento_dbn, f"v{version}", None)
    if module is None:
        raise DataError(f"{path}: DBN version {version} is not supported by databento_dbn")
    return getattr(module, _STRUCT_NAME[schema])


def _record_dtype(struct: Any, ts_out: bool) -> np.dtype:
    fields = list(struct._dtypes)
    if ts_out:
        fields.append(("ts_out", "u8"))
    return np.dtype(fields)


def _rtypes_for(schema: str) -> frozenset[int]:
    return frozenset({int(databento_dbn.RType.from_schema(databento_dbn.Schema.from_str(schema)))})


def _decode_records(
    raw: bytes,
    offset: int,
    dtype: np.dtype,
    rtypes: frozenset[int],
    file_schema: str | None,
    path: str | os.PathLike[str],
) -> np.ndarray:
    """Records of `dtype` from the bytes after the metadata: one frombuffer when they are uniform.

    In a file with a schema, records of another market-data type are an error that counts them.
    """
    body = memoryview(raw)[offset:]
    if file_schema is not None and len(body) % dtype.itemsize == 0:
        records = np.frombuffer(body, dtype=dtype)
        uniform = np.all(records["length"].astype(np.int64) * 4 == dtype.itemsize) and np.all(
            np.isin(records["rtype"], list(rtypes))
        )
        if uniform:
            return records
    starts, others = _record_starts(body, dtype.itemsize, rtypes, offset, path)
    if file_schema is not None and others:
        _refuse_other_types(others, len(starts), file_schema, path)
    octets = np.frombuffer(body, dtype=np.uint8)
    index = np.asarray(starts, dtype=np.int64)[:, None] + np.arange(dtype.itemsize)
    return np.frombuffer(octets[index].tobytes(), dtype=dtype)


def _record_starts(
    body: memoryview, size: int, rtypes: frozenset[int], offset: int, path: str | os.PathLike[str]
) -> tuple[list[int], dict[int, int]]:
    """Offsets of the records of the wanted rtypes, and the count of other market records by rtype.

    Walks the length bytes; byte positions in errors count from the start of the decoded data.
    """
    starts: list[int] = []
    others: dict[int, int] = {}
    pos, end = 0, len(body)
    while pos < end:
        length = body[pos] * 4
        if length == 0 or pos + length > end:
            raise DataError(
                f"{path}: DBN record at byte {offset + pos:,} is truncated or corrupt (length "
                f"{length}, {end - pos} bytes left); the file is cut short or damaged: {_REFETCH}"
            )
        rtype = body[pos + 1]
        if rtype in rtypes:
            if length != size:
                raise DataError(
                    f"{path}: DBN record at byte {offset + pos:,} has {length} bytes, expected "
                    f"{size}; the file is damaged: {_REFETCH}"
                )
            starts.append(pos)
        elif rtype not in _CONTROL_RTYPES:
            others[rtype] = others.get(rtype, 0) + 1
        pos += length
    return starts, others


def _refuse_other_types(
    others: Mapping[int, int], kept: int, schema: str, path: str | os.PathLike[str]
) -> None:
    """DataError counting, by type, the records that do not belong to the file's schema."""
    found = ", ".join(f"{count:,} {_rtype_name(rtype)}" for rtype, count in sorted(others.items()))
    raise DataError(
        f"{path}: the file says it holds {schema!r} records, but besides {kept:,} of them it has "
        f"{sum(others.values()):,} of other types ({found}); it is damaged or was written wrongly. "
        "Get a clean copy, or split the record types before importing"
    )


def _rtype_name(rtype: int) -> str:
    """'mbp-1 (rtype 0x01)' for a known record type, 'rtype 0x7f' otherwise."""
    try:
        return f"{databento_dbn.RType.from_int(rtype)} (rtype 0x{rtype:02x})"
    except databento_dbn.DBNError:
        return f"rtype 0x{rtype:02x}"


def _check_limits(
    records: np.ndarray, schema: str, limits: DataSettings, path: str | os.PathLike[str]
) -> None:
    """DataError for a record whose ts_event, or trade size, is outside the `data` settings."""
    stamps = _checked_ts(records["ts_event"], "ts_event", path)
    check_timestamps(stamps, limits, str(path), row_name="record")
    if schema in _TRADE_SCHEMAS:
        sizes = np.where(records["action"] == b"T", records["size"], 0)
        check_trade_sizes(sizes, limits, str(path), row_name="record")


def _record_symbols(loaded: DbnRecords, overrides: Mapping[int, str] | None) -> np.ndarray:
    """Symbol per record (object array, None where unknown) from the metadata symbology."""
    records = loaded.records
    out = np.full(len(records), None, dtype=object)
    if loaded.schema == "definition":
        out[:] = np.char.decode(records["raw_symbol"], "utf-8")
    else:
        _apply_metadata_symbology(loaded.metadata, records, out)
    if overrides:
        ids = records["instrument_id"]
        for iid, name in overrides.items():
            out[ids == iid] = name
    return out


def _apply_metadata_symbology(
    metadata: databento_dbn.Metadata, records: np.ndarray, out: np.ndarray
) -> None:
    """Fill `out` from the metadata mappings, resolved by the UTC date of each record (like databento)."""
    intervals = _mapping_intervals(metadata)
    if not intervals or len(records) == 0:
        return
    names = records.dtype.names or ()
    stamp = records["ts_recv"] if "ts_recv" in names else records["ts_event"]
    day = (stamp // np.uint64(NS_PER_DAY)).astype(np.int64)
    key = records["instrument_id"].astype(np.int64) * _DAYS_PER_KEY + day
    keys, inverse = np.unique(key, return_inverse=True)
    key_ids, key_days = keys // _DAYS_PER_KEY, keys % _DAYS_PER_KEY
    resolved = np.full(len(keys), None, dtype=object)
    for iid, start_day, end_day, name in intervals:
        resolved[(key_ids == iid) & (key_days >= start_day) & (key_days < end_day)] = name
    out[:] = resolved[inverse]


def _mapping_intervals(metadata: databento_dbn.Metadata) -> list[tuple[int, int, int, str]]:
    """(instrument_id, first UTC day, end UTC day exclusive, symbol) from the metadata mappings."""
    by_id_in = str(metadata.stype_in) == "instrument_id"
    by_id_out = str(metadata.stype_out) == "instrument_id"
    if not (by_id_in or by_id_out):
        return []
    out: list[tuple[int, int, int, str]] = []
    for symbol_in, entries in metadata.mappings.items():
        for entry in entries:
            symbol_out = entry["symbol"]
            if not symbol_out:
                continue
            iid, name = (int(symbol_in), symbol_out) if by_id_in else (int(symbol_out), symbol_in)
            start = np.datetime64(entry["start_date"], "D").astype(np.int64)
            end = np.datetime64(entry["end_date"], "D").astype(np.int64)
            out.append((iid, int(start), int(end), str(name)))
    return out


def _filter_mask(
    records: np.ndarray,
    symbols: np.ndarray,
    symbol: str | Iterable[str] | None,
    instrument_id: int | Iterable[int] | None,
) -> np.ndarray | None:
    """Boolean mask of the records matching the symbol / instrument filters, or None for all."""
    if symbol is None and instrument_id is None:
        return None
    keep = np.ones(len(records), dtype=bool)
    if symbol is not None:
        wanted = [symbol] if isinstance(symbol, str) else list(symbol)
        keep &= pd.Series(symbols, dtype=object).isin(wanted).to_numpy()
    if instrument_id is not None:
        ids = list(instrument_id) if isinstance(instrument_id, Iterable) else [instrument_id]
        keep &= np.isin(records["instrument_id"].astype(np.int64), np.asarray(ids, dtype=np.int64))
    return keep


def _one_instrument(
    loaded: DbnRecords,
    symbol: str | Iterable[str] | None,
    instrument_id: int | Iterable[int] | None,
    instrument_symbols: Mapping[int, str] | None,
    path: str | os.PathLike[str],
) -> np.ndarray:
    """The records after filtering, which must belong to exactly one instrument."""
    records = loaded.records
    symbols = _record_symbols(loaded, instrument_symbols)
    keep = _filter_mask(records, symbols, symbol, instrument_id)
    if keep is not None:
        records = records[keep]
    ids = np.unique(records["instrument_id"])
    if len(ids) > 1:
        raise DataError(
            f"{path}: records of {len(ids)} instruments {ids.tolist()}; "
            "choose one with symbol= or instrument_id="
        )
    return records


def _checked_ts(stamps: np.ndarray, name: str, path: str | os.PathLike[str]) -> np.ndarray:
    """int64 UTC ns of a u8 timestamp field; an undefined timestamp is an error naming the row."""
    bad = np.flatnonzero(stamps == np.uint64(UNDEF_TIMESTAMP))
    if len(bad):
        raise DataError(f"{path}: record {bad[0]}: {name} is undefined; every record needs one")
    return stamps.astype(np.int64)


def _tick_raw(tick_size: float) -> int:
    """The tick size in DBN price units (1e-9); it must be a whole number of them."""
    if not tick_size > 0:
        raise ValueError(f"tick_size must be > 0, was {tick_size}")
    raw = round(tick_size * PRICE_SCALE)
    if raw == 0 or abs(raw / PRICE_SCALE - tick_size) > 1e-12 * tick_size:
        raise ValueError(f"tick_size must be a whole multiple of 1e-9, was {tick_size}")
    return int(raw)


def _raw_to_ticks(
    prices: np.ndarray, tick_size: float, path: str | os.PathLike[str], *, allow_undefined: bool
) -> np.ndarray:
    """Integer ticks of raw DBN prices; off-grid prices raise OffGridPriceError naming the row."""
    tick = _tick_raw(tick_size)
    prices = prices.astype(np.int64)
    undefined = prices == UNDEF_PRICE
    if undefined.any() and not allow_undefined:
        row = int(np.flatnonzero(undefined)[0])
        raise DataError(f"{path}: record {row} is a trade without a price")
    off = (prices % tick != 0) & ~undefined
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise OffGridPriceError(
            f"{path}: record {row} price {prices[row] / PRICE_SCALE} is not a multiple of "
            f"tick_size {tick_size}"
        )
    return np.where(undefined, UNDEF_PRICE_TICKS, prices // tick)


def _side_codes(sides: np.ndarray, path: str | os.PathLike[str]) -> np.ndarray:
    """+1 / -1 / 0 of DBN side letters 'B' / 'A' / 'N'; anything else is an error naming the row."""
    codes = np.zeros(len(sides), dtype=np.int8)
    codes[sides == b"B"] = 1
    codes[sides == b"A"] = -1
    bad = np.flatnonzero(~np.isin(sides, [b"B", b"A", b"N"]))
    if len(bad):
        raise DataError(f"{path}: record {bad[0]} has side {sides[bad[0]]!r}, expected B, A or N")
    return codes


def _records_frame(
    records: np.ndarray, struct: Any, symbols: np.ndarray, path: str | os.PathLike[str]
) -> pd.DataFrame:
    """The DataFrame of a structured record array (see read_dbn for the columns)."""
    n = len(records)
    names = records.dtype.names or ()
    price_fields = set(struct._price_fields)
    ts_fields = set(struct._timestamp_fields)
    hidden = set(struct._hidden_fields)
    columns: dict[str, Any] = {
        "ts": _checked_ts(records["ts_event"], "ts_event", path),
        "price": _prices(records["price"]) if "price" in names else np.full(n, np.nan),
        "size": records["size"].astype(np.int64) if "size" in names else np.zeros(n, np.int64),
        "side": _side_letters(records["side"]) if "side" in names else np.full(n, "N"),
    }
    ordered = [*struct._ordered_fields, *(["ts_out"] if "ts_out" in names else [])]
    for name in ordered:
        if name in hidden or name in ("ts_event", *_COMMON_COLUMNS):
            continue
        values = records[name]
        if name in price_fields:
            columns[name] = _prices(values)
        elif name in _PRIMARY_TS:
            columns[name] = _checked_ts(values, name, path)
        elif name in ts_fields or name == "ts_out":
            columns[name] = _nullable(values.astype(np.int64), values == np.uint64(UNDEF_TIMESTAMP))
        elif name == "quantity":
            columns[name] = _nullable(values.astype(np.int64), values == np.iinfo(values.dtype).max)
        elif values.dtype == np.dtype("S1"):
            columns[name] = _ONE_LETTER[values.view(np.uint8)]
        elif values.dtype.kind == "S":
            columns[name] = np.char.decode(values, "utf-8")
        else:
            columns[name] = np.ascontiguousarray(values)
    columns["symbol"] = symbols
    return pd.DataFrame(columns)


def _prices(raw: np.ndarray) -> np.ndarray:
    """Float prices of raw 1e-9 integers, NaN where undefined."""
    raw = raw.astype(np.int64)
    return np.where(raw == UNDEF_PRICE, np.nan, raw / PRICE_SCALE)


def _side_letters(raw: np.ndarray) -> np.ndarray:
    """Side letters as str; an empty (NUL) side reads as 'N'."""
    letters = _ONE_LETTER[raw.view(np.uint8)]
    return np.where(letters == "", "N", letters)


def _nullable(values: np.ndarray, undefined: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 with NA where the DBN field holds its 'undefined' sentinel."""
    return pd.arrays.IntegerArray(values, undefined.copy())
