"""Audit entries keep wall-clock time and market time apart.

security_log.ts_ns is wall-clock UTC from now on; the new security_log.market_ts_ns holds the
market clock's time of the entry (in replay and synthetic runs it differs from the wall clock).
Rows written before carry NULL: their single time was the market clock's. Downgrade drops the
column; the entries are kept.

Revision ID: 0005_security_log_market_time
Revises: 0004_orders_bracket_fields
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_security_log_market_time"
down_revision: str | None = "0004_orders_bracket_fields"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add security_log.market_ts_ns (NULL for existing rows)."""
    with op.batch_alter_table("security_log") as batch:
        batch.add_column(sa.Column("market_ts_ns", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop security_log.market_ts_ns."""
    with op.batch_alter_table("security_log") as batch:
        batch.drop_column("market_ts_ns")
