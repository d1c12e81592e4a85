"""Browser-test fixtures: headless Debian Chromium and a folder for screenshots and logs.

Debian's Chromium only (`/usr/bin/chromium`; `make test` installs it with apt-get), never a
downloaded browser. Each test module starts its own node and Voila (see dashboard_pages.py).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_pages import CHROMIUM_ARGS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and logs of the browser tests."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright, per module: Playwright's sync API holds an
    event loop while it runs, which asyncio tests elsewhere in the session must not meet."""
    if not CHROMIUM.exists():
        pytest.skip(f"missing: {CHROMIUM} (apt-get install -y chromium; `make test` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
