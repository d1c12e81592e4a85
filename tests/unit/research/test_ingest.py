"""Importing data into the store as daily profiles: Lean, DBN, CSV exports and the synthetic
market; importing twice stores nothing twice, bad rows are counted, bad input is refused.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3
extracts published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pandas as pd
import pytest
from research_support import ESH4_MBO, LEAN_MINUTE, need

from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.research import import_files, import_synthetic, stored_days
from orderflow_lib.research.ingest import detect_kind
from orderflow_lib.store import Store

LEAN_DAYS = {  # RTH POC, VAL, VAH checked independently in tests/unit/profiles
    date(2013, 10, 7): (1676.75, 1672.75, 1678.25),
    date(2013, 10, 14): (1689.00, 1686.00, 1702.00),
}


@pytest.mark.realdata
def test_import_files_when_lean_imported_twice_then_stored_once(store: Store) -> None:
    first = import_files(store, need(LEAN_MINUTE), progress=False)
    again = import_files(store, LEAN_MINUTE, progress=False)

    assert (first.saved, first.changed) == (21, 21)
    assert (again.saved, again.changed) == (21, 0)
    stored = stored_days(store, "ESZ13", "replay")
    assert len(stored) == 21
    rth = stored[stored["kind"] == "volume"].set_index("trade_date")
    for day, levels in LEAN_DAYS.items():
        assert tuple(rth.loc[day, ["poc", "val", "vah"]]) == levels
    assert bool(rth["approximate"].all())


@pytest.mark.realdata
def test_import_files_when_dbn_mbo_then_overnight_profile_of_the_trade_date(store: Store) -> None:
    report = import_files(store, need(ESH4_MBO), progress=False)

    row = report.days.iloc[0]
    assert (row["trade_date"], row["contract"], row["records"]) == (
        date(2023, 12, 26),
        "ESH24",
        2973,
    )
    assert (row["rth_volume"], row["eth_volume"]) == (0, 9892)
    assert report.notes and "possible_duplicate" in report.notes[0]


def test_import_files_when_csv_export_then_bad_rows_dropped_and_counted(
    store: Store, tmp_path: Path
) -> None:
    day = date(2024, 5, 21)
    path = tmp_path / "trades.csv"
    pd.DataFrame(
        {
            "ts": [
                ny_to_ns(day, time(10, 0)),
                ny_to_ns(day, time(10, 1)),
                ny_to_ns(day, time(10, 2)),
            ],
            "price": ["5000.25", "5000.30", "5000.50"],
            "size": ["2", "1", "3"],
            "side": ["B", "A", "A"],
        }
    ).to_csv(path, index=False)

    report = import_files(store, path, contract="ESM24", progress=False)

    assert report.days[["rth_volume", "poc"]].iloc[0].tolist() == [5, 5000.50]
    assert "off_grid 1" in report.notes[0]


def test_import_files_when_csv_without_contract_then_refused(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "trades.csv"
    path.write_text("ts,price,size,side\n1,1.0,1,B\n")

    with pytest.raises(DataError, match="needs contract="):
        import_files(store, path, progress=False)


def test_import_files_when_path_missing_then_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file or folder"):
        import_files(store, tmp_path / "absent.dbn.zst", progress=False)


def test_detect_kind_when_unknown_extension_then_refused(tmp_path: Path) -> None:
    assert detect_kind(tmp_path / "a.dbn.zst") == "dbn"
    assert detect_kind(tmp_path / "20131007_trade.zip") == "lean"
    assert detect_kind(tmp_path / "x.parquet") == "parquet"
    with pytest.raises(DataError, match="cannot tell the data kind"):
        detect_kind(tmp_path / "notes.txt")


def test_import_synthetic_when_run_twice_then_same_days_stored_once(store: Store) -> None:
    first = import_synthetic(
        store, date(2024, 5, 20), date(2024, 5, 21), scale=0.01, progress=False
    )
    again = import_synthetic(
        store, date(2024, 5, 20), date(2024, 5, 21), scale=0.01, progress=False
    )

    assert list(first.days["trade_date"]) == [date(2024, 5, 20), date(2024, 5, 21)]
    assert set(first.days["contract"]) == {"ESM24"}
    assert (first.changed, again.changed, again.saved) == (6, 0, 6)
    assert len(stored_days(store, "ESM24", "synthetic")) == 6
