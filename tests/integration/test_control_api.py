"""The safety control API: authentication (constant-time key, 401 + security log, throttling),
validation (422), the four endpoints against a real manager and paper broker, and schemathesis
against the app's OpenAPI schema (no 5xx, no protected call accepted without the key)."""

import asyncio
from datetime import date, time

import httpx
import pytest
import schemathesis
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.timeconv import NS_PER_SECOND, ny_to_ns
from orderflow_lib.execution import PaperBroker, SafeBroker
from orderflow_lib.market.events import Quote
from orderflow_lib.node.control_api import AUTH_HEADER, create_control_app
from orderflow_lib.risk import InMemorySafetyStore, ProductionSafetyManager, TradingState

KEY = "control-api-test-key-0123456789abcdef"
NOW = ny_to_ns(date(2025, 6, 3), time(11, 0))
PROTECTED = {"/api/safety/config", "/api/safety/fence/deactivate", "/api/position/force-sync"}


async def _stack(**app_kwargs):
    clock = ReplayClock(NOW)
    store = InMemorySafetyStore()
    manager = await ProductionSafetyManager.create(store, RiskSettings(), clock, auth_key=KEY)
    paper = PaperBroker(clock)
    safe = SafeBroker(manager, paper)
    await safe.connect()
    paper.on_quote("MES", Quote(NOW, 24_000, 5, 24_001, 5))
    app = create_control_app(manager, clock=clock, **app_kwargs)
    return clock, store, manager, paper, app


def _client(app, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://node")


async def test_status_when_no_key_then_readable_with_violations_list():
    _, _, _, paper, app = await _stack()
    paper.simulate_disconnect("wire cut")
    async with _client(app) as client:
        response = await client.get("/api/safety/status")
    assert response.status_code == 200
    body = response.json()
    assert body["fence_active"] is True and body["effective_state"] == "HALTED"
    assert any(
        v.startswith("FENCE_ACTIVE: broker disconnected: wire cut") for v in body["violations"]
    )
    assert body["limits"]["max_drawdown_gbp"] == -500.0


@pytest.mark.parametrize("path", sorted(PROTECTED))
async def test_protected_when_key_missing_then_401_and_security_log_with_address(path):
    _, store, _, _, app = await _stack()
    async with _client(app, "198.51.100.4") as client:
        response = await client.post(path, json={})
    assert response.status_code == 401
    assert response.json() == {"detail": f"missing {AUTH_HEADER} header"}
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address) == ("AUTH_FAILED", "198.51.100.4")
    assert event.detail == f"{path}: missing {AUTH_HEADER}"


async def test_protected_when_key_wrong_then_401_and_nothing_changes():
    _, store, manager, paper, app = await _stack()
    paper.simulate_disconnect("x")
    await paper.connect()
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/fence/deactivate", headers={AUTH_HEADER: KEY[:-1] + "X"}
        )
    assert response.status_code == 401
    assert manager.state.fence_active
    assert store.recent_security_events(1)[0].detail.endswith(f"wrong {AUTH_HEADER}")


async def test_throttle_when_five_failures_then_429_with_doubling_delay_even_with_right_key():
    clock, store, _, _, app = await _stack(max_failures=5, base_delay_s=2.0)
    async with _client(app) as client:
        for _ in range(5):
            assert (await client.post("/api/position/force-sync")).status_code == 401
        delays = []
        for _ in range(3):
            throttled = await client.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
            assert throttled.status_code == 429
            delays.append(throttled.headers["Retry-After"])
        assert delays == ["2", "4", "8"]
        assert store.recent_security_events(1)[0].event == "AUTH_THROTTLED"
        clock.advance_ns(61 * NS_PER_SECOND)
        ok = await client.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
        assert ok.status_code == 200


async def test_throttle_when_delay_passed_then_right_key_accepted_and_failures_forgotten():
    clock, _, _, _, app = await _stack(max_failures=5, base_delay_s=2.0)
    async with _client(app) as client:
        for _ in range(5):
            await client.post("/api/position/force-sync")
        assert (
            await client.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
        ).status_code == 429
        clock.advance_ns(5 * NS_PER_SECOND)
        assert (
            await client.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
        ).status_code == 200
        assert (await client.post("/api/position/force-sync")).status_code == 401


async def test_throttle_when_other_address_then_not_affected():
    _, _, _, _, app = await _stack(max_failures=2)
    async with _client(app, "192.0.2.1") as attacker:
        for _ in range(3):
            await attacker.post("/api/position/force-sync")
        assert (await attacker.post("/api/position/force-sync")).status_code == 429
    async with _client(app, "192.0.2.2") as operator:
        response = await operator.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
    assert response.status_code == 200


