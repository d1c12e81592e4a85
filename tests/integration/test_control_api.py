"""The safety control API: authentication (constant-time key, 401 + security log, throttling of
wrong keys only), the body cap (413) before any parsing, validation (422, never 500), the six
endpoints against a real manager and paper broker, and schemathesis against the app's OpenAPI
schema (no 5xx, no protected call accepted without the key)."""

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
from orderflow_lib.node.control_api import AUTH_HEADER, MAX_BODY_BYTES, create_control_app
from orderflow_lib.risk import InMemorySafetyStore, ProductionSafetyManager, TradingState
from orderflow_lib.risk.errors import SafetyRefusedError

KEY = "control-api-test-key-0123456789abcdef"
NOW = ny_to_ns(date(2025, 6, 3), time(11, 0))
PROTECTED = {
    "/api/safety/config",
    "/api/safety/halt",
    "/api/safety/fence/deactivate",
    "/api/position/flatten",
    "/api/position/force-sync",
}


class FakeFlatten:
    """The trading session's flatten hook: records each reason and reports a fixed summary."""

    def __init__(self, error: Exception | None = None) -> None:
        self.reasons: list[str] = []
        self._error = error

    async def __call__(self, reason: str) -> dict:
        self.reasons.append(reason)
        if self._error is not None:
            raise self._error
        return {"cancelled_orders": 2, "closing": {"MES": -1}}


async def _stack(**app_kwargs):
    clock = ReplayClock(NOW)
    store = InMemorySafetyStore()
    manager = await ProductionSafetyManager.create(store, RiskSettings(), clock, auth_key=KEY)
    paper = PaperBroker(clock)
    safe = SafeBroker(manager, paper)
    paper.add_listener(safe)
    await safe.connect()
    paper.on_quote("MES", Quote(NOW, 24_000, 5, 24_001, 5))
    app_kwargs.setdefault("flatten", FakeFlatten())
    app = create_control_app(manager, clock=clock, **app_kwargs)
    return clock, store, manager, paper, app


