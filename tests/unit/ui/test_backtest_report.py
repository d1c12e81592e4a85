"""The backtest report: its column dicts, its words and one HTML file that opens offline."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from orderflow_lib.research.backtest import DayResult, backtest_totals
from orderflow_lib.ui.backtest_report import (
    EQUITY_BY_DAY,
    EQUITY_BY_TRADE,
    HIT_BY_KIND,
    HIT_BY_REGIME,
    R_DISTRIBUTION,
    UNKNOWN,
    day_regime,
    day_table_html,
    equity_by_day_columns,
    equity_by_trade_columns,
    header_html,
    hit_rate_columns,
    r_histogram_columns,
    scenario_kind,
    write_backtest_report,
)
from orderflow_lib.ui.wording import GRADES, REGIMES, SETUP_KINDS, SKIPS


def trip(scenario_id: str, pnl_gbp: float | None, r_multiple: float | None) -> dict[str, Any]:
    """A closed round trip as DayResult carries it (only the fields the report reads matter)."""
    return {
        "signal_id": f"synthetic:20261102:{scenario_id}",
        "scenario_id": scenario_id,
        "direction": 1,
        "quantity": 1,
        "entry_ticks": 20000.0,
        "stop_ticks": 19992,
        "exit_ticks": 20010.0,
        "entry_ts_ns": 1,
        "exit_ts_ns": 2,
        "exit": "target",
        "r_multiple": r_multiple,
        "pnl_usd": None if pnl_gbp is None else pnl_gbp / 0.79,
        "pnl_gbp": pnl_gbp,
    }


def day(
    trade_date: date,
    trips: list[dict[str, Any]],
    *,
    regime: str | None = "BALANCE",
    kinds: dict[str, str] | None = None,
) -> DayResult:
    """One day's result with the given round trips."""
    return DayResult(
        trade_date=trade_date,
        regime=regime,
        bias=None if regime is None else "NEUTRAL",
        grades={"WIN": 1} if trips else {},
        entries=len(trips),
        skips={"SCORE": 2},
        trips=trips,
        signals=[],
        statuses=[],
        orders=[],
        events=1000,
        seconds=0.1,
        kinds={"S1": "RTV", "S2": "BVP"} if kinds is None else kinds,
    )


RESULTS = [
    day(date(2026, 11, 2), [trip("S1", 20.0, 2.0), trip("S2", -8.0, -1.0)]),
    day(date(2026, 11, 3), [], regime=None),
    day(date(2026, 11, 4), [trip("S1", -7.9, -1.14), trip("S3", 30.0, 3.0)], regime="TREND_UP"),
]


