"""Order tracking on SQLite and PostgreSQL: forward-only status, idempotent confirmations, fills."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from sqlalchemy import text
from store_builders import T0, order

from orderflow_lib.core.errors import StoreError, ValidationError
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus, OrderType
from orderflow_lib.risk.tracking import apply_fill
from orderflow_lib.store import FillRecord, OrderConflictError, OrderWrite, Store


def test_save_when_order_moves_pending_submitted_filled_then_each_step_is_stored(
    store: Store,
) -> None:
    orders = store.orders("live")
    submitted = order(status=OrderStatus.SUBMITTED, updated_ts_ns=T0 + 1, broker_order_id="77")
    filled = order(
        status=OrderStatus.FILLED,
        updated_ts_ns=T0 + 2,
        broker_order_id="77",
        filled_quantity=1,
        filled_price_ticks=20041,
        filled_ts_ns=T0 + 2,
    )

    outcomes = [orders.save(order()), orders.save(submitted), orders.save(filled)]

    assert outcomes == [OrderWrite.INSERTED, OrderWrite.UPDATED, OrderWrite.UPDATED]
    assert orders.get("O-1") == filled


def test_save_when_confirmation_repeats_then_duplicate_changes_nothing(store: Store) -> None:
    orders = store.orders("live")
    filled = order(status=OrderStatus.FILLED, filled_quantity=1, filled_price_ticks=20041)
    orders.save(filled)

    outcome = orders.save(filled)

    assert outcome is OrderWrite.DUPLICATE
    assert orders.all_orders() == [filled]


def test_save_when_submitted_arrives_after_filled_then_stale_and_order_stays_filled(
    store: Store,
) -> None:
    orders = store.orders("live")
    filled = order(status=OrderStatus.FILLED, updated_ts_ns=T0 + 5, filled_quantity=1)
    orders.save(filled)

    outcome = orders.save(order(status=OrderStatus.SUBMITTED, updated_ts_ns=T0 + 3))

    assert outcome is OrderWrite.STALE
    assert orders.get("O-1") == filled


def test_save_when_filled_order_gets_cancelled_then_refused_and_stored_order_intact(
    store: Store,
) -> None:
    orders = store.orders("live")
    filled = order(status=OrderStatus.FILLED, filled_quantity=1)
    orders.save(filled)

    with pytest.raises(OrderConflictError, match=r"O-1 is already FILLED.*CANCELLED"):
        orders.save(order(status=OrderStatus.CANCELLED, updated_ts_ns=T0 + 9, filled_quantity=1))

    assert orders.get("O-1") == filled


def test_save_when_order_id_reused_with_other_quantity_then_refused(store: Store) -> None:
    orders = store.orders("live")
    orders.save(order())

    with pytest.raises(OrderConflictError, match="quantity is 1 in the store but 2"):
        orders.save(order(quantity=2))

    assert orders.get("O-1") == order()


def test_save_when_order_belongs_to_other_source_then_refused_and_invisible(store: Store) -> None:
    store.orders("replay").save(order())

    with pytest.raises(OrderConflictError, match="belongs to source replay, not live"):
        store.orders("live").save(order(status=OrderStatus.SUBMITTED))

    assert store.orders("live").get("O-1") is None
    assert store.orders("replay").get("O-1") == order()


def test_save_when_filled_quantity_exceeds_quantity_then_validation_error(store: Store) -> None:
    with pytest.raises(ValidationError, match=r"filled_quantity must be in 0\.\.1; was 2"):
        store.orders("live").save(order(filled_quantity=2))

    assert store.orders("live").all_orders() == []


def test_all_orders_when_filtered_by_status_then_only_open_orders_oldest_first(
    store: Store,
) -> None:
    orders = store.orders("live")
    orders.save(order("O-2", created_ts_ns=T0 + 2, updated_ts_ns=T0 + 2))
    orders.save(order("O-1", status=OrderStatus.SUBMITTED))
    orders.save(order("O-3", created_ts_ns=T0 + 3, updated_ts_ns=T0 + 3, status="REJECTED"))

    open_orders = orders.all_orders([OrderStatus.PENDING, OrderStatus.SUBMITTED])

    assert [o.order_id for o in open_orders] == ["O-1", "O-2"]
    assert [o.order_id for o in orders.for_signal("S-1")] == ["O-1", "O-2", "O-3"]


def test_add_fill_when_exec_id_repeats_then_stored_once(store: Store) -> None:
    orders = store.orders("live")
    fill = FillRecord(
        exec_id="E-1",
        order_id="O-1",
        instrument="MES",
        action=OrderAction.BUY,
        quantity=1,
        price_ticks=20041,
        commission=0.62,
        currency="USD",
        ts_ns=T0 + 2,
    )

    first, second = orders.add_fill(fill), orders.add_fill(fill)

    assert (first, second) == (True, False)
    assert orders.fills(order_id="O-1") == [fill]
    assert orders.fills(start_ns=T0 + 3) == []
    assert store.orders("replay").fills() == []


def test_orders_when_source_unknown_then_validation_error_names_it(store: Store) -> None:
    with pytest.raises(ValidationError, match="was 'paper'"):
        store.orders("paper")


def test_store_error_is_parent_of_order_conflict() -> None:
    assert issubclass(OrderConflictError, StoreError)


def test_save_when_complete_fill_arrives_after_cancel_then_order_becomes_filled(
    store: Store,
) -> None:
    orders = store.orders("live")
    orders.save(order(status=OrderStatus.CANCELLED, updated_ts_ns=T0 + 5))
    filled = order(
        status=OrderStatus.FILLED,
        updated_ts_ns=T0 + 6,
        filled_quantity=1,
        filled_price_ticks=20041,
        filled_ts_ns=T0 + 4,
    )

    outcome = orders.save(filled)

    assert outcome is OrderWrite.UPDATED
    assert orders.get("O-1") == filled


def test_save_when_fill_price_is_whole_int_then_reloaded_as_equal_float(store: Store) -> None:
    orders = store.orders("live")

    orders.save(order(status=OrderStatus.FILLED, filled_quantity=1, filled_price_ticks=20041))

    stored = orders.get("O-1")
    assert stored is not None and stored.filled_price_ticks == 20041.0
    assert type(stored.filled_price_ticks) is float


def test_save_when_two_lots_fill_at_two_prices_then_fractional_average_reloads_exactly(
    store: Store,
) -> None:
    orders = store.orders("live")
    placed = order(quantity=2, status=OrderStatus.SUBMITTED, broker_order_id="77")
    first = apply_fill(placed, 1, 20041, T0 + 1)
    assert first is not None
    partial, _ = first
    second = apply_fill(partial, 2, 20042, T0 + 2)
    assert second is not None
    filled, _ = second
    orders.save(placed)

    outcomes = [orders.save(partial), orders.save(filled), orders.save(filled)]

    assert outcomes == [OrderWrite.UPDATED, OrderWrite.UPDATED, OrderWrite.DUPLICATE]
    assert filled.filled_price_ticks == 20041.5
    assert orders.get("O-1") == filled
    assert store.orders("live").all_orders() == [filled]


def test_save_when_average_is_not_a_binary_fraction_then_reloads_bit_for_bit(
    store: Store,
) -> None:
    orders = store.orders("live")
    average = (20041 + 20041 + 20042) / 3

    orders.save(
        order(quantity=3, status=OrderStatus.FILLED, filled_quantity=3, filled_price_ticks=average)
    )

    stored = orders.get("O-1")
    assert stored is not None and stored.filled_price_ticks is not None
    assert stored.filled_price_ticks.hex() == average.hex()


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (10**400, "1" + "0" * 400),
    ],
)
def test_save_when_fill_price_is_not_finite_then_refused_and_stored_order_intact(
    store: Store, bad: float, shown: str
) -> None:
    orders = store.orders("live")
    orders.save(order())

    with pytest.raises(
        ValidationError,
        match=rf"order\.filled_price_ticks must be a finite number of ticks; was {shown}$",
    ):
        orders.save(order(status=OrderStatus.FILLED, filled_quantity=1, filled_price_ticks=bad))

    assert orders.get("O-1") == order()


def test_save_when_fill_price_is_text_then_refused_naming_the_field(store: Store) -> None:
    orders = store.orders("live")

    with pytest.raises(
        ValidationError,
        match=r"order\.filled_price_ticks must be a number of ticks or None; was '20041'",
    ):
        orders.save(order(status=OrderStatus.FILLED, filled_quantity=1, filled_price_ticks="20041"))

    assert orders.all_orders() == []


def test_save_when_entry_price_is_fractional_then_refused_and_stored_order_intact(
    store: Store,
) -> None:
    orders = store.orders("live")
    orders.save(order())

    with pytest.raises(
        ValidationError, match=r"order\.price_ticks must be a whole number of ticks; was 20040\.5"
    ):
        orders.save(order(status=OrderStatus.SUBMITTED, price_ticks=20040.5))

    assert orders.get("O-1") == order()


def _bracket() -> tuple[OrderRecord, OrderRecord, OrderRecord]:
    """A market BUY parent O-1 with its protective stop O-2 and target limit O-3 (one OCA group)."""
    child = order(action=OrderAction.SELL, parent_id="O-1", oca_group="OCA-O-1")
    stop = replace(
        child, order_id="O-2", price_ticks=20032, order_type=OrderType.STOP, created_ts_ns=T0 + 1
    )
    target = replace(
        child, order_id="O-3", price_ticks=20056, order_type=OrderType.LIMIT, created_ts_ns=T0 + 2
    )
    return order(), stop, target


def test_save_when_bracket_stored_then_type_parent_and_oca_group_round_trip(store: Store) -> None:
    orders = store.orders("live")
    parent, stop, target = _bracket()

    for record in (parent, stop, target):
        orders.save(record)

    reread = orders.get("O-2")
    assert reread == stop
    assert reread is not None and reread.order_type is OrderType.STOP
    assert orders.get("O-1") == parent and parent.order_type is OrderType.MARKET
    assert orders.children("O-1") == [stop, target]
    assert orders.children("O-2") == []
    assert store.orders("replay").children("O-1") == []


def test_working_when_parent_filled_and_target_cancelled_then_stop_and_new_order_returned(
    store: Store,
) -> None:
    orders = store.orders("live")
    parent, stop, target = _bracket()
    working_stop = replace(stop, status=OrderStatus.SUBMITTED, broker_order_id="12")
    lone = order("O-4", created_ts_ns=T0 + 3, updated_ts_ns=T0 + 3)
    for record in (
        replace(parent, status=OrderStatus.FILLED, filled_quantity=1, filled_price_ticks=20040),
        working_stop,
        replace(target, status=OrderStatus.CANCELLED),
        lone,
    ):
        orders.save(record)
    store.orders("replay").save(order("O-5"))

    working = orders.working()

    assert working == [working_stop, lone]


def test_save_when_order_type_unknown_then_validation_error_and_stored_order_intact(
    store: Store,
) -> None:
    orders = store.orders("live")
    _, stop, _ = _bracket()
    orders.save(stop)

    with pytest.raises(
        ValidationError, match=r"order\.order_type must be one of MKT, STP, LMT; was 'MOC'"
    ):
        orders.save(replace(stop, status=OrderStatus.SUBMITTED, order_type="MOC"))

    assert orders.get("O-2") == stop


def test_database_when_order_type_unknown_then_check_refuses_and_stored_order_intact(
    store: Store,
) -> None:
    orders = store.orders("live")
    _, stop, _ = _bracket()
    orders.save(stop)

    with (
        pytest.raises(StoreError, match=r"(?i)check constraint.*ck_orders_order_type"),
        store.write() as session,
    ):
        session.execute(text("UPDATE orders SET order_type = 'MOC' WHERE order_id = 'O-2'"))

    assert orders.get("O-2") == stop


def test_save_when_child_reused_with_other_parent_then_refused_and_stored_order_intact(
    store: Store,
) -> None:
    orders = store.orders("live")
    _, stop, _ = _bracket()
    orders.save(stop)

    with pytest.raises(OrderConflictError, match="parent_id is 'O-1' in the store but 'O-9'"):
        orders.save(replace(stop, status=OrderStatus.SUBMITTED, parent_id="O-9"))

    assert orders.get("O-2") == stop


@pytest.mark.parametrize("name", ["parent_id", "oca_group"])
def test_save_when_bracket_link_too_long_then_validation_error_names_it(
    store: Store, name: str
) -> None:
    orders = store.orders("live")

    with pytest.raises(ValidationError, match=rf"order\.{name} must be .* at most 64 characters"):
        orders.save(order(**{name: "x" * 65}))

    assert orders.all_orders() == []
