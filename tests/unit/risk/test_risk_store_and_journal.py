"""The in-memory SafetyStore honours the port, and the journal keeps and replays failed writes."""

from risk_fakes import FlakyStore

from orderflow_lib.risk import (
    Denial,
    InMemorySafetyStore,
    OrderAction,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyState,
    SafetyStore,
    SecurityEvent,
)
from orderflow_lib.risk.journal import SafetyJournal


def _order(order_id: str, created: int, status: OrderStatus = OrderStatus.PENDING) -> OrderRecord:
    return OrderRecord(
        order_id, "s-" + order_id, "MES", OrderAction.BUY, 1, 100, status, created, created
    )


def test_memory_store_when_checked_then_implements_port():
    assert isinstance(InMemorySafetyStore(), SafetyStore)


def test_memory_store_when_fresh_then_no_state():
    assert InMemorySafetyStore().load_safety_state() is None


def test_memory_store_when_cooldowns_then_only_unexpired_oldest_first():
    store = InMemorySafetyStore()
    store.upsert_reject_cooldown(RejectCooldown("b", "x", 1, 20, 200))
    store.upsert_reject_cooldown(RejectCooldown("a", "x", 1, 10, 100))
    store.upsert_reject_cooldown(RejectCooldown("c", "x", 1, 5, 50))
    assert [c.signal_id for c in store.active_reject_cooldowns(50)] == ["a", "b"]
    assert store.active_reject_cooldowns(200) == []


def test_memory_store_when_cooldown_upserted_twice_then_latest_kept():
    store = InMemorySafetyStore()
    store.upsert_reject_cooldown(RejectCooldown("a", "x", 1, 10, 100))
    store.upsert_reject_cooldown(RejectCooldown("a", "y", 1, 20, 300))
    assert [c.reason for c in store.active_reject_cooldowns(0)] == ["y"]


def test_memory_store_when_orders_then_filter_by_status_and_signal():
    store = InMemorySafetyStore()
    store.upsert_order(_order("2", 20, OrderStatus.FILLED))
    store.upsert_order(_order("1", 10))
    assert [o.order_id for o in store.orders()] == ["1", "2"]
    assert [o.order_id for o in store.orders({OrderStatus.FILLED})] == ["2"]
    assert [o.order_id for o in store.orders_for_signal("s-1")] == ["1"]
    assert store.get_order("3") is None


def test_memory_store_when_logs_then_newest_first_and_limited():
    store = InMemorySafetyStore()
    for i in range(3):
        store.record_security_event(SecurityEvent(i, "E", "1.2.3.4", str(i)))
        store.record_denial(Denial(i, "s", "R", str(i), "MES", OrderAction.BUY, 1, 100))
    assert [e.ts_ns for e in store.recent_security_events(2)] == [2, 1]
    assert [d.ts_ns for d in store.recent_denials(5)] == [2, 1, 0]


def test_memory_store_when_position_saved_twice_then_latest_kept():
    store = InMemorySafetyStore()
    store.save_position(PositionRecord("MES", 1, 1))
    store.save_position(PositionRecord("MES", -1, 2))
    assert store.load_positions() == [PositionRecord("MES", -1, 2)]


def test_journal_when_store_down_then_writes_kept_and_replayed_in_order():
    flaky = FlakyStore()
    journal = SafetyJournal(flaky)
    flaky.down = True
    assert journal.write(lambda: flaky.upsert_order(_order("1", 1))) is not None
    assert journal.save_state(SafetyState(fence_active=True)) is not None
    assert journal.write(lambda: flaky.upsert_order(_order("1", 1, OrderStatus.FILLED))) is not None
    assert journal.degraded
    flaky.down = False
    assert journal.flush() is None
    assert not journal.degraded
    order = flaky.inner.get_order("1")
    assert order is not None and order.status is OrderStatus.FILLED
    state = flaky.inner.load_safety_state()
    assert state is not None and state.fence_active


def test_journal_when_write_not_kept_then_dropped_on_failure():
    flaky = FlakyStore()
    journal = SafetyJournal(flaky)
    flaky.down = True
    assert journal.write(lambda: flaky.upsert_order(_order("1", 1)), keep_on_failure=False)
    flaky.down = False
    assert journal.flush() is None
    assert flaky.inner.get_order("1") is None


class _RefusingStore(InMemorySafetyStore):
    """Answers its ping but refuses one particular order for good."""

    def upsert_order(self, order: OrderRecord) -> None:
        if order.order_id == "bad":
            raise ValueError("order bad contradicts the stored one")
        super().upsert_order(order)


def test_journal_when_kept_write_refused_while_store_answers_then_dropped_and_listed():
    store = _RefusingStore()
    journal = SafetyJournal(store)
    assert journal.write(lambda: store.upsert_order(_order("bad", 1))) is not None
    assert journal.degraded
    assert journal.write(lambda: store.upsert_order(_order("good", 2))) is None
    assert not journal.degraded
    assert store.get_order("good") is not None
    assert journal.take_refused() == ["ValueError: order bad contradicts the stored one"]
    assert journal.take_refused() == []