class _Tags(HTMLParser):
    """The script and link tags of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_chars = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link"):
            self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_chars += len(data)


def test_equity_by_trade_columns_start_at_zero_and_run_through_every_trade() -> None:
    columns = equity_by_trade_columns(RESULTS)

    assert columns["trade"] == [0, 1, 2, 3, 4]
    assert columns["day"] == ["start", "2026-11-02", "2026-11-02", "2026-11-04", "2026-11-04"]
    assert columns["scenario"] == [
        "-",
        "S1: return to value (long)",
        "S2: buy the pullback",
        "S1: return to value (long)",
        "S3",
    ]
    assert columns["equity"] == pytest.approx([0.0, 20.0, 12.0, 4.1, 34.1])


def test_equity_by_day_columns_when_a_day_has_no_trades_then_it_is_flat() -> None:
    columns = equity_by_day_columns(RESULTS)

    assert columns["day"] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert columns["pnl"] == pytest.approx([12.0, 0.0, 22.1])
    assert columns["equity"] == pytest.approx([12.0, 12.0, 34.1])


def test_r_histogram_columns_count_each_trade_in_its_half_r_bin() -> None:
    columns = r_histogram_columns(RESULTS)

    bins = dict(zip(columns["left"], columns["trades"], strict=True))
    assert columns["left"][0] == -1.5 and columns["right"][-1] == 3.5
    assert sum(columns["trades"]) == 4
    assert (bins[-1.5], bins[-1.0], bins[2.0], bins[3.0]) == (1, 1, 1, 1)
    assert columns["colour"][0] != columns["colour"][-1]


def test_r_histogram_columns_when_no_trade_has_an_r_then_empty() -> None:
    results = [day(date(2026, 11, 2), [trip("S1", 5.0, None)])]

    assert r_histogram_columns(results)["trades"] == []


def test_hit_rate_by_scenario_kind_when_scenario_kind_unknown_then_grouped_as_unknown() -> None:
    columns = hit_rate_columns(RESULTS, scenario_kind)

    assert columns["group"] == ["pullback after a breakout", "return to value", UNKNOWN]
    assert columns["trades"] == [1, 2, 1]
    assert columns["wins"] == [0, 1, 1]
    assert columns["rate"] == [0.0, 0.5, 1.0]
    assert columns["label"] == ["0 of 1", "1 of 2", "1 of 1"]


def test_hit_rate_by_regime_counts_the_trades_of_each_days_regime() -> None:
    columns = hit_rate_columns(RESULTS, day_regime)

    assert columns["group"] == ["Balanced, range-bound", "Trending up"]
    assert columns["rate"] == [0.5, 0.5]


def test_header_html_states_the_totals_in_words() -> None:
    text = header_html(RESULTS, backtest_totals(RESULTS))

    assert "Backtest: 2026-11-02 to 2026-11-04" in text
    assert "3 days, 4 trades: 2 won, 2 lost (win rate 50%)" in text
    assert "P&amp;L £34.10" in text
    assert "Scenarios by grade: 2 won." in text
    assert "Entries skipped by reason: 6 score too low." in text
    assert "No trades" not in text


def test_day_table_html_has_one_row_a_day_and_escapes_text() -> None:
    odd = day(date(2026, 11, 5), [], regime="<b>")

    table = day_table_html([*RESULTS, odd])

    assert table.count("<tr>") == 1 + 4
    assert "&lt;b&gt;" in table and "<b>" not in table
    assert "£12.00" in table and "£22.10" in table


def test_write_backtest_report_writes_one_self_contained_page_with_charts_and_totals(
    tmp_path: Path,
) -> None:
    target = tmp_path / "backtests" / "run" / "report.html"

    written = write_backtest_report(RESULTS, backtest_totals(RESULTS), target)

    page = written.read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    assert written == target
    assert [a for t, a in tags.tags if t == "script" and "src" in a] == []
    assert [a for t, a in tags.tags if t == "link" and "href" in a] == []
    assert tags.script_chars > 500_000
    for title in (EQUITY_BY_TRADE, EQUITY_BY_DAY, R_DISTRIBUTION, HIT_BY_KIND, HIT_BY_REGIME):
        assert title.replace("&", "&amp;") in page
    assert "4 trades: 2 won, 2 lost" in page
    assert "<td>2026-11-03</td>" in page


def test_write_backtest_report_when_no_trades_then_a_valid_page_says_so(tmp_path: Path) -> None:
    quiet = [day(date(2026, 11, 2), [])]

    written = write_backtest_report(quiet, backtest_totals(quiet), tmp_path / "empty.html")

    page = written.read_text(encoding="utf-8")
    assert page.lstrip().startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "No trades in this run" in page
    assert "1 day, 0 trades" in page
    assert "Backtest: 2026-11-02 to 2026-11-02" in page


CODES = [
    *REGIMES,
    *SETUP_KINDS,
    *GRADES,
    *SKIPS,
    "BULLISH",
    "BEARISH",
    "NEUTRAL",
]


class _Visible(HTMLParser):
    """What a reader sees of a page (text outside scripts and styles) and the Bokeh documents'
    JSON (the charts' labels and hover text)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.docs: list[str] = []
        self._in: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is None:
            self.text.append(data)
        elif self._in[1].get("type") == "application/json":
            self.docs.append(data)


def _every_code_day(trade_date: date, regime: str, bias: str, kinds: dict[str, str]) -> DayResult:
    trips = [trip(s, 10.0 if n % 2 else -5.0, 1.0) for n, s in enumerate(kinds)]
    return DayResult(
        trade_date=trade_date,
        regime=regime,
        bias=bias,
        grades={g: 1 for g in GRADES},
        entries=len(trips),
        skips={s: 1 for s in SKIPS},
        trips=trips,
        signals=[],
        statuses=[],
        orders=[],
        events=1000,
        seconds=0.1,
        kinds=kinds,
    )


def test_write_backtest_report_when_every_code_occurs_then_none_is_shown_raw(
    tmp_path: Path,
) -> None:
    kinds = {f"S{n}": kind for n, kind in enumerate(SETUP_KINDS, start=1)}
    results = [
        _every_code_day(date(2026, 11, 2 + n), regime, bias, kinds)
        for n, (regime, bias) in enumerate(
            zip(REGIMES, ["BULLISH", "BEARISH", "NEUTRAL", "BULLISH", "BEARISH"], strict=True)
        )
    ]

    page = write_backtest_report(results, backtest_totals(results), tmp_path / "r.html")

    seen = _Visible()
    seen.feed(page.read_text(encoding="utf-8"))
    text = " ".join(seen.text)
    docs = " ".join(seen.docs)
    assert "Trending up" in text and "80% rule" in docs and "never triggered" in text
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), code
        assert f'"{code}"' not in docs, code