def _client(app, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://node")


def _security_log(app, store, event: str) -> list:
    """Every row of `event` after the buffered refusals have been written, newest first."""
    app.state.controls.security_log.write_all()
    return [e for e in store.recent_security_events(1000) if e.event == event]


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


# ---- authentication and throttling ---------------------------------------------------------


@pytest.mark.parametrize("path", sorted(PROTECTED))
async def test_protected_when_key_missing_then_401_security_log_with_address_and_nothing_done(
    path,
):
    flatten = FakeFlatten()
    _, store, manager, _, app = await _stack(flatten=flatten)
    before = manager.state
    async with _client(app, "198.51.100.4") as client:
        response = await client.post(path, json={"reason": "x"})
    assert response.status_code == 401
    assert response.json() == {"detail": f"missing {AUTH_HEADER} header"}
    (event,) = _security_log(app, store, "AUTH_FAILED")
    assert event.address == "198.51.100.4"
    assert event.detail == f"{path}: missing {AUTH_HEADER}"
    assert manager.state == before and flatten.reasons == []


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
    assert _security_log(app, store, "AUTH_FAILED")[0].detail.endswith(f"wrong {AUTH_HEADER}")


async def test_throttle_when_five_wrong_keys_then_429_but_right_key_still_accepted():
    _, store, manager, _, app = await _stack(max_failures=5, base_delay_s=2.0)
    async with _client(app) as client:
        for _ in range(5):
            assert (await client.post("/api/safety/halt")).status_code == 401
        throttled = await client.post("/api/safety/halt", headers={AUTH_HEADER: "wrong"})
        operator = await client.post("/api/safety/halt", headers={AUTH_HEADER: KEY})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert operator.status_code == 200
    assert manager.state.trading_state is TradingState.HALTED
    assert _security_log(app, store, "AUTH_THROTTLED")[0].address == "203.0.113.7"


async def test_throttle_when_refused_during_lockout_then_lockout_not_extended_and_retry_after_true():
    clock, _, _, _, app = await _stack(max_failures=5, base_delay_s=2.0)
    async with _client(app) as client:
        for _ in range(5):
            await client.post("/api/position/force-sync")
        waits = []
        for _ in range(3):
            waits.append((await client.post("/api/position/force-sync")).headers["Retry-After"])
            clock.advance_ns(NS_PER_SECOND // 2)
        assert waits == ["2", "2", "1"]
        clock.advance_ns(NS_PER_SECOND // 2)
        after_wait = await client.post("/api/position/force-sync")
        doubled = await client.post("/api/position/force-sync")
    assert after_wait.status_code == 401
    assert doubled.status_code == 429 and doubled.headers["Retry-After"] == "4"


async def test_throttle_when_lockout_outlasts_failure_window_then_retry_after_still_honoured():
    clock, _, _, _, app = await _stack(max_failures=2, failure_window_s=10.0, base_delay_s=30.0)
    async with _client(app) as client:
        for _ in range(2):
            await client.post("/api/position/force-sync")
        clock.advance_ns(15 * NS_PER_SECOND)
        still_locked = await client.post("/api/position/force-sync")
        clock.advance_ns(15 * NS_PER_SECOND)
        unlocked = await client.post("/api/position/force-sync")
    assert still_locked.status_code == 429 and still_locked.headers["Retry-After"] == "15"
    assert unlocked.status_code == 401


async def test_throttle_when_right_key_used_then_failures_forgotten():
    _, _, _, _, app = await _stack(max_failures=2)
    async with _client(app) as client:
        for _ in range(2):
            await client.post("/api/position/force-sync")
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
    async with _client(app, "192.0.2.2") as stranger:
        response = await stranger.post("/api/position/force-sync")
    assert response.status_code == 401


async def test_throttle_when_failures_older_than_window_then_forgotten():
    clock, _, _, _, app = await _stack(max_failures=2, failure_window_s=60.0, base_delay_s=1.0)
    async with _client(app) as client:
        await client.post("/api/position/force-sync")
        clock.advance_ns(61 * NS_PER_SECOND)
        first = await client.post("/api/position/force-sync")
        second = await client.post("/api/position/force-sync")
    assert (first.status_code, second.status_code) == (401, 401)


async def test_security_log_when_repeated_refusals_then_no_write_per_request_and_one_row_a_minute():
    clock, store, _, _, app = await _stack(max_failures=1000)
    rows_before = len(store.recent_security_events(1000))
    async with _client(app, "192.0.2.9") as client:
        for _ in range(20):
            await client.post("/api/safety/halt", headers={AUTH_HEADER: "wrong"})
    assert len(store.recent_security_events(1000)) == rows_before
    app.state.controls.security_log.write_due()
    assert len(store.recent_security_events(1000)) == rows_before
    clock.advance_ns(60 * NS_PER_SECOND)
    app.state.controls.security_log.write_due()
    (row,) = [e for e in store.recent_security_events(1000) if e.event == "AUTH_FAILED"]
    assert row.address == "192.0.2.9"
    assert (
        row.detail == f"/api/safety/halt: wrong {AUTH_HEADER} (20 times from this address in 60 s)"
    )


# ---- body cap and validation ---------------------------------------------------------------


async def test_body_when_content_length_over_64_kb_then_413_and_state_unchanged():
    _, _, manager, _, app = await _stack()
    before = manager.state
    body = b'{"reason": "' + b"x" * MAX_BODY_BYTES + b'"}'
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/halt",
            content=body,
            headers={AUTH_HEADER: KEY, "content-type": "application/json"},
        )
    assert response.status_code == 413 and "64 KB" in response.json()["detail"]
    assert manager.state == before


async def test_body_when_streamed_without_length_over_64_kb_then_413_and_state_unchanged():
    _, _, manager, _, app = await _stack()
    before = manager.state
    chunks_read = 0

    async def chunks():
        nonlocal chunks_read
        yield b'{"reason": "'
        for _ in range(100):
            chunks_read += 1
            yield b"x" * 4096

    async with _client(app) as client:
        response = await client.post(
            "/api/safety/halt",
            content=chunks(),
            headers={AUTH_HEADER: KEY, "content-type": "application/json"},
        )
    assert response.status_code == 413
    assert manager.state == before
    assert chunks_read <= MAX_BODY_BYTES // 4096 + 1


async def test_body_when_key_wrong_then_401_before_size_or_json_are_looked_at():
    _, _, manager, _, app = await _stack()
    before = manager.state
    async with _client(app) as client:
        oversized = await client.post(
            "/api/safety/halt", content=b"x" * (MAX_BODY_BYTES + 1), headers={AUTH_HEADER: "no"}
        )
        not_json = await client.post(
            "/api/safety/config",
            content=b"{not json",
            headers={AUTH_HEADER: "no", "content-type": "application/json"},
        )
    assert (oversized.status_code, not_json.status_code) == (401, 401)
    assert manager.state == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"max_drawdown_gbp": NaN}',
        b'{"max_drawdown_gbp": -Infinity}',
        b'{"max_drawdown_gbp": -1e400}',
        b'{"max_position": Infinity}',
        b'{"max_position": 1e400}',
        b'{"reject_cooldown_min": NaN}',
        b'{"reason": NaN}',
        b'{"surprise": NaN}',
    ],
)
async def test_config_when_non_finite_number_then_422_with_valid_json_and_state_unchanged(raw):
    _, store, manager, _, app = await _stack()
    before, saved_before = manager.state, store.load_safety_state()
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/config",
            content=raw,
            headers={AUTH_HEADER: KEY, "content-type": "application/json"},
        )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert manager.state == before and store.load_safety_state() == saved_before


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"\xff\xfe\x00", "application/octet-stream"),
        (b'{"reason": "\xff"}', "application/json"),
        (b"7\xff\xfe", "application/json"),
        (b'{"max_position": ' + b"9" * 5000 + b"}", "application/json"),
    ],
)
async def test_config_when_body_not_utf8_json_then_422_not_400_or_500(raw, content_type):
    _, _, manager, _, app = await _stack()
    before = manager.state
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/config",
            content=raw,
            headers={AUTH_HEADER: KEY, "content-type": content_type},
        )
    assert response.status_code == 422
    assert manager.state == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_drawdown_gbp": 100}, "max_drawdown_gbp"),
        ({"max_drawdown_gbp": -2_000_000}, "max_drawdown_gbp"),
        ({"max_drawdown_gbp": "lots"}, "max_drawdown_gbp"),
        ({"max_order_size": 0}, "max_order_size"),
        ({"max_position": 1_000_000}, "max_position"),
        ({"max_orders_per_minute": 10**30}, "max_orders_per_minute"),
        ({"trading_state": "PANIC"}, "trading_state"),
        ({"allowed_instruments": ["NQ"]}, "allowed_instruments"),
        ({"allowed_instruments": []}, "allowed_instruments"),
        ({"reconciliation": "maybe"}, "reconciliation"),
        ({"reason": "x" * 501}, "reason"),
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


