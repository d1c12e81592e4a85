"""Shared constants and helpers of the IB integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

from orderflow_lib.core.config import IbSettings
from orderflow_lib.testing import FakeGateway

TODAY = date(2026, 11, 23)
STEP_S = 5.0


def settings_for(gw: FakeGateway, client_id: int = 17) -> IbSettings:
    """IB settings pointing at the fake gateway."""
    return IbSettings(host="127.0.0.1", port=gw.port, client_id=client_id, connect_timeout_s=2.0)


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Wait until `condition()` holds; TimeoutError after `timeout` seconds."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)
