"""`orderflow backtest` end to end: synthetic days on a 2-worker local Dask cluster, the per-day
table and totals printed, the HTML report written and the run stored; bad ranges refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow_lib.cli import main
from orderflow_lib.store import open_store

LEAN = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "lean-es-2013" / "minute"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ORDERFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'of.sqlite'}")
    return tmp_path


def test_backtest_when_synthetic_days_then_table_totals_report_and_stored_run(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["backtest", "--from", "2026-11-19", "--to", "2026-11-20", "--source", "synthetic"]
    assert main([*argv, "--scale", "0.02", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-19" in out and "2026-11-20" in out
    assert "win rate" in out and "maximum drawdown GBP" in out and "Sharpe over all 2 days" in out
    reports = list((data_dir / "backtests").glob("*.html"))
    assert len(reports) == 1 and "<html" in reports[0].read_text()[:2000].lower()
    assert (data_dir / "cache" / "synthetic").is_dir()
    store = open_store(f"sqlite:///{data_dir / 'of.sqlite'}")
    try:
        assert len(store.backtests.runs()) == 1
    finally:
        store.close()


def test_backtest_when_the_lean_week_then_the_days_it_holds(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not LEAN.exists():
        pytest.skip(f"real data missing: {LEAN}")
    argv = ["backtest", "--from", "2013-10-11", "--to", "2013-10-14", "--source", str(LEAN)]
    assert main([*argv, "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "2013-10-11" in out and "2013-10-14" in out and "2013-10-12" not in out


def test_backtest_when_the_range_is_reversed_or_empty_then_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["backtest", "--from", "2026-11-20", "--to", "2026-11-19", "--source", "synthetic"])
        == 2
    )
    assert "before --from" in capsys.readouterr().out
    assert (
        main(["backtest", "--from", "2026-11-21", "--to", "2026-11-22", "--source", "synthetic"])
        == 2
    )
    assert "no trade dates" in capsys.readouterr().out
