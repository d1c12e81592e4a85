"""Order tracking and fills of one source: every order's life, saved idempotently and only forward."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus
from orderflow_lib.store.errors import OrderConflictError
from orderflow_lib.store.models import FillRow, OrderRow
from orderflow_lib.store.order_rules import decide_order_write
from orderflow_lib.store.records import ID_MAX, NAME_MAX, FillRecord, OrderWrite, check_text
from orderflow_lib.store.sql import insert_ignore

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store

_MUTABLE_FIELDS = (
    "price_ticks",
    "status",
    "updated_ts_ns",
    "broker_order_id",
    "filled_quantity",
    "filled_price_ticks",
    "filled_ts_ns",
    "reject_reason",
)


def whole_ticks(name: str, value: float | None) -> int | None:
    """`value` as an int number of ticks (a float such as 20041.0 is accepted); None stays None.

    A fractional value (e.g. an entry price of 20040.5 ticks) is refused rather than rounded, so
    that no stored price ever differs from the one the caller computed.
    """
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not float(value).is_integer()
    ):
        raise ValidationError(f"{name} must be a whole number of ticks; was {value!r}")
    return int(value)


def finite_ticks(name: str, value: float | None) -> float | None:
    """`value` as a float number of ticks (fractions kept: an average fill price); None stays None.

    NaN and infinity are refused: no fill happens at such a price, and the databases would not say
    so (PostgreSQL stores them, SQLite turns NaN into NULL).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{name} must be a number of ticks or None; was {value!r}")
    try:
        ticks = float(value)
    except OverflowError:
        ticks = math.inf
    if not math.isfinite(ticks):
        raise ValidationError(f"{name} must be a finite number of ticks; was {value!r}")
    return ticks


def validate_order(order: OrderRecord) -> None:
    """Refuse an order record whose fields the tables cannot hold, naming the field and value."""
    check_text("order.order_id", order.order_id, ID_MAX)
    check_text("order.signal_id", order.signal_id, ID_MAX)
    check_text("order.instrument", order.instrument, NAME_MAX)
    if order.broker_order_id is not None:
        check_text("order.broker_order_id", order.broker_order_id, ID_MAX)
    if order.action not in tuple(OrderAction):
        raise ValidationError(f"order.action must be BUY or SELL; was {order.action!r}")
    if order.status not in tuple(OrderStatus):
        raise ValidationError(
            f"order.status must be one of {', '.join(OrderStatus)}; was {order.status!r}"
        )
    if order.quantity <= 0:
        raise ValidationError(f"order.quantity must be > 0; was {order.quantity}")
    if not 0 <= order.filled_quantity <= order.quantity:
        raise ValidationError(
            f"order.filled_quantity must be in 0..{order.quantity}; was {order.filled_quantity}"
        )


def order_from_row(row: OrderRow) -> OrderRecord:
    """The risk layer's OrderRecord of a stored row."""
    return OrderRecord(
        order_id=row.order_id,
        signal_id=row.signal_id,
        instrument=row.instrument,
        action=OrderAction(row.action),
        quantity=row.quantity,
        price_ticks=row.price_ticks,
        status=OrderStatus(row.status),
        created_ts_ns=row.created_ts_ns,
        updated_ts_ns=row.updated_ts_ns,
        broker_order_id=row.broker_order_id,
        filled_quantity=row.filled_quantity,
        filled_price_ticks=row.filled_price_ticks,
        filled_ts_ns=row.filled_ts_ns,
        reject_reason=row.reject_reason,
    )


def _order_values(order: OrderRecord, source: str) -> dict[str, object]:
    return {
        "order_id": order.order_id,
        "signal_id": order.signal_id,
        "instrument": order.instrument,
        "source": source,
        "action": str(order.action),
        "quantity": order.quantity,
        "price_ticks": whole_ticks("order.price_ticks", order.price_ticks),
        "status": str(order.status),
        "created_ts_ns": order.created_ts_ns,
        "updated_ts_ns": order.updated_ts_ns,
        "broker_order_id": order.broker_order_id,
        "filled_quantity": order.filled_quantity,
        "filled_price_ticks": finite_ticks("order.filled_price_ticks", order.filled_price_ticks),
        "filled_ts_ns": order.filled_ts_ns,
        "reject_reason": order.reject_reason,
    }


