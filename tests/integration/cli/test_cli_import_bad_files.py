"""`orderflow import` on bad files: a plain DataError naming the file, exit status 2, no traceback,
and the SQLite store exactly as it was (issue #19).

Real-data variants: Databento GLBX.MDP3 extracts (ESH4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); QuantConnect Lean sample data (vendor AlgoSeek),
Apache-2.0. They skip when ../shared/data is absent; the synthetic variants always run.
"""

from __future__ import annotations

import gzip
import io
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import databento_dbn
import numpy as np
import pandas as pd
import pytest
import zstandard

from orderflow_lib.cli import main

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
LEAN_DAY = DATA / "lean-es-2013" / "minute" / "20131007_trade.zip"
OPEN_NS = int(datetime(2024, 3, 5, 14, 30, tzinfo=UTC).timestamp()) * 1_000_000_000
TRADES = 2_000
CUT_SHORT = "was cut short"
Builder = Callable[[Path], Path]


def _need(path: Path) -> bytes:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path.read_bytes()


def _noise(n: int) -> bytes:
    return np.random.default_rng(19).integers(0, 256, n, dtype=np.uint8).tobytes()


def _cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _csv_text(sizes: list[int] | None = None, ts: list[int] | None = None) -> str:
    """A trades CSV of 2,000 one-lot buys from 2024-03-05 09:30 ET, a second apart."""
    sizes = sizes or [1] * TRADES
    ts = ts or [OPEN_NS + i * 1_000_000_000 for i in range(len(sizes))]
    rows = [
        f"{t},{5100 + (i % 8) * 0.25},{s},B" for i, (t, s) in enumerate(zip(ts, sizes, strict=True))
    ]
    return "ts,price,size,side\n" + "\n".join(rows) + "\n"


