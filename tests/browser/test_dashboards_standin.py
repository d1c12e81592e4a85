"""Command Center against a stand-in node whose market the test steers: a provoked signal, a regime
change, an active fence lifted by key, and the node going away and coming back.

Voila runs without preheated kernels here (the path where a kernel starts per page request). One
page is shared by the tests in file order (a Voila page costs a kernel and a few seconds).
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from dashboard_pages import LAST_PRICE, free_port, open_dashboard, voila_serving, wait_until
from standin_node import KEY, StandinNode

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def node() -> Iterator[StandinNode]:
    standin = StandinNode(free_port(), rate=200.0).start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def page(browser, node: StandinNode, artifacts: Path) -> Iterator[object]:
    with voila_serving(node.url, artifacts / "voila-standin.log", preheat=False) as voila:
        opened = open_dashboard(browser, f"{voila}/voila/render/command_center.ipynb")
        yield opened
        opened.close()


def test_command_center_when_node_changes_regime_then_plan_panel_follows(page, node: StandinNode):
    httpx.post(f"{node.url}/test/regime", params={"regime": "TREND_DOWN"}).raise_for_status()
    page.wait_for_selector(".of-hypothesis :text('Trending down')", timeout=10_000)


def test_command_center_when_test_provokes_signal_then_signal_panel_shows_it(
    page, node: StandinNode
):
    signal = httpx.post(
        f"{node.url}/test/signal", params={"kind": "EXHAUSTION_HIGH", "direction": -1}
    ).json()
    row = page.wait_for_selector(
        f".of-signals [data-signal-id='{signal['id']}'][data-kind='EXHAUSTION_HIGH']",
        timeout=10_000,
    )
    assert row is not None
    assert f"{signal['price']:.2f}" in row.inner_text()
    assert row.get_attribute("data-direction") == "SELL"
    assert "buyers exhausted" in row.inner_text() and "EXHAUSTION" not in row.inner_text()


def test_command_center_when_fence_active_then_wrong_key_refused_right_key_lifts_it(page):
    gate = page.locator(".of-gate [data-gate-state]")
    assert gate.get_attribute("data-fence-active") == "true"
    assert "Fence on" in page.locator(".of-gate").inner_text()
    page.fill(".of-key input", "not-the-key")
    page.click("button.of-cmd-fence")
    page.wait_for_selector(".of-command-answer [data-state='refused']", timeout=10_000)
    answer = page.locator(".of-command-answer").inner_text()
    assert answer.strip() == "Wrong key" and "401" not in answer and "x-safety" not in answer
    page.fill(".of-key input", KEY)
    page.click("button.of-cmd-fence")
    page.wait_for_selector(".of-command-answer [data-state='ok']", timeout=10_000)
    assert page.locator(".of-command-answer").inner_text().strip() == "Fence lifted"
    page.wait_for_selector(
        ".of-gate [data-gate-state='ACTIVE'][data-fence-active='false']", timeout=10_000
    )
    page.click("button.of-cmd-fence")
    page.wait_for_function(
        "document.querySelector('.of-command-answer').innerText.includes('already off')",
        timeout=10_000,
    )


def test_command_center_screenshot_when_steered_market_then_saved(page, artifacts: Path):
    path = artifacts / "command_center_standin.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000


def test_command_center_when_node_goes_away_then_says_so_and_reconnects(page, node: StandinNode):
    node.stop()
    try:
        banner = page.wait_for_selector(".of-banner-box [data-connected='false']", timeout=15_000)
        assert banner is not None
        text = banner.inner_text()
        assert "No node is running" in text and "make demo" in text and "orderflow run" in text
        assert (
            page.locator(".of-header [data-connection='node']").get_attribute("data-status")
            == "lost"
        )
    finally:
        node.restart()
    page.wait_for_selector(
        ".of-banner-box [data-connected='true']", state="attached", timeout=15_000
    )
    before = page.locator(LAST_PRICE).get_attribute("data-volume")
    assert wait_until(page, lambda: page.locator(LAST_PRICE).get_attribute("data-volume") != before)
