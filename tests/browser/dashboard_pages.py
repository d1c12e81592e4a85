"""Helpers for the browser tests: Voila on a free port, opening a dashboard, reading its charts."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from orderflow_lib.ui.serve import serve_dashboards, stop_dashboards, wait_until_listening

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST_VALUE_S = 30.0
LAST_PRICE = ".of-header [data-last]"

_SOURCE_TOTAL_JS = """() => {
  for (const doc of window.Bokeh ? window.Bokeh.documents : []) {
    const source = doc.get_model_by_name(%s);
    if (source) return Array.from(source.data[%s]).reduce((a, b) => a + b, 0);
  }
  return null;
}"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def voila_serving(node_url: str, log_path: Path, preheat: bool = True) -> Iterator[str]:
    """Voila serving dashboards/ against `node_url` on a free port; yields its base URL."""
    port = free_port()
    process = serve_dashboards(node_url, port=port, log_path=log_path, preheat=preheat)
    try:
        wait_until_listening(port, timeout_s=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_dashboards(process)


def open_dashboard(browser, url: str, viewport: dict[str, int] | None = None):
    """A fresh page on `url`, waited until the node's last price shows."""
    page = browser.new_page(viewport=viewport or {"width": 1500, "height": 1250})
    page.goto(url)
    page.wait_for_selector(f"{LAST_PRICE}:not([data-last='—'])", timeout=FIRST_VALUE_S * 1000)
    return page


def wait_until(page, predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Poll inside Playwright (so browser events flow) until `predicate` holds or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        page.wait_for_timeout(100)
    return bool(predicate())


def source_total(page, source: str, column: str) -> float | None:
    """Sum of a column of a named ColumnDataSource as the browser's BokehJS holds it."""
    return page.evaluate(_SOURCE_TOTAL_JS % (json.dumps(source), json.dumps(column)))
