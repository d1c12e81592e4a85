"""The install-time precompile runs the node's pipeline and a small synthetic day through the
whole trading loop, so every kernel a first demo or backtest calls is compiled and cached."""

from __future__ import annotations

from orderflow_lib.core.config import Settings
from orderflow_lib.research.precompile import REHEARSAL_DAY, precompile, rehearse_day


def test_rehearse_day_when_run_then_a_planned_day_with_signals_goes_through_the_loop():
    result = rehearse_day(Settings())

    assert result.trade_date == REHEARSAL_DAY
    assert result.regime is not None
    assert result.events > 10_000
    assert result.signals


def test_precompile_when_run_then_reports_its_seconds():
    assert precompile() > 0
