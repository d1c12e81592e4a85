"""Backtest runs are kept, so two runs of the same settings (config hash) can be compared.

A new table backtest_runs: one row per `orderflow backtest` run with its settings hash, source,
seed, first and last trade date (NULL when the run covered none), the totals and the per-day
results as JSON. Downgrade drops the table and the runs with it.

Revision ID: 0006_backtest_runs
Revises: 0005_security_log_market_time
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_backtest_runs"
down_revision: str | None = "0005_security_log_market_time"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create backtest_runs with its date check and its (config_hash, created_ts_ns) index."""
    op.create_table(
        "backtest_runs",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("created_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("totals", JSON, nullable=False),
        sa.Column("days", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtest_runs")),
        sa.CheckConstraint("first_date <= last_date", name=op.f("ck_backtest_runs_dates")),
    )
    op.create_index(
        op.f("ix_backtest_runs_config_hash_created_ts_ns"),
        "backtest_runs",
        ["config_hash", "created_ts_ns"],
        unique=False,
    )


def downgrade() -> None:
    """Drop backtest_runs (the stored runs go with it)."""
    op.drop_index(op.f("ix_backtest_runs_config_hash_created_ts_ns"), table_name="backtest_runs")
    op.drop_table("backtest_runs")
