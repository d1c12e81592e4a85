"""Both dashboards against the real node on the synthetic market (from the overnight open at 60x;
a later start would first fast-forward the night, which takes a minute here), served by Voila
with preheated kernels: every panel renders, values move, the regime light shows the node's regime, the fence
control refuses a wrong key and accepts the right one, the classic charts fill, and a closed
page's kernel is shut down. Screenshots go to tests/browser/artifacts/.

One page per dashboard is shared by the tests of its group, in file order.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from dashboard_pages import LAST_PRICE, open_dashboard, source_total, voila_serving, wait_until
from real_node import KEY, RealNode

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def node(tmp_path_factory) -> Iterator[RealNode]:
    real = RealNode(tmp_path_factory.mktemp("node"), speed=60.0).start()
    yield real
    real.stop()


@pytest.fixture(scope="module")
def voila(node: RealNode, artifacts: Path) -> Iterator[str]:
    with voila_serving(node.url, artifacts / "voila-node.log", preheat=True) as url:
        yield url


@pytest.fixture(scope="module")
def command_center(browser, voila: str) -> Iterator[object]:
    page = open_dashboard(browser, f"{voila}/voila/render/command_center.ipynb")
    yield page
    page.close()


@pytest.fixture(scope="module")
def classic(browser, voila: str) -> Iterator[object]:
    page = open_dashboard(browser, f"{voila}/voila/render/classic.ipynb")
    yield page
    page.close()


def test_command_center_when_opened_then_every_panel_renders(command_center):
    for selector in (
        ".of-hypothesis [data-panel='hypothesis']",
        ".of-position [data-position]",
        ".of-pressure [data-gauge='tape']",
        ".of-pressure [data-gauge='cd_strength']",
        ".of-value-ladder-chart canvas",
        ".of-signals [data-panel='signals']",
        ".of-header [data-connection='paper broker']",
        ".of-header [data-connection='synthetic market']",
        ".of-header [data-connection='node'][data-status='connected']",
        ".of-gate [data-gate-state]",
        ".of-key input",
        "button.of-cmd-fence",
        "button.of-cmd-flatten",
        "button.of-cmd-halt",
    ):
        assert command_center.locator(selector).first.is_visible(), selector


def test_command_center_when_market_trades_then_last_price_and_profile_change(command_center):
    page = command_center
    header = page.locator(LAST_PRICE)
    last, volume = header.get_attribute("data-last"), header.get_attribute("data-volume")
    profile = source_total(page, "profile", "volume") or 0
    assert wait_until(page, lambda: header.get_attribute("data-last") != last, timeout_s=20)
    assert wait_until(page, lambda: (source_total(page, "profile", "volume") or 0) > profile)
    assert int(header.get_attribute("data-volume") or 0) > int(volume or 0)


def test_command_center_when_synthetic_with_paper_broker_then_ib_never_claimed(command_center):
    lights = command_center.locator(".of-header .of-lights").inner_text()
    assert "paper broker" in lights and "synthetic market" in lights
    assert "IB" not in lights


def test_command_center_when_node_signals_then_signal_panel_lists_them(
    command_center, node: RealNode
):
    page = command_center

    def shown_ids_are_the_nodes() -> bool:
        shown = set(
            page.eval_on_selector_all(
                ".of-signals [data-signal-id]", "rows => rows.map(r => r.dataset.signalId)"
            )
        )
        recent = {s["id"] for s in httpx.get(f"{node.url}/api/state").json()["snapshot"]["signals"]}
        return bool(shown & recent)

    assert wait_until(page, shown_ids_are_the_nodes, timeout_s=20)


def test_command_center_when_wrong_key_then_refused_and_right_key_accepted(command_center):
    page = command_center
    page.fill(".of-key input", "wrong-key")
    page.click("button.of-cmd-fence")
    page.wait_for_selector(".of-command-answer [data-state='refused']", timeout=10_000)
    assert page.locator(".of-command-answer").inner_text().strip() == "Wrong key"
    page.fill(".of-key input", KEY)
    page.click("button.of-cmd-fence")
    page.wait_for_selector(".of-command-answer [data-state='ok']", timeout=10_000)
    answer = page.locator(".of-command-answer").inner_text().strip()
    assert answer in ("Fence lifted", "The fence was already off")
    page.wait_for_selector(".of-gate [data-fence-active='false']", timeout=10_000)
    assert page.locator(".of-key-held").is_visible()


def test_classic_when_opened_then_tape_charts_profile_and_dom_render(classic):
    page = classic
    for selector in (
        ".of-tape [data-side]",
        ".of-classic-charts canvas",
        ".of-classic-profile canvas",
        ".of-dom [data-book='bid']",
        ".of-dom [data-book='ask']",
    ):
        assert page.locator(selector).first.is_visible(), selector
    assert wait_until(page, lambda: (source_total(page, "candles", "volume") or 0) > 0)
    assert wait_until(page, lambda: (source_total(page, "footprint", "bid_volume") or 0) > 0)
    assert wait_until(page, lambda: (source_total(page, "profile", "volume") or 0) > 0)
    candles = source_total(page, "candles", "volume") or 0
    assert wait_until(page, lambda: (source_total(page, "candles", "volume") or 0) > candles)


def test_kernel_when_page_left_then_shut_down(browser, voila: str):
    page = open_dashboard(browser, f"{voila}/voila/render/command_center.ipynb")
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    kernel_url = f"{voila}/api/kernels/{kernel_id}"
    model = httpx.get(kernel_url).json()
    assert model["id"] == kernel_id and model["connections"] >= 1
    page.goto("about:blank")
    left = time.monotonic()
    assert wait_until(page, lambda: httpx.get(kernel_url).status_code == 404, timeout_s=10)
    print(f"kernel shut down {time.monotonic() - left:.1f} s after the page was left")
    page.close()


def test_command_center_screenshot_when_live_then_saved(
    command_center, node: RealNode, artifacts: Path
):
    command_center.wait_for_timeout(1000)
    path = artifacts / "command_center.png"
    command_center.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000


def test_classic_screenshot_when_live_then_saved(classic, node: RealNode, artifacts: Path):
    classic.wait_for_timeout(1000)
    path = artifacts / "classic.png"
    classic.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
