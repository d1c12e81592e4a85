"""Pure order-confirmation rules: forward only, repeats ignored, contradictions refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus, OrderType
from orderflow_lib.store import OrderConflictError, OrderWrite
from orderflow_lib.store.order_rules import decide_order_write

PENDING = OrderRecord(
    order_id="O-1",
    signal_id="S-1",
    instrument="MES",
    action=OrderAction.BUY,
    quantity=2,
    price_ticks=20040,
    status=OrderStatus.PENDING,
    created_ts_ns=100,
    updated_ts_ns=100,
)
SUBMITTED = replace(PENDING, status=OrderStatus.SUBMITTED, updated_ts_ns=110, broker_order_id="9")
PARTIAL = replace(SUBMITTED, filled_quantity=1, filled_price_ticks=20041, updated_ts_ns=120)
FILLED = replace(PARTIAL, status=OrderStatus.FILLED, filled_quantity=2, updated_ts_ns=130)
REJECTED = replace(SUBMITTED, status=OrderStatus.REJECTED, reject_reason="margin")
CANCELLED = replace(SUBMITTED, status=OrderStatus.CANCELLED)


def test_decide_when_nothing_stored_then_insert() -> None:
    assert decide_order_write(None, PENDING) is OrderWrite.INSERTED


@pytest.mark.parametrize(
    ("stored", "incoming"),
    [
        (PENDING, SUBMITTED),
        (PENDING, FILLED),
        (SUBMITTED, PARTIAL),
        (PARTIAL, FILLED),
        (SUBMITTED, REJECTED),
        (PENDING, CANCELLED),
    ],
)
def test_decide_when_status_moves_forward_then_update(
    stored: OrderRecord, incoming: OrderRecord
) -> None:
    assert decide_order_write(stored, incoming) is OrderWrite.UPDATED


@pytest.mark.parametrize("record", [PENDING, SUBMITTED, FILLED, REJECTED, CANCELLED])
def test_decide_when_same_record_again_then_duplicate(record: OrderRecord) -> None:
    assert decide_order_write(record, record) is OrderWrite.DUPLICATE


def test_decide_when_final_order_learns_broker_id_later_then_update() -> None:
    late_id = replace(FILLED, broker_order_id="10", updated_ts_ns=140)

    assert decide_order_write(FILLED, late_id) is OrderWrite.UPDATED


@pytest.mark.parametrize("stored", [REJECTED, CANCELLED])
def test_decide_when_complete_fill_follows_reject_or_cancel_then_fill_wins(
    stored: OrderRecord,
) -> None:
    assert decide_order_write(stored, replace(FILLED, reject_reason=stored.reject_reason)) is (
        OrderWrite.UPDATED
    )


def test_decide_when_cancelled_order_reports_older_partial_fill_then_fill_is_kept() -> None:
    late_fill = replace(CANCELLED, filled_quantity=1, filled_price_ticks=20041, updated_ts_ns=105)

    assert decide_order_write(CANCELLED, late_fill) is OrderWrite.UPDATED


@pytest.mark.parametrize(
    ("stored", "incoming"),
    [
        (SUBMITTED, PENDING),
        (FILLED, SUBMITTED),
        (FILLED, PENDING),
        (REJECTED, SUBMITTED),
        (PARTIAL, SUBMITTED),
        (PARTIAL, replace(PARTIAL, updated_ts_ns=115)),
    ],
)
def test_decide_when_confirmation_is_older_than_stored_then_stale(
    stored: OrderRecord, incoming: OrderRecord
) -> None:
    assert decide_order_write(stored, incoming) is OrderWrite.STALE


@pytest.mark.parametrize(
    ("stored", "incoming"),
    [
        (FILLED, replace(CANCELLED, filled_quantity=2)),
        (FILLED, replace(REJECTED, filled_quantity=2)),
        (REJECTED, CANCELLED),
        (CANCELLED, REJECTED),
        (CANCELLED, replace(PARTIAL, status=OrderStatus.FILLED)),
    ],
)
def test_decide_when_final_status_contradicted_then_conflict(
    stored: OrderRecord, incoming: OrderRecord
) -> None:
    with pytest.raises(OrderConflictError, match=f"already {stored.status}"):
        decide_order_write(stored, incoming)


@pytest.mark.parametrize(
    "changes",
    [
        {"signal_id": "S-2"},
        {"instrument": "ES"},
        {"action": OrderAction.SELL},
        {"quantity": 3},
        {"created_ts_ns": 101},
        {"order_type": OrderType.STOP},
        {"parent_id": "O-0"},
        {"oca_group": "OCA-1"},
    ],
)
def test_decide_when_identity_field_differs_then_conflict_names_it(
    changes: dict[str, object],
) -> None:
    name = next(iter(changes))

    with pytest.raises(OrderConflictError, match=f"{name} is"):
        decide_order_write(PENDING, replace(SUBMITTED, **changes))