async def test_config_when_valid_then_applied_persisted_and_audited():
    _, store, manager, _, app = await _stack()
    body = {"max_position": 1, "trading_state": "REDUCING", "reason": "FOMC\r\nforged\x1b[2J\x00"}
    async with _client(app) as client:
        response = await client.post("/api/safety/config", json=body, headers={AUTH_HEADER: KEY})
    assert response.status_code == 200
    assert response.json()["limits"]["max_position"] == 1
    assert manager.state.trading_state is TradingState.REDUCING
    assert manager.state.trading_state_reason == "FOMC forged[2J"
    saved = store.load_safety_state()
    assert saved is not None and saved.limits.max_position == 1
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address) == ("CONFIG_CHANGED", "203.0.113.7")


# ---- halt and flatten ----------------------------------------------------------------------


async def test_halt_when_key_right_then_halted_persisted_audited_with_plain_message():
    _, store, manager, _, app = await _stack()
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/halt", json={"reason": "FOMC"}, headers={AUTH_HEADER: KEY}
        )
    assert response.status_code == 200
    assert response.json() == {"message": "Trading halted: FOMC", "trading_state": "HALTED"}
    assert manager.state.trading_state is TradingState.HALTED
    saved = store.load_safety_state()
    assert saved is not None and saved.trading_state is TradingState.HALTED
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address) == ("HALTED", "203.0.113.7")
    assert event.detail == "trading_state: ACTIVE -> HALTED; FOMC"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"null",
        b'{"reason": "stop", "trading_state": "ACTIVE", "max_position": 99, "junk": [1, {}]}',
        b'{"reason": "stop", "note": NaN, "size": 1e400}',
    ],
)
async def test_halt_when_body_empty_or_with_other_fields_then_still_halted(raw):
    _, _, manager, _, app = await _stack()
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/halt",
            content=raw,
            headers={AUTH_HEADER: KEY, "content-type": "application/json"},
        )
    assert response.status_code == 200
    assert manager.state.trading_state is TradingState.HALTED


