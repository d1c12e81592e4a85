"""Every analyst notebook executed by papermill on small real data or the synthetic market, then
its executed copy checked by nbval; a notebook that raises fails the suite.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3
extracts published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import nbformat
import pytest
from notebook_support import (
    ESH4_MBO,
    KERNEL,
    LEAN_MINUTE,
    execute,
    nbval,
    need,
    stream_text,
)

from orderflow_lib.research import import_files, open_research_store
from orderflow_lib.research.premarket import run_premarket_notebook

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lean_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the Lean ES 2013 sessions as daily profiles."""
    need(LEAN_MINUTE)
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'research.sqlite'}"
    with open_research_store(url) as store:
        import_files(store, LEAN_MINUTE, progress=False)
    return url


def test_notebooks_when_stored_then_have_no_outputs_and_one_parameters_cell() -> None:
    for path in sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb")):
        book = nbformat.read(path, as_version=4)
        code = [c for c in book.cells if c.cell_type == "code"]
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]

        assert len(tagged) == 1, path.name
        assert all(not c.outputs and c.execution_count is None for c in code), path.name


@pytest.mark.realdata
def test_01_backfill_when_lean_and_dbn_files_then_imports_and_revalidates(tmp_path: Path) -> None:
    paths = [str(need(LEAN_MINUTE)), str(need(ESH4_MBO))]
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"

    executed = execute("01_backfill.ipynb", tmp_path / "run", {"store_url": url, "paths": paths})

    text = stream_text(executed)
    assert "2013-10-14" in text and "ESZ13" in text
    assert "2023-12-26" in text and "ESH24" in text
    nbval(executed)


def test_01_backfill_when_ib_fake_gateway_then_backfills_seven_days(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    parameters = {
        "store_url": url,
        "mode": "ib",
        "source": "live",
        "ib_fake": True,
        "ib_days": 3,
        "ib_last_trade_date": "2026-11-20",
    }

    executed = execute("01_backfill.ipynb", tmp_path / "run", parameters)

    text = stream_text(executed)
    assert "ESZ26" in text and "2026-11-18" in text and "2026-11-20" in text
    nbval(executed)


@pytest.mark.realdata
def test_02_cva_rebuild_when_lean_sessions_stored_then_composites_and_migration(
    lean_store: str, tmp_path: Path
) -> None:
    executed = execute("02_cva_rebuild.ipynb", tmp_path, {"store_url": lean_store})

    text = stream_text(executed)
    assert re.search(r"2013-10-14 2013-10-07 2013-10-11 +5 ", text)
    assert "HIGHER" in text
    nbval(executed)


@pytest.mark.realdata
def test_03_premarket_when_run_headless_then_keeps_notebook_and_html(
    lean_store: str, tmp_path: Path
) -> None:
    executed, html = run_premarket_notebook(
        "2013-10-14",
        str(need(LEAN_MINUTE)),
        tmp_path / "premarket",
        store_url=lean_store,
        kernel_name=KERNEL,
    )

    assert executed.name == "premarket_2013-10-14.ipynb" and html.suffix == ".html"
    assert "TREND_UP, BULLISH" in stream_text(executed)
    assert "Pre-market plan" in html.read_text(encoding="utf-8")
    with open_research_store(lean_store) as store:
        assert store.plans.plan(date(2013, 10, 14), "ESZ13", "replay")
    nbval(executed)


@pytest.mark.realdata
def test_04_review_when_plans_built_then_grades_and_hit_rates(
    lean_store: str, tmp_path: Path
) -> None:
    parameters = {
        "store_url": lean_store,
        "source": str(need(LEAN_MINUTE)),
        "start": "2013-10-11",
        "end": "2013-10-14",
    }

    executed = execute("04_hypothesis_review.ipynb", tmp_path, parameters)

    text = stream_text(executed)
    assert "never triggered" in text and "NO_TRIGGER" not in text
    assert "hit_rate" in text and "win_rate" in text
    nbval(executed)


@pytest.mark.realdata
def test_05_signal_research_when_dbn_trades_and_lean_plans_then_reports(tmp_path: Path) -> None:
    parameters = {
        "data": str(need(ESH4_MBO)),
        "days": ["2023-12-26"],
        "bar": "1min",
        "strategy_data": str(need(LEAN_MINUTE)),
        "strategy_days": ["2013-10-14"],
    }

    executed = execute("05_signal_research.ipynb", tmp_path, parameters)

    text = stream_text(executed)
    assert "FP_UNFINISHED_LOW" in text and "ABOVE_VALUE" in text
    assert "TREND_UP" in text and "pnl_gbp" in text
    nbval(executed)


def test_05_signal_research_when_synthetic_market_then_reports(tmp_path: Path) -> None:
    parameters = {"data": "synthetic", "days": ["2024-05-21"], "scale": 0.01, "bar": "1min"}

    executed = execute("05_signal_research.ipynb", tmp_path, parameters)

    assert "signals on 1 days" in stream_text(executed)
    nbval(executed)
