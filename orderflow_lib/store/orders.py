"""Order tracking and fills of one source: every order's life, saved idempotently and only forward."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus, OrderType
from orderflow_lib.store.errors import OrderConflictError
from orderflow_lib.store.mapping import record_from_row, row_values
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
    if order.parent_id:
        check_text("order.parent_id", order.parent_id, ID_MAX)
    if order.oca_group:
        check_text("order.oca_group", order.oca_group, ID_MAX)
    if order.action not in tuple(OrderAction):
        raise ValidationError(f"order.action must be BUY or SELL; was {order.action!r}")
    if order.status not in tuple(OrderStatus):
        raise ValidationError(
            f"order.status must be one of {', '.join(OrderStatus)}; was {order.status!r}"
        )
    if order.order_type not in tuple(OrderType):
        raise ValidationError(
            f"order.order_type must be one of {', '.join(OrderType)}; was {order.order_type!r}"
        )
    if order.quantity <= 0:
        raise ValidationError(f"order.quantity must be > 0; was {order.quantity}")
    if not 0 <= order.filled_quantity <= order.quantity:
        raise ValidationError(
            f"order.filled_quantity must be in 0..{order.quantity}; was {order.filled_quantity}"
        )


def order_from_row(row: OrderRow) -> OrderRecord:
    """The risk layer's OrderRecord of a stored row (no bracket link is stored as NULL)."""
    return record_from_row(
        OrderRecord, row, parent_id=row.parent_id or "", oca_group=row.oca_group or ""
    )


def _order_values(order: OrderRecord, source: str) -> dict[str, object]:
    return row_values(
        order,
        source=source,
        price_ticks=whole_ticks("order.price_ticks", order.price_ticks),
        filled_price_ticks=finite_ticks("order.filled_price_ticks", order.filled_price_ticks),
        parent_id=order.parent_id or None,
        oca_group=order.oca_group or None,
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
        if statuses is None:
            return self._orders()
        return self._orders(OrderRow.status.in_([str(s) for s in statuses]))

    def working(self) -> list[OrderRecord]:
        """Orders not yet final (PENDING or SUBMITTED), bracket children included, oldest first:
        what a restarted node must find again at the broker."""
        return self.all_orders([status for status in OrderStatus if not status.is_final])

    def children(self, parent_id: str) -> list[OrderRecord]:
        """The bracket children of the order `parent_id` (any status), oldest first."""
        return self._orders(OrderRow.parent_id == parent_id)

    def for_signal(self, signal_id: str) -> list[OrderRecord]:
        """Orders placed for one signal, oldest first."""
        return self._orders(OrderRow.signal_id == signal_id)

    def _orders(self, *conditions: ColumnElement[bool]) -> list[OrderRecord]:
        """Orders of this source meeting every condition, oldest first."""
        query = (
            select(OrderRow)
            .where(OrderRow.source == self._source, *conditions)
            .order_by(OrderRow.created_ts_ns, OrderRow.order_id)
        )
        with self._store.read() as session:
            return [order_from_row(row) for row in session.scalars(query)]

    def add_fill(self, fill: FillRecord) -> bool:
        """Store one execution; False (nothing stored) when its exec_id is already stored."""
        values = row_values(fill, source=self._source)
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
            return [record_from_row(FillRecord, row) for row in session.scalars(query)]
