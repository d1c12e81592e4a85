"""`orderflow backtest` prints its per-day table and totals in words, never the engine's codes."""

import re
from datetime import date

from orderflow_lib.cli.backtest import day_table, totals_text
from orderflow_lib.research.backtest import DayResult, backtest_totals
from orderflow_lib.ui.wording import GRADES, REGIMES, SKIPS


def _day(trade_date: date, regime: str, bias: str) -> DayResult:
    return DayResult(
        trade_date=trade_date,
        regime=regime,
        bias=bias,
        grades={g: 1 for g in GRADES},
        entries=0,
        skips={s: 2 for s in SKIPS},
        trips=[],
        signals=[],
        statuses=[],
        orders=[],
        events=10,
        seconds=0.1,
    )


def test_day_table_and_totals_when_every_code_occurs_then_only_words_printed():
    results = [
        _day(date(2026, 11, 2 + n), regime, bias)
        for n, (regime, bias) in enumerate(
            zip(REGIMES, ["BULLISH", "BEARISH", "NEUTRAL", "BULLISH", "BEARISH"], strict=True)
        )
    ]

    printed = day_table(results) + "\n" + totals_text(backtest_totals(results))

    assert "Breakout brewing" in printed and "sellers" in printed
    assert "never triggered" in printed and "score too low" in printed
    for code in [*REGIMES, *GRADES, *SKIPS, "BULLISH", "BEARISH", "NEUTRAL"]:
        assert not re.search(rf"\b{code}\b", printed), code