def _fill_from_row(row: FillRow) -> FillRecord:
    return FillRecord(
        exec_id=row.exec_id,
        order_id=row.order_id,
        instrument=row.instrument,
        action=OrderAction(row.action),
        quantity=row.quantity,
        price_ticks=row.price_ticks,
        commission=row.commission,
        currency=row.currency,
        ts_ns=row.ts_ns,
    )


class OrderRepository:
    """Orders and fills of one source (synthetic, replay or live)."""

    def __init__(self, store: Store, source: str) -> None:
        self._store = store
        self._source = source

    def save(self, order: OrderRecord) -> OrderWrite:
        """Insert or move `order` forward; duplicates and stale confirmations change nothing.

        OrderConflictError (stored order untouched) when the update contradicts the stored order
        or the order belongs to another source.
        """
        validate_order(order)
        values = _order_values(order, self._source)
        with self._store.write() as session:
            row = session.get(OrderRow, order.order_id, with_for_update=True)
            if row is None:
                if insert_ignore(session, OrderRow, [values], ["order_id"]):
                    return OrderWrite.INSERTED
                row = session.execute(
                    select(OrderRow)
                    .where(OrderRow.order_id == order.order_id)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                ).scalar_one()
            if row.source != self._source:
                raise OrderConflictError(
                    f"order {order.order_id} belongs to source {row.source}, not {self._source}"
                )
            outcome = decide_order_write(order_from_row(row), order)
            if outcome is OrderWrite.UPDATED:
                for name in _MUTABLE_FIELDS:
                    setattr(row, name, values[name])
            return outcome

    def get(self, order_id: str) -> OrderRecord | None:
        """The order with this client id (in this source), or None."""
        with self._store.read() as session:
            row = session.get(OrderRow, order_id)
            return None if row is None or row.source != self._source else order_from_row(row)

    def all_orders(self, statuses: Collection[OrderStatus] | None = None) -> list[OrderRecord]:
        """Orders (all, or those whose status is in `statuses`), oldest first."""
        query = select(OrderRow).where(OrderRow.source == self._source)
        if statuses is not None:
            query = query.where(OrderRow.status.in_([str(s) for s in statuses]))
        query = query.order_by(OrderRow.created_ts_ns, OrderRow.order_id)
        with self._store.read() as session:
            return [order_from_row(row) for row in session.scalars(query)]

    def for_signal(self, signal_id: str) -> list[OrderRecord]:
        """Orders placed for one signal, oldest first."""
        query = (
            select(OrderRow)
            .where(OrderRow.source == self._source, OrderRow.signal_id == signal_id)
            .order_by(OrderRow.created_ts_ns, OrderRow.order_id)
        )
        with self._store.read() as session:
            return [order_from_row(row) for row in session.scalars(query)]

    def add_fill(self, fill: FillRecord) -> bool:
        """Store one execution; False (nothing stored) when its exec_id is already stored."""
        values = {
            "exec_id": fill.exec_id,
            "order_id": fill.order_id,
            "source": self._source,
            "instrument": fill.instrument,
            "action": str(fill.action),
            "quantity": fill.quantity,
            "price_ticks": fill.price_ticks,
            "commission": fill.commission,
            "currency": fill.currency,
            "ts_ns": fill.ts_ns,
        }
        with self._store.write() as session:
            return insert_ignore(session, FillRow, [values], ["exec_id"]) == 1

    def fills(
        self, order_id: str | None = None, start_ns: int | None = None, end_ns: int | None = None
    ) -> list[FillRecord]:
        """Fills of this source (of one order, and/or with start_ns <= ts_ns < end_ns), oldest first."""
        query = select(FillRow).where(FillRow.source == self._source)
        if order_id is not None:
            query = query.where(FillRow.order_id == order_id)
        if start_ns is not None:
            query = query.where(FillRow.ts_ns >= start_ns)
        if end_ns is not None:
            query = query.where(FillRow.ts_ns < end_ns)
        query = query.order_by(FillRow.ts_ns, FillRow.exec_id)
        with self._store.read() as session:
            return [_fill_from_row(row) for row in session.scalars(query)]