async def test_throttle_when_failures_older_than_window_then_forgotten():
    clock, _, _, _, app = await _stack(max_failures=2, failure_window_s=60.0)
    async with _client(app) as client:
        for _ in range(2):
            await client.post("/api/position/force-sync")
        clock.advance_ns(61 * NS_PER_SECOND)
        response = await client.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
    assert response.status_code == 200


async def test_config_when_valid_then_applied_persisted_and_audited():
    _, store, manager, _, app = await _stack()
    body = {"max_position": 1, "trading_state": "REDUCING", "reason": "FOMC"}
    async with _client(app) as client:
        response = await client.post("/api/safety/config", json=body, headers={AUTH_HEADER: KEY})
    assert response.status_code == 200
    assert response.json()["limits"]["max_position"] == 1
    assert manager.state.trading_state is TradingState.REDUCING
    saved = store.load_safety_state()
    assert saved is not None and saved.limits.max_position == 1
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address) == ("CONFIG_CHANGED", "203.0.113.7")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_drawdown_gbp": 100}, "max_drawdown_gbp"),
        ({"max_drawdown_gbp": "lots"}, "max_drawdown_gbp"),
        ({"max_order_size": 0}, "max_order_size"),
        ({"trading_state": "PANIC"}, "trading_state"),
        ({"allowed_instruments": ["NQ"]}, "allowed_instruments"),
        ({"allowed_instruments": []}, "allowed_instruments"),
        ({"reconciliation": "maybe"}, "reconciliation"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_config_when_body_invalid_then_422_naming_the_field(body, field):
    _, _, manager, _, app = await _stack()
    before = manager.state
    async with _client(app) as client:
        response = await client.post("/api/safety/config", json=body, headers={AUTH_HEADER: KEY})
    assert response.status_code == 422
    assert field in response.text
    assert manager.state == before


async def test_fence_deactivate_when_broker_down_then_409_and_when_up_then_lifted():
    _, _, manager, paper, app = await _stack()
    paper.simulate_disconnect("x")
    async with _client(app) as client:
        refused = await client.post("/api/safety/fence/deactivate", headers={AUTH_HEADER: KEY})
        assert refused.status_code == 409
        assert "disconnected" in refused.json()["detail"]
        await paper.connect()
        lifted = await client.post("/api/safety/fence/deactivate", headers={AUTH_HEADER: KEY})
    assert lifted.status_code == 200 and lifted.json()["fence_active"] is False
    assert not manager.state.fence_active


async def test_force_sync_when_local_differs_then_reset_from_broker():
    _, _, manager, paper, app = await _stack()
    paper.on_quote("MES", Quote(NOW, 24_000, 5, 24_001, 5))
    manager.on_last_trade("MES", 24_000)
    paper_positions_before = dict(await paper.positions())
    from orderflow_lib.risk import OrderAction, OrderIntent

    await paper.place_order(
        OrderIntent("manual", "MES", OrderAction.SELL, 1, 24_000, NOW, order_id="manual-1")
    )
    async with _client(app) as client:
        response = await client.post("/api/position/force-sync", headers={AUTH_HEADER: KEY})
    assert response.status_code == 200
    assert response.json() == {"positions": {"MES": -1}}
    assert paper_positions_before == {}
    assert manager.positions == {"MES": -1}


# ---- schemathesis ------------------------------------------------------------------------------


def _schema_app():
    _, _, _, _, app = asyncio.run(_stack())
    return app


unauthenticated_schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app())
authenticated_schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app())


def protected_calls_need_the_key(ctx: CheckContext, response: Response, case: Case) -> bool:
    """A 2xx from a protected endpoint is allowed only when the request carried the right key."""
    if case.path in PROTECTED and 200 <= response.status_code < 300:
        sent = response.request.headers.get(AUTH_HEADER)
        assert sent == KEY, f"{case.method} {case.path} accepted without the key ({sent!r})"
    return True


def no_server_error(ctx: CheckContext, response: Response, case: Case) -> bool:
    """No 5xx, whatever was sent."""
    assert response.status_code < 500, f"{case.method} {case.path} -> {response.status_code}"
    return True


CHECKS = [
    no_server_error,
    protected_calls_need_the_key,
    status_code_conformance,
    response_schema_conformance,
]


@unauthenticated_schema.parametrize()
def test_schemathesis_when_no_key_then_no_5xx_and_no_protected_call_accepted(case):
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if case.path in PROTECTED:
        assert 400 <= response.status_code < 500


@authenticated_schema.parametrize()
def test_schemathesis_when_key_sent_then_no_5xx_and_bodies_validated(case):
    case.headers = {**(case.headers or {}), AUTH_HEADER: KEY}
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert response.status_code != 429
