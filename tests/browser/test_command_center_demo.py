"""The demo as a trader starts it (`orderflow demo`, a real process), seen in Chromium within two
minutes: the plan and its scenarios, CVA and DVA on the ladder with no two labels overlapping, an
order with its stop and target and then a closed trade with its P&L, and a page that fits
1280x800 and 1920x1080 without cut panels or scroll bars, the ladder using the window's height
and Classic's charts its height and width.
Screenshots go to tests/browser/artifacts/.

One demo and one page are shared by the tests, in file order (the clock runs from the demo's start).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_pages import open_dashboard, source_total, wait_until
from demo_process import DemoProcess
from layout_checks import (
    CLASSIC_PANELS,
    PANELS,
    cut_elements,
    ladder_labels,
    overlapping,
    problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STORY_S = 120.0
LADDER_TEXTS_JS = """() => {
  for (const doc of window.Bokeh ? window.Bokeh.documents : []) {
    const source = doc.get_model_by_name('ladder-labels');
    if (source) {
      const out = {};
      source.data.name.forEach((n, i) => { out[n] = source.data.text[i]; });
      return out;
    }
  }
  return {};
}"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[DemoProcess]:
    process = DemoProcess(tmp_path_factory.mktemp("demo")).start()
    try:
        process.wait_for_addresses(60)
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def page(browser, demo: DemoProcess) -> Iterator[object]:
    opened = open_dashboard(browser, demo.pages[0], viewport={"width": 1280, "height": 800})
    yield opened
    opened.goto("about:blank")
    opened.close()


def _left_s(demo: DemoProcess) -> float:
    return max(1.0, STORY_S - demo.elapsed_s())


def test_plan_when_demo_opens_then_regime_bias_and_scenarios_in_words(page, demo: DemoProcess):
    page.wait_for_selector(".of-hypothesis .of-scenario", timeout=_left_s(demo) * 1000)
    plan = page.locator(".of-hypothesis")
    assert plan.is_visible()
    text = plan.inner_text()
    assert "Bias:" in text and "If " in text
    assert page.locator(".of-hypothesis .of-scenario").count() >= 1
    for code in ("BVP", "EIGHTY", "RTV", "ACCEPT_", "rule ", "spec §", "VEF"):
        assert code not in text, code


def test_ladder_when_live_then_cva_and_dva_labelled_on_screen(page, demo: DemoProcess):
    def marked() -> bool:
        texts = page.evaluate(LADDER_TEXTS_JS)
        return all(texts.get(n) for n in ("CVA VAH", "CVA VAL", "DVA VAH", "DVA VAL"))

    def missing() -> list[tuple[str, str]]:
        texts = page.evaluate(LADDER_TEXTS_JS)
        shown = {label["text"] for label in ladder_labels(page)}
        names = ("CVA VAH", "CVA POC", "CVA VAL", "DVA VAH", "DVA VAL", "VWAP")
        return [(name, texts.get(name, "")) for name in names if texts.get(name) not in shown]

    assert wait_until(page, marked, timeout_s=_left_s(demo))
    assert wait_until(page, lambda: not missing(), timeout_s=5), missing()


def test_ladder_when_watched_then_no_two_labels_overlap(page):
    for _ in range(5):
        labels = ladder_labels(page)
        assert len(labels) >= 8
        assert overlapping(labels) == []
        page.wait_for_timeout(1000)


def test_position_when_demo_trades_then_order_with_stop_and_target_shown(page, demo: DemoProcess):
    opened = page.locator(".of-position [data-position]:not([data-position='0'])")
    opened.wait_for(timeout=_left_s(demo) * 1000)
    assert opened.get_attribute("data-stop") not in ("—", None)
    assert opened.get_attribute("data-target") not in ("—", None)
    texts = page.evaluate(LADDER_TEXTS_JS)
    assert texts.get("ENTRY") and texts.get("STOP")
    print(f"order with stop and target on screen {demo.elapsed_s():.0f} s after the demo started")


def test_position_when_trade_closes_then_pnl_shown(page, demo: DemoProcess, artifacts: Path):
    closed = page.locator(".of-position tr[data-pnl-gbp]")
    closed.first.wait_for(timeout=_left_s(demo) * 1000)
    assert closed.first.get_attribute("data-pnl-gbp") != ""
    assert "£" in page.locator(".of-position").inner_text()
    print(f"closed trade with P&L on screen {demo.elapsed_s():.0f} s after the demo started")
    page.screenshot(path=str(artifacts / "command_center_demo_trade.png"))


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_command_center_when_sized_then_nothing_cut_and_no_scroll_bar(
    page, width: int, height: int, artifacts: Path
):
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(1500)
    found = cut_elements(page, PANELS)
    page.screenshot(path=str(artifacts / f"command_center_{width}x{height}.png"))
    assert problems(page) == []
    assert found["cut"] == [] and found["scroll"] == [False, False], found
    assert overlapping(ladder_labels(page)) == []
    ladder = page.locator(".of-value-ladder-chart").bounding_box()
    assert ladder is not None and height - (ladder["y"] + ladder["height"]) < 60, ladder
    signals = page.locator(".of-signals tr[data-signal-id]").count()
    assert signals == (9 if height == 800 else 13), signals


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_classic_when_sized_then_charts_filled_nothing_cut_and_no_scroll_bar(
    browser, demo: DemoProcess, width: int, height: int, artifacts: Path
):
    classic = open_dashboard(browser, demo.pages[1], viewport={"width": width, "height": height})
    try:
        assert wait_until(
            classic, lambda: (source_total(classic, "candles", "volume") or 0) > 0, timeout_s=2
        )
        classic.wait_for_timeout(1500)
        found = cut_elements(classic, CLASSIC_PANELS)
        classic.screenshot(path=str(artifacts / f"classic_{width}x{height}.png"))
        assert problems(classic) == []
        assert found["cut"] == [] and found["scroll"] == [False, False], found
        charts = classic.locator(".of-classic-charts").bounding_box()
        assert charts is not None and height - (charts["y"] + charts["height"]) < 60, charts
        assert charts["width"] >= 600 + 0.9 * (width - 1280), charts
        trades = classic.locator(".of-tape tr[data-side]").count()
        assert trades == (34 if height == 800 else 49), trades
    finally:
        classic.goto("about:blank")
        classic.close()
