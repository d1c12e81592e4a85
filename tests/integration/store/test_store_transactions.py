"""A failed write leaves the stored state intact: one transaction per call, or per atomic block."""

from __future__ import annotations

from datetime import date

import pytest
from store_builders import T0, order, profile

from orderflow_lib.core.errors import StoreError
from orderflow_lib.risk.records import OrderStatus, PositionRecord
from orderflow_lib.store import OrderConflictError, Store
from orderflow_lib.store.models import OrderRow

DAY = date(2024, 5, 29)


def test_atomic_when_a_call_fails_then_every_write_of_the_block_is_rolled_back(
    store: Store,
) -> None:
    orders = store.orders("live")
    orders.save(order(status=OrderStatus.FILLED, filled_quantity=1))

    with pytest.raises(OrderConflictError), store.atomic():
        store.profiles.save_daily([profile(DAY)])
        store.positions("live").save(PositionRecord("MES", 1, T0))
        orders.save(order(status=OrderStatus.REJECTED, filled_quantity=1))

    assert store.profiles.daily(DAY, "volume", "ESM24", "replay") is None
    assert store.positions("live").all() == []
    assert orders.get("O-1") == order(status=OrderStatus.FILLED, filled_quantity=1)


def test_atomic_when_block_succeeds_then_all_writes_are_visible_together(store: Store) -> None:
    with store.atomic():
        store.orders("live").save(order(status=OrderStatus.FILLED, filled_quantity=1))
        store.positions("live").save(PositionRecord("MES", 1, T0))
        with store.atomic():
            store.profiles.save_daily([profile(DAY)])
        inside = store.orders("live").get("O-1")

    assert inside is not None and inside.status is OrderStatus.FILLED
    assert store.positions("live").all() == [PositionRecord("MES", 1, T0)]
    assert store.profiles.daily(DAY, "volume", "ESM24", "replay") == profile(DAY)


def test_save_daily_when_database_refuses_one_row_then_batch_rolled_back_and_old_row_intact(
    store: Store,
) -> None:
    store.profiles.save_daily([profile(DAY)])
    recomputed = profile(DAY, poc_tick=20044, vah_tick=20070)
    broken = profile(date(2024, 5, 30))
    object.__setattr__(broken, "row_ticks", 0)  # slips past validation: the database must refuse it

    with pytest.raises(StoreError, match="ck_daily_profiles_row_ticks"):
        store.profiles.save_daily([recomputed, broken])

    assert store.profiles.daily(DAY, "volume", "ESM24", "replay") == profile(DAY)
    assert store.profiles.daily(date(2024, 5, 30), "volume", "ESM24", "replay") is None


def test_write_when_status_not_allowed_by_database_then_store_error_and_nothing_stored(
    store: Store,
) -> None:
    valid = OrderRow(
        order_id="O-1",
        signal_id="S-1",
        instrument="MES",
        source="live",
        action="BUY",
        quantity=1,
        price_ticks=20040,
        status="PENDING",
        created_ts_ns=T0,
        updated_ts_ns=T0,
        filled_quantity=0,
    )
    invalid = OrderRow(
        order_id="O-2",
        signal_id="S-1",
        instrument="MES",
        source="live",
        action="BUY",
        quantity=1,
        price_ticks=20040,
        status="LOST",
        created_ts_ns=T0,
        updated_ts_ns=T0,
        filled_quantity=0,
    )

    with (
        pytest.raises(StoreError, match=r"write failed: .*ck_orders_status"),
        store.write() as session,
    ):
        session.add_all([valid, invalid])
        session.flush()

    assert store.orders("live").all_orders() == []


def test_record_fill_when_position_write_fails_then_order_not_moved_either(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    safety = store.safety_store("live", "node")
    safety.upsert_order(order(status=OrderStatus.SUBMITTED))
    filled = order(status=OrderStatus.FILLED, filled_quantity=1, filled_price_ticks=20040.0)

    def refuse(self: object, position: PositionRecord) -> None:
        raise StoreError("database went away between the two writes")

    monkeypatch.setattr(type(store.positions("live")), "save", refuse)
    with pytest.raises(StoreError, match="went away"):
        safety.record_fill(filled, PositionRecord("MES", 1, T0))
    monkeypatch.undo()

    assert safety.get_order("O-1") == order(status=OrderStatus.SUBMITTED)
    assert safety.load_positions() == []
    safety.record_fill(filled, PositionRecord("MES", 1, T0))
    assert safety.get_order("O-1") == filled
    assert safety.load_positions() == [PositionRecord("MES", 1, T0)]
