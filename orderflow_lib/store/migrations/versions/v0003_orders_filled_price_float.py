"""orders.filled_price_ticks becomes a double: the average fill price of a multi-lot order can be fractional.

The safety manager records the volume-weighted average fill price (risk.records.OrderRecord), so a
2-lot order filled at 20041 and 20042 ticks averages 20041.5; a whole-tick column had to refuse it,
which raised the trading fence. Stored whole-tick averages are kept exactly (a double holds every
whole number up to 2**53). Downgrade rounds each average to the nearest whole tick (ties to even, as
PostgreSQL's own cast does), computed in Python because SQLite's CAST truncates.

Revision ID: 0003_orders_filled_price_float
Revises: 0002_orders_instrument_source
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_orders_filled_price_float"
down_revision: str | None = "0002_orders_instrument_source"
branch_labels: str | None = None
depends_on: str | None = None

_orders = sa.table(
    "orders",
    sa.column("order_id", sa.String),
    sa.column("filled_price_ticks", sa.Double),
)


def upgrade() -> None:
    """Widen orders.filled_price_ticks from BIGINT to DOUBLE PRECISION, keeping every value."""
    with op.batch_alter_table("orders") as batch:
        batch.alter_column(
            "filled_price_ticks",
            existing_type=sa.BigInteger(),
            type_=sa.Double(),
            existing_nullable=True,
        )


def _round_fractional_averages() -> None:
    """Replace each fractional average by its nearest whole tick before the column narrows."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_orders.c.order_id, _orders.c.filled_price_ticks).where(
            _orders.c.filled_price_ticks.is_not(None)
        )
    ).all()
    for row in rows:
        average = float(row.filled_price_ticks)
        whole = round(average)
        if whole != average:
            connection.execute(
                _orders.update()
                .where(_orders.c.order_id == row.order_id)
                .values(filled_price_ticks=float(whole))
            )


def downgrade() -> None:
    """Round fractional averages to whole ticks, then narrow the column back to BIGINT."""
    _round_fractional_averages()
    with op.batch_alter_table("orders") as batch:
        batch.alter_column(
            "filled_price_ticks",
            existing_type=sa.Double(),
            type_=sa.BigInteger(),
            existing_nullable=True,
        )
