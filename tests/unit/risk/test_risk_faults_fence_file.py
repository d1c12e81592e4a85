"""A fence the store could not take survives a crash: it waits in the fence file and the next
manager starts fenced; an operator's lift acknowledges it (issue #19: fences survive everything)."""

import json

import pytest
from risk_fakes import AUTH_KEY, FlakyStore, day_of

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import SafetyError
from orderflow_lib.risk import ProductionSafetyManager, SafetyRefusedError, SecurityEvent
from orderflow_lib.risk.fence_file import UNREADABLE, FenceFile, fence_file_path


async def _manager(store, clock, fence_file, venue=None):
    manager = await ProductionSafetyManager.create(
        store,
        RiskSettings(),
        clock,
        auth_key=AUTH_KEY,
        in_trading_window=lambda ts_ns: True,
        trade_date_of=day_of,
        wall_clock=ReplayClock(clock.now_ns() + 1),
        fence_file=fence_file,
    )
    if venue is not None:
        manager.attach_venue(venue)
    return manager


def _events(store, name):
    return [e for e in store.inner.recent_security_events(1000) if e.event == name]


@pytest.fixture
def fence_file(tmp_path):
    return FenceFile(fence_file_path(tmp_path / "data", "live"))


async def test_fence_when_store_down_and_process_crashes_then_next_manager_starts_fenced(
    store, clock, fence_file
):
    first = await _manager(store, clock, fence_file)
    store.down = True
    first.on_broker_disconnected("gateway dropped")
    assert first.state.fence_active
    del first  # a crash: nothing is flushed, the store never heard of the fence

    store.down = False
    assert not store.inner.load_safety_state().fence_active
    second = await _manager(store, clock, fence_file)

    assert second.state.fence_active
    assert "broker disconnected: gateway dropped" in second.state.fence_reason
    assert store.inner.load_safety_state().fence_active
    [kept] = _events(store, "FENCE_ACTIVATED")
    assert kept.detail == "broker disconnected: gateway dropped" and kept.market_ts_ns == (
        clock.now_ns()
    )
    assert [e.event for e in store.inner.recent_security_events(2)] == [
        "FENCE_KEPT",
        "MANAGER_STARTED",
    ]


async def test_fence_when_store_failure_itself_raises_it_then_kept_in_the_file(
    store, clock, fence_file
):
    manager = await _manager(store, clock, fence_file)
    store.down = True

    assert not manager.check_health()

    [entry] = fence_file.entries()
    assert entry.event.event == "FENCE_ACTIVATED" and "store unreachable" in entry.event.detail
    assert not entry.stored


async def test_fence_file_when_restarted_twice_then_audit_entry_copied_to_the_store_once(
    store, clock, fence_file
):
    first = await _manager(store, clock, fence_file)
    store.down = True
    first.on_broker_disconnected("gateway dropped")
    store.down = False

    await _manager(store, clock, fence_file)
    third = await _manager(store, clock, fence_file)

    assert third.state.fence_active
    assert len(_events(store, "FENCE_ACTIVATED")) == 1
    assert [e.stored for e in fence_file.entries()] == [True]


async def test_fence_when_lifted_by_operator_then_file_acknowledged_and_next_start_unfenced(
    store, clock, venue, fence_file
):
    first = await _manager(store, clock, fence_file)
    store.down = True
    first.on_broker_disconnected("gateway dropped")
    store.down = False
    second = await _manager(store, clock, fence_file, venue)

    second.deactivate_fence(AUTH_KEY, address="ops")

    assert not fence_file.path.exists()
    assert not (await _manager(store, clock, fence_file)).state.fence_active


async def test_fence_when_store_recovers_in_the_same_run_then_lift_clears_the_file(
    store, clock, venue, fence_file
):
    manager = await _manager(store, clock, fence_file, venue)
    store.down = True
    manager.on_broker_disconnected("gateway dropped")
    store.down = False

    manager.deactivate_fence(AUTH_KEY, address="ops")

    assert not manager.state.fence_active
    assert not fence_file.path.exists()
    assert len(_events(store, "FENCE_ACTIVATED")) == 1


async def test_fence_lift_when_store_still_down_then_refused_and_file_kept(
    store, clock, venue, fence_file
):
    manager = await _manager(store, clock, fence_file, venue)
    store.down = True
    manager.on_broker_disconnected("gateway dropped")

    with pytest.raises(SafetyRefusedError):
        manager.deactivate_fence(AUTH_KEY, address="ops")

    assert manager.state.fence_active
    assert len(fence_file.entries()) == 1


async def test_fence_lift_when_file_cannot_be_cleared_then_refused_and_state_intact(
    store, clock, venue, fence_file
):
    class StuckFile(FenceFile):
        def acknowledge(self):
            raise OSError("read-only file system")

    stuck = StuckFile(fence_file.path)
    first = await _manager(store, clock, stuck)
    store.down = True
    first.on_broker_disconnected("gateway dropped")
    store.down = False
    second = await _manager(store, clock, stuck, venue)
    before = second.state

    with pytest.raises(SafetyRefusedError, match="read-only file system"):
        second.deactivate_fence(AUTH_KEY, address="ops")

    assert second.state == before and second.state.fence_active
    assert store.inner.load_safety_state().fence_active


async def test_fence_when_store_healthy_then_nothing_written_to_the_file(store, clock, fence_file):
    manager = await _manager(store, clock, fence_file)

    manager.raise_fence("operator drill")

    assert manager.state.fence_active and not fence_file.path.exists()


async def test_fence_when_file_cannot_be_written_then_fence_still_up(store, clock, fence_file):
    class FullDisk(FenceFile):
        def append(self, event):
            raise OSError("no space left on device")

    manager = await _manager(store, clock, FullDisk(fence_file.path))
    store.down = True

    manager.on_broker_disconnected("gateway dropped")

    assert manager.state.fence_active
    assert manager.status().violations


async def test_start_when_fence_file_damaged_then_fenced_naming_the_file(store, clock, fence_file):
    fence_file.path.parent.mkdir(parents=True)
    fence_file.path.write_text('{"entries": [{"event": ')

    manager = await _manager(store, clock, fence_file)

    assert manager.state.fence_active
    assert str(fence_file.path) in manager.state.fence_reason
    assert _events(store, UNREADABLE)


def test_fence_file_when_appended_then_atomic_json_without_temp_files(fence_file):
    fence_file.append(SecurityEvent(5, "FENCE_ACTIVATED", "internal", "one", 3))
    fence_file.append(SecurityEvent(6, "FENCE_ACTIVATED", "internal", "two", None))

    saved = json.loads(fence_file.path.read_text())
    assert [item["event"]["detail"] for item in saved["entries"]] == ["one", "two"]
    assert [e.event.market_ts_ns for e in fence_file.entries()] == [3, None]
    assert [p.name for p in fence_file.path.parent.iterdir()] == [fence_file.path.name]


async def test_start_when_store_down_with_kept_fence_then_refused_and_file_kept(clock, fence_file):
    store = FlakyStore()
    fence_file.append(SecurityEvent(5, "FENCE_ACTIVATED", "internal", "kept", 3))
    store.down = True

    with pytest.raises(SafetyError, match="store unreachable"):
        await _manager(store, clock, fence_file)

    assert [e.stored for e in fence_file.entries()] == [False]