def _parquet_bytes(sizes: list[int] | None = None) -> bytes:
    sizes = sizes or [1] * TRADES
    frame = pd.DataFrame(
        {
            "ts": OPEN_NS + np.arange(len(sizes), dtype=np.int64) * 1_000_000_000,
            "price": 5100.0 + (np.arange(len(sizes)) % 8) * 0.25,
            "size": np.asarray(sizes, dtype=np.int64),
            "side": "B",
        }
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _trade_records(sizes: list[int] | None = None, ts: list[int] | None = None) -> np.ndarray:
    """DBN trade records of ESH4 (instrument 1) at the prices and times of `_csv_text`."""
    sizes = sizes or [1] * TRADES
    records = np.zeros(len(sizes), dtype=databento_dbn.TradeMsg._dtypes)
    records["length"] = records.dtype.itemsize // 4
    records["rtype"] = int(databento_dbn.RType.MBP_0)
    records["instrument_id"] = 1
    stamps = ts or [OPEN_NS + i * 1_000_000_000 for i in range(len(sizes))]
    records["ts_event"] = records["ts_recv"] = stamps
    records["price"] = (5100 + (np.arange(len(sizes)) % 8) * 0.25) * 1_000_000_000
    records["size"] = sizes
    records["action"] = b"T"
    records["side"] = b"B"
    return records


def _dbn_bytes(body: bytes) -> bytes:
    """An uncompressed DBN trades file for ESH4 with `body` as its records."""
    metadata = databento_dbn.Metadata(
        dataset="GLBX.MDP3",
        start=OPEN_NS,
        stype_in=databento_dbn.SType.RAW_SYMBOL,
        stype_out=databento_dbn.SType.INSTRUMENT_ID,
        schema=databento_dbn.Schema.TRADES,
        symbols=["ESH4"],
        mappings=[],
        version=3,
    )
    return bytes(metadata) + body


def _zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def _lean_zip() -> bytes:
    """A Lean minute trade zip for 2024-03-05 with one bar a minute all day for ESH24."""
    ms = np.arange(0, 86_400_000, 60_000)
    rows = "\n".join(f"{m},5100,5100.25,5099.75,5100,{10 + m % 7}" for m in ms) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("20240305_es_minute_trade_202403.csv", rows)
    return buffer.getvalue()


def _mbp1_record() -> bytes:
    record = np.zeros(1, dtype=databento_dbn.MBP1Msg._dtypes)
    record["length"] = record.dtype.itemsize // 4
    record["rtype"] = int(databento_dbn.RType.MBP_1)
    record["ts_event"] = OPEN_NS
    return record.tobytes()


def _corrupt_metadata(data: bytes) -> bytes:
    return data[:8] + b"\xff" * 16 + data[24:]


BAD_FILES: dict[str, tuple[str, Builder, str]] = {
    "esh4 dbn.zst cut to 100 B": (
        "esh4.mbo.dbn.zst",
        lambda p: _write(p, _need(ESH4_HOUR)[:100]),
        CUT_SHORT,
    ),
    "esh4 dbn.zst cut to 1 KB": (
        "esh4.mbo.dbn.zst",
        lambda p: _write(p, _need(ESH4_HOUR)[:1_000]),
        CUT_SHORT,
    ),
    "esh4 dbn.zst cut to 10 KB": (
        "esh4.mbo.dbn.zst",
        lambda p: _write(p, _need(ESH4_HOUR)[:10_000]),
        CUT_SHORT,
    ),
    "esh4 dbn.zst cut at 50%": (
        "esh4.mbo.dbn.zst",
        lambda p: _write(p, _cut(_need(ESH4_HOUR), 0.5)),
        CUT_SHORT,
    ),
    "esh4 dbn.zst cut at 90%": (
        "esh4.mbo.dbn.zst",
        lambda p: _write(p, _cut(_need(ESH4_HOUR), 0.9)),
        CUT_SHORT,
    ),
    "synthetic dbn.zst cut at 50%": (
        "esh4.trades.dbn.zst",
        lambda p: _write(p, _cut(_zst(_dbn_bytes(_trade_records().tobytes())), 0.5)),
        CUT_SHORT,
    ),
    "synthetic dbn.zst cut at 90%": (
        "esh4.trades.dbn.zst",
        lambda p: _write(p, _cut(_zst(_dbn_bytes(_trade_records().tobytes())), 0.9)),
        CUT_SHORT,
    ),
    "random bytes after the zstd magic": (
        "noise.dbn.zst",
        lambda p: _write(p, b"\x28\xb5\x2f\xfd" + _noise(2_000)),
        "the zstd-compressed data is corrupt",
    ),
    "corrupt DBN metadata block": (
        "esh4.trades.dbn",
        lambda p: _write(p, _corrupt_metadata(_dbn_bytes(_trade_records().tobytes()))),
        "the DBN metadata block cannot be decoded",
    ),
    "DBN record cut short": (
        "esh4.trades.dbn",
        lambda p: _write(p, _dbn_bytes(_trade_records().tobytes())[:-5]),
        "is truncated or corrupt",
    ),
    "DBN record of another type than the schema": (
        "esh4.trades.dbn",
        lambda p: _write(p, _dbn_bytes(_trade_records().tobytes() + _mbp1_record())),
        "besides 2,000 of them it has 1 of other types (1 mbp-1 (rtype 0x01))",
    ),
    "DBN trade of 4e9 lots": (
        "esh4.trades.dbn.zst",
        lambda p: _write(p, _zst(_dbn_bytes(_trade_records([1, 4_000_000_000, 1]).tobytes()))),
        "record 1 is a trade of 4,000,000,000 lots, above the limit of 10,000",
    ),
    "DBN trade stamped 1970": (
        "esh4.trades.dbn.zst",
        lambda p: _write(p, _zst(_dbn_bytes(_trade_records([1], [1_000]).tobytes()))),
        "record 0 has time 1000 ns (1970-01-01T00:00:00.000001+00:00), outside 2000-01-01",
    ),
    "empty CSV": ("trades.csv", lambda p: _write(p, b""), "the file is empty"),
    "junk CSV": ("trades.csv", lambda p: _write(p, _noise(3_000)), "not a text CSV file"),
    "CSV cut in its last line": (
        "trades.csv",
        lambda p: _write(p, _cut(_csv_text().encode(), 0.5).rsplit(b",", 1)[0]),
        CUT_SHORT,
    ),
    "csv.gz cut at 50%": (
        "trades.csv.gz",
        lambda p: _write(p, _cut(gzip.compress(_csv_text().encode()), 0.5)),
        CUT_SHORT,
    ),
    "csv.gz cut at 90%": (
        "trades.csv.gz",
        lambda p: _write(p, _cut(gzip.compress(_csv_text().encode()), 0.9)),
        CUT_SHORT,
    ),
    "CSV 20-digit timestamp": (
        "trades.csv",
        lambda p: _write(p, _csv_text([1, 1], [OPEN_NS, 12345678901234567890]).encode()),
        "row 1 ts '12345678901234567890' (20 digits) is too large",
    ),
    "CSV timestamps in ms read as ns": (
        "trades.csv",
        lambda p: _write(p, _csv_text([1], [OPEN_NS // 1_000_000]).encode()),
        "row 0 has time 1709649000000 ns (1970-01-01T00:28:29.649000+00:00), outside",
    ),
    "CSV trade of 2^40 lots": (
        "trades.csv",
        lambda p: _write(p, _csv_text([1, 1, 2**40]).encode()),
        "row 2 is a trade of 1,099,511,627,776 lots, above the limit of 10,000",
    ),
    "empty Parquet": ("trades.parquet", lambda p: _write(p, b""), "not a readable Parquet file"),
    "junk Parquet": (
        "trades.parquet",
        lambda p: _write(p, b"PAR1" + _noise(3_000)),
        "not a readable Parquet file",
    ),
    "Parquet cut at 50%": (
        "trades.parquet",
        lambda p: _write(p, _cut(_parquet_bytes(), 0.5)),
        "not a readable Parquet file",
    ),
    "Parquet trade of 2^40 lots": (
        "trades.parquet",
        lambda p: _write(p, _parquet_bytes([2**40, 1])),
        "row 0 is a trade of 1,099,511,627,776 lots",
    ),
    "empty Lean zip": (
        "20240305_trade.zip",
        lambda p: _write(p, b""),
        "not a readable zip file",
    ),
    "junk Lean zip": (
        "20240305_trade.zip",
        lambda p: _write(p, b"PK\x03\x04" + _noise(3_000)),
        "not a readable zip file",
    ),
    "Lean zip cut at 50%": (
        "20240305_trade.zip",
        lambda p: _write(p, _cut(_lean_zip(), 0.5)),
        "not a readable zip file",
    ),
    "real Lean zip cut at 50%": (
        "20131007_trade.zip",
        lambda p: _write(p, _cut(_need(LEAN_DAY), 0.5)),
        "not a readable zip file",
    ),
    "real Lean zip cut at 90%": (
        "20131007_trade.zip",
        lambda p: _write(p, _cut(_need(LEAN_DAY), 0.9)),
        "not a readable zip file",
    ),
}


def _store_rows(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the SQLite store, in a stable order."""
    with closing(sqlite3.connect(database)) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


@pytest.fixture
def seeded_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """An SQLite store in tmp_path holding one imported day (2024-03-05), as `orderflow import` made it."""
    database = tmp_path / "of.sqlite"
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{database}")
    good = _write(tmp_path / "good.csv", _csv_text().encode())
    assert main(["import", str(good), "--contract", "ESH24"]) == 0
    capsys.readouterr()
    return database


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_import_when_file_is_bad_then_exit_2_with_plain_message_and_store_unchanged(
    case: str, tmp_path: Path, seeded_store: Path, capsys
) -> None:
    name, build, message = BAD_FILES[case]
    path = build(tmp_path / name)
    before = _store_rows(seeded_store)

    status = main(["import", str(path), "--contract", "ESH24"])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith(f"orderflow: {path.resolve()}: ")
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert f"import stopped: nothing was stored from {name}" in captured.err
    assert captured.out == ""
    assert sum(len(rows) for rows in before.values()) > 0
    assert _store_rows(seeded_store) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("more.csv", lambda: _csv_text().encode()),
        ("more.parquet", _parquet_bytes),
        ("esh4.trades.dbn.zst", lambda: _zst(_dbn_bytes(_trade_records().tobytes()))),
        ("20240305_trade.zip", _lean_zip),
    ],
)
def test_import_when_the_same_file_is_sound_then_it_is_stored(
    name: str, content: Callable[[], bytes], tmp_path: Path, seeded_store: Path, capsys
) -> None:
    path = _write(tmp_path / name, content())

    status = main(["import", str(path), "--contract", "ESH24"])

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith(f"{name}: ESH24")
    assert "2024-03-05" in out.splitlines()[0]


def test_import_when_bad_file_follows_a_good_one_then_the_good_one_stays_saved(
    tmp_path: Path, seeded_store: Path, capsys
) -> None:
    good = _write(tmp_path / "good.parquet", _parquet_bytes([2] * TRADES))
    bad = _write(tmp_path / "bad.csv", b"")
    before = _store_rows(seeded_store)

    status = main(["import", str(good), str(bad), "--contract", "ESH24"])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out.startswith("good.parquet: ESH24, 2,000 rows")
    assert "import stopped: nothing was stored from bad.csv; the " in captured.err
    assert "records of the files before it stay saved" in captured.err
    assert _store_rows(seeded_store) != before
