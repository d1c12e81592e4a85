"""The launcher `orderflow demo` uses: Voila up while the node runs, gone when it stops."""

import asyncio
import socket

import httpx
import pytest
from dashboard_pages import free_port

from orderflow_lib.ui.serve import dashboard_launcher

pytestmark = pytest.mark.slow


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def test_dashboard_launcher_when_entered_then_page_renders_and_exit_stops_voila(
    tmp_path,
):
    port = free_port()
    launch = dashboard_launcher(port, log_path=tmp_path / "voila.log", preheat=False)
    async with launch("http://127.0.0.1:9") as urls:
        url = urls[0]
        assert urls == [
            f"http://127.0.0.1:{port}/voila/render/command_center.ipynb",
            f"http://127.0.0.1:{port}/voila/render/classic.ipynb",
        ]
        page = await asyncio.to_thread(httpx.get, url, timeout=60)
        assert page.status_code == 200
        assert "application/vnd.jupyter.widget-view+json" in page.text
        assert page.text.count('"output_type": "display_data"') == 2
        assert '"output_type": "error"' not in page.text
    assert not _listening(port)
