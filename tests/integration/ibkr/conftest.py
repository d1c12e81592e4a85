"""Fixtures: a FakeGateway on a free port per test, and an IbConnection to it (real ib_async)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ibkr_support import STEP_S, TODAY, settings_for

from orderflow_lib.adapters.ibkr import IbConnection
from orderflow_lib.testing import FakeGateway


@pytest.fixture
async def gateway() -> AsyncIterator[FakeGateway]:
    async with FakeGateway(port=0, today=TODAY) as gw:
        yield gw


@pytest.fixture
async def connection(gateway: FakeGateway) -> AsyncIterator[IbConnection]:
    conn = IbConnection(settings_for(gateway), backoff_s=(0.05, 0.1))
    await asyncio.wait_for(conn.connect(), STEP_S)
    yield conn
    await asyncio.wait_for(conn.close(), STEP_S)
