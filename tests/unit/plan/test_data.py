"""Data sources for the plan: Lean minute folders and Databento DBN files, windows and refusals.

Data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3 extracts
published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.core.errors import DataError
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.plan import build_plan_from_source, load_market_data, review_from_source
from orderflow_lib.plan.data import MarketData

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def test_market_data_when_neither_or_both_arrays_then_refused():
    with pytest.raises(ValueError, match="exactly one"):
        MarketData("ESH24", "x")


def test_market_data_when_trades_windowed_then_prints_ranges_and_profile_agree():
    trades = np.array([(10, 100, 2, 1), (20, 104, 1, -1), (30, 102, 3, 1)], dtype=TRADE_DTYPE)
    data = MarketData("ESH24", "test", trades=trades)
    part = data.window(15, 40)
    assert len(part) == 2 and part.span() == (20, 30)
    assert part.prints()["price_ticks"].tolist() == [104, 102]
    _, lows, highs = data.ranges(None, 25)
    assert lows.tolist() == highs.tolist() == [100, 104]
    assert data.volume_profile(0, 100).total == 6


def test_load_market_data_when_path_missing_then_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_market_data(tmp_path / "nope", dt.date(2024, 3, 5))


def test_load_market_data_when_folder_has_no_known_files_then_data_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataError, match="expected a Lean minute folder"):
        load_market_data(tmp_path, dt.date(2024, 3, 5))


@pytest.mark.realdata
def test_load_market_data_when_lean_folder_then_lead_contract_bars():
    data = load_market_data(_need(SHARED / "lean-es-2013"), dt.date(2013, 10, 14))
    assert (data.contract, data.kind) == ("ESZ13", "bars")
    assert len(data) > 6 * 390


@pytest.mark.realdata
def test_plan_from_dbn_when_no_prior_session_then_unknown_levels_only_with_notes():
    source = _need(SHARED / "databento-es-mbo")
    plan = build_plan_from_source(dt.date(2023, 12, 26), source)
    assert (plan.contract, plan.regime, plan.scenarios) == ("ESH24", "UNKNOWN", ())
    assert any("no data for the prior session 2023-12-22" in n for n in plan.notes)
    assert plan.last_price_tick is not None
    with pytest.raises(DataError, match="no RTH data"):
        review_from_source(dt.date(2023, 12, 26), source)


@pytest.mark.realdata
def test_load_market_data_when_dbn_file_of_another_contract_then_data_error():
    source = _need(SHARED / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst")
    with pytest.raises(DataError, match="no DBN trades of ESM24"):
        load_market_data(source, dt.date(2024, 3, 20))