async def test_halt_when_reason_has_control_characters_or_is_long_then_cleaned_and_cut():
    _, _, manager, _, app = await _stack()
    reason = "news\x00\x1b[31m\r\nfake log line\t" + "y" * 600
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/halt", json={"reason": reason}, headers={AUTH_HEADER: KEY}
        )
    assert response.status_code == 200
    stored = manager.state.trading_state_reason
    assert stored.startswith("news[31m fake log line yyy") and len(stored) == 500
    assert all(ch.isprintable() for ch in stored)


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b'{"reason": 5}', "application/json"),
        (b'["stop"]', "application/json"),
        (b"{not json", "application/json"),
        (b"stop", "text/plain"),
    ],
)
async def test_halt_when_body_invalid_then_422_and_state_unchanged(raw, content_type):
    _, _, manager, _, app = await _stack()
    before = manager.state
    async with _client(app) as client:
        response = await client.post(
            "/api/safety/halt",
            content=raw,
            headers={AUTH_HEADER: KEY, "content-type": content_type},
        )
    assert response.status_code == 422
    assert manager.state == before


async def test_flatten_when_key_right_then_hook_called_with_reason_and_audited():
    flatten = FakeFlatten()
    _, store, _, _, app = await _stack(flatten=flatten)
    async with _client(app) as client:
        response = await client.post(
            "/api/position/flatten", json={"reason": "stop\nout"}, headers={AUTH_HEADER: KEY}
        )
    assert response.status_code == 200
    assert response.json() == {
        "message": "Flattening: cancelled orders 2, closing {'MES': -1}",
        "result": {"cancelled_orders": 2, "closing": {"MES": -1}},
    }
    assert flatten.reasons == ["stop out"]
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address, event.detail) == ("FLATTEN", "203.0.113.7", "stop out")


async def test_flatten_when_no_reason_then_reason_names_the_caller():
    flatten = FakeFlatten()
    _, _, _, _, app = await _stack(flatten=flatten)
    async with _client(app) as client:
        response = await client.post("/api/position/flatten", headers={AUTH_HEADER: KEY})
    assert response.status_code == 200
    assert flatten.reasons == ["requested by 203.0.113.7"]


async def test_flatten_when_body_invalid_then_422_and_hook_not_called():
    flatten = FakeFlatten()
    _, _, _, _, app = await _stack(flatten=flatten)
    async with _client(app) as client:
        response = await client.post(
            "/api/position/flatten", json={"reason": ["a"]}, headers={AUTH_HEADER: KEY}
        )
    assert response.status_code == 422
    assert flatten.reasons == []


async def test_flatten_when_hook_refuses_then_409_with_its_reason():
    flatten = FakeFlatten(SafetyRefusedError("the broker is disconnected"))
    _, _, _, _, app = await _stack(flatten=flatten)
    async with _client(app) as client:
        response = await client.post("/api/position/flatten", headers={AUTH_HEADER: KEY})
    assert response.status_code == 409
    assert response.json() == {"detail": "the broker is disconnected"}


async def test_flatten_when_no_hook_then_503():
    _, _, _, _, app = await _stack(flatten=None)
    async with _client(app) as client:
        response = await client.post("/api/position/flatten", headers={AUTH_HEADER: KEY})
    assert response.status_code == 503


# ---- fence and force-sync ------------------------------------------------------------------


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


def test_schema_when_read_then_every_control_endpoint_documented():
    paths = set(unauthenticated_schema.raw_schema["paths"])
    assert paths == PROTECTED | {"/api/safety/status"}


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
