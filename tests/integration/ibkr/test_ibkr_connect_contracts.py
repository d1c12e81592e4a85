"""The real ib_async client against the FakeGateway: connect (server versions 176 and 178) and
qualify the ES/MES front months with the roll rule."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from ib_async import Future
from ibkr_support import STEP_S, TODAY, settings_for

from orderflow_lib.adapters.ibkr import (
    ConnectionState,
    ContractError,
    IbConnection,
    IbkrConnectionError,
    resolve_front_month,
)
from orderflow_lib.adapters.ibkr.contracts import qualify_one
from orderflow_lib.core.config import IbSettings
from orderflow_lib.testing import FakeGateway, FakeGatewayError, GatewayScenario


@pytest.mark.parametrize("server_version", [176, 178])
async def test_connect_when_gateway_speaks_version_then_connected_with_paper_account(
    server_version: int,
) -> None:
    async with FakeGateway(port=0, today=TODAY, max_server_version=server_version) as gw:
        conn = IbConnection(settings_for(gw))
        await asyncio.wait_for(conn.connect(), STEP_S)
        try:
            assert conn.state == ConnectionState.CONNECTED
            assert conn.ib.client.serverVersion() == server_version
            assert conn.account == "DU1234567"
        finally:
            await asyncio.wait_for(conn.close(), STEP_S)
        assert conn.state == ConnectionState.CLOSED


async def test_connect_when_nothing_listens_then_connection_error() -> None:
    async with FakeGateway(port=0) as gw:
        port = gw.port
    conn = IbConnection(IbSettings(port=port, connect_timeout_s=1.0))
    with pytest.raises(IbkrConnectionError, match=f"127.0.0.1:{port}"):
        await asyncio.wait_for(conn.connect(), STEP_S)
    assert conn.state == ConnectionState.DISCONNECTED


async def test_connect_when_client_id_in_use_then_connection_error(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    second = IbConnection(settings_for(gateway, client_id=17))
    with pytest.raises(IbkrConnectionError):
        await asyncio.wait_for(second.connect(), STEP_S)


def test_default_settings_when_unset_then_paper_gateway_port() -> None:
    assert IbConnection().settings.port == 4002


async def test_front_month_when_before_roll_date_then_es_and_mes_december(
    connection: IbConnection,
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    assert front.data_symbol == "ESZ6"
    assert front.order_symbol == "MESZ6"
    assert front.data_contract.secType == "FUT"
    assert front.data_contract.multiplier == "50"
    assert front.order_contract.multiplier == "5"
    assert front.roll_date == date(2026, 12, 10)
    assert not front.rolled_ahead_of_ib
    assert "roll date 2026-12-10" in front.describe()


async def test_front_month_when_on_roll_date_then_next_quarter_ahead_of_ib(
    connection: IbConnection,
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, date(2026, 12, 10)), STEP_S)
    assert (front.data_symbol, front.order_symbol) == ("ESH7", "MESH7")
    assert front.ib_front_local_symbol == "ESZ6"
    assert front.rolled_ahead_of_ib
    assert front.roll_date == date(2027, 3, 11)
    assert "rolled ahead of IB's front month ESZ6" in front.describe()


async def test_qualify_when_future_has_no_expiry_then_ambiguous_contract_error(
    connection: IbConnection,
) -> None:
    with pytest.raises(ContractError, match="could not qualify"):
        await asyncio.wait_for(qualify_one(connection.ib, Future("ES", exchange="CME")), STEP_S)


async def test_qualify_when_unknown_symbol_then_contract_error(connection: IbConnection) -> None:
    with pytest.raises(ContractError):
        await asyncio.wait_for(qualify_one(connection.ib, Future("NQ", "202612", "CME")), STEP_S)


async def test_strict_gateway_when_client_sends_unhandled_request_then_stop_fails() -> None:
    gw = FakeGateway(port=0, today=TODAY, scenario=GatewayScenario(strict=True))
    await gw.start()
    conn = IbConnection(settings_for(gw))
    await asyncio.wait_for(conn.connect(), STEP_S)
    conn.ib.reqNewsBulletins(allMessages=True)
    await gw.wait_for(lambda: bool(gw.ctx.unknown_messages))
    await asyncio.wait_for(conn.close(), STEP_S)

    with pytest.raises(FakeGatewayError, match=r"\[12\]"):
        await asyncio.wait_for(gw.stop(), STEP_S)


async def test_drop_after_messages_when_limit_reached_then_client_sees_disconnect() -> None:
    async with FakeGateway(
        port=0, today=TODAY, scenario=GatewayScenario(drop_after_messages=3)
    ) as gw:
        conn = IbConnection(settings_for(gw))
        with pytest.raises(IbkrConnectionError):
            await asyncio.wait_for(conn.connect(), STEP_S)
