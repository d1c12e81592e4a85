"""Orders carry their instrument and source; existing orders are backfilled from their fills and signals.

instrument = the instrument of the order's fills, else of its signal, else 'MES' (the only
instrument the safety gate allows by default). source = the source of its fills, else of its
signal, else 'live', so that an order of unknown origin counts as real exposure.

Revision ID: 0002_orders_instrument_source
Revises: 0001_initial_schema
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_orders_instrument_source"
down_revision: str | None = "0001_initial_schema"
branch_labels: str | None = None
depends_on: str | None = None

DEFAULT_INSTRUMENT = "MES"
DEFAULT_SOURCE = "live"

_orders = sa.table(
    "orders",
    sa.column("order_id", sa.String),
    sa.column("signal_id", sa.String),
    sa.column("instrument", sa.String),
    sa.column("source", sa.String),
)
_fills = sa.table(
    "fills",
    sa.column("order_id", sa.String),
    sa.column("instrument", sa.String),
    sa.column("source", sa.String),
)
_signals = sa.table(
    "signals",
    sa.column("signal_id", sa.String),
    sa.column("instrument", sa.String),
    sa.column("source", sa.String),
)


def _from_fills(column: str) -> sa.ScalarSelect[str]:
    return (
        sa.select(sa.func.min(_fills.c[column]))
        .where(_fills.c.order_id == _orders.c.order_id)
        .scalar_subquery()
    )


def _from_signal(column: str) -> sa.ScalarSelect[str]:
    return (
        sa.select(sa.func.min(_signals.c[column]))
        .where(_signals.c.signal_id == _orders.c.signal_id)
        .scalar_subquery()
    )


def upgrade() -> None:
    """Add orders.instrument and orders.source, backfill them, then make them required."""
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("instrument", sa.String(16), nullable=True))
        batch.add_column(sa.Column("source", sa.String(16), nullable=True))
    op.execute(
        _orders.update().values(
            instrument=sa.func.coalesce(
                _from_fills("instrument"), _from_signal("instrument"), DEFAULT_INSTRUMENT
            ),
            source=sa.func.coalesce(_from_fills("source"), _from_signal("source"), DEFAULT_SOURCE),
        )
    )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("instrument", existing_type=sa.String(16), nullable=False)
        batch.alter_column("source", existing_type=sa.String(16), nullable=False)
        batch.create_check_constraint(
            op.f("ck_orders_source"), "source IN ('synthetic', 'replay', 'live')"
        )
        batch.drop_index(op.f("ix_orders_status"))
        batch.drop_index(op.f("ix_orders_signal_id"))
        batch.create_index(op.f("ix_orders_source_status"), ["source", "status"])
        batch.create_index(op.f("ix_orders_source_signal_id"), ["source", "signal_id"])


def downgrade() -> None:
    """Drop orders.instrument and orders.source (derived data), restoring the first indexes."""
    with op.batch_alter_table("orders") as batch:
        batch.drop_index(op.f("ix_orders_source_status"))
        batch.drop_index(op.f("ix_orders_source_signal_id"))
        batch.drop_constraint(op.f("ck_orders_source"), type_="check")
        batch.drop_column("source")
        batch.drop_column("instrument")
        batch.create_index(op.f("ix_orders_status"), ["status"])
        batch.create_index(op.f("ix_orders_signal_id"), ["signal_id"])
