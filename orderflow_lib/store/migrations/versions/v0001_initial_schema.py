"""Initial schema: orders (without instrument and source), fills, safety, audit, market data, profiles, plans.

Revision ID: 0001_initial_schema
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_initial_schema"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

SOURCES = "'synthetic', 'replay', 'live'"
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _source_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"source IN ({SOURCES})", name=op.f(f"ck_{table}_source"))


def _action_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("action IN ('BUY', 'SELL')", name=op.f(f"ck_{table}_action"))


def _row_id() -> sa.Column[int]:
    return sa.Column("id", ROW_ID, autoincrement=True, nullable=False)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False)


def _create_trading_tables() -> None:
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("signal_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_ticks", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("broker_order_id", sa.String(64), nullable=True),
        sa.Column("filled_quantity", sa.Integer(), nullable=False),
        sa.Column("filled_price_ticks", sa.BigInteger(), nullable=True),
        sa.Column("filled_ts_ns", sa.BigInteger(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        _pk("orders", "order_id"),
        _action_check("orders"),
        sa.CheckConstraint(
            "status IN ('PENDING', 'SUBMITTED', 'FILLED', 'REJECTED', 'CANCELLED')",
            name=op.f("ck_orders_status"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_orders_quantity")),
        sa.CheckConstraint(
            "filled_quantity >= 0 AND filled_quantity <= quantity", name=op.f("ck_orders_filled")
        ),
    )
    _index("orders", "status")
    _index("orders", "signal_id")
    op.create_table(
        "fills",
        sa.Column("exec_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("action", sa.String(4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_ticks", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.Double(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        _pk("fills", "exec_id"),
        _action_check("fills"),
        _source_check("fills"),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_fills_quantity")),
    )
    _index("fills", "source", "ts_ns")
    _index("fills", "order_id")
    op.create_table(
        "positions",
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        _pk("positions", "source", "instrument"),
        _source_check("positions"),
    )


def _create_safety_tables() -> None:
    op.create_table(
        "safety_state",
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("trading_state", sa.String(16), nullable=False),
        sa.Column("trading_state_reason", sa.Text(), nullable=False),
        sa.Column("fence_active", sa.Boolean(), nullable=False),
        sa.Column("fence_reason", sa.Text(), nullable=False),
        sa.Column("fence_ts_ns", sa.BigInteger(), nullable=True),
        sa.Column("breaker_tripped", sa.Boolean(), nullable=False),
        sa.Column("breaker_trade_date", sa.Date(), nullable=True),
        sa.Column("breaker_ts_ns", sa.BigInteger(), nullable=True),
        sa.Column("reconciliation_mismatch", sa.Boolean(), nullable=False),
        sa.Column("reconciliation_detail", sa.Text(), nullable=False),
        sa.Column("max_drawdown_gbp", sa.Double(), nullable=False),
        sa.Column("reject_cooldown_min", sa.Integer(), nullable=False),
        sa.Column("allowed_instruments", JSON, nullable=False),
        sa.Column("max_position", sa.Integer(), nullable=False),
        sa.Column("max_order_size", sa.Integer(), nullable=False),
        sa.Column("trading_window", sa.String(16), nullable=False),
        sa.Column("price_sanity_ticks", sa.Integer(), nullable=False),
        sa.Column("max_orders_per_minute", sa.Integer(), nullable=False),
        sa.Column("reconciliation", sa.Boolean(), nullable=False),
        sa.Column("updated_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        _pk("safety_state", "source"),
        _source_check("safety_state"),
        sa.CheckConstraint(
            "trading_state IN ('ACTIVE', 'REDUCING', 'HALTED')",
            name=op.f("ck_safety_state_trading_state"),
        ),
    )
    op.create_table(
        "denials",
        _row_id(),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("signal_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("action", sa.String(4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_ticks", sa.BigInteger(), nullable=False),
        _pk("denials", "id"),
        _source_check("denials"),
        _action_check("denials"),
    )
    _index("denials", "source", "ts_ns")
    op.create_table(
        "rejected_orders",
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("signal_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("price_ticks", sa.BigInteger(), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("expires_ns", sa.BigInteger(), nullable=False),
        _pk("rejected_orders", "source", "signal_id"),
        _source_check("rejected_orders"),
        sa.CheckConstraint("expires_ns >= ts_ns", name=op.f("ck_rejected_orders_expiry")),
    )
    _index("rejected_orders", "source", "expires_ns")
    op.create_table(
        "security_log",
        _row_id(),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        _pk("security_log", "id"),
        _source_check("security_log"),
    )
    _index("security_log", "source", "ts_ns")
    op.create_table(
        "system_status",
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("balance_gbp", sa.Double(), nullable=True),
        sa.Column("balance_usd", sa.Double(), nullable=True),
        sa.Column("usd_per_gbp", sa.Double(), nullable=True),
        sa.Column("broker_connected", sa.Boolean(), nullable=False),
        sa.Column("feed_connected", sa.Boolean(), nullable=False),
        sa.Column("connections", JSON, nullable=False),
        sa.Column("updated_ts_ns", sa.BigInteger(), nullable=False),
        _pk("system_status", "source"),
        _source_check("system_status"),
    )


def _create_market_tables() -> None:
    op.create_table(
        "signals",
        sa.Column("signal_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(32), nullable=False),
        sa.Column("action", sa.String(4), nullable=False),
        sa.Column("price_ticks", sa.BigInteger(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        _pk("signals", "signal_id"),
        _source_check("signals"),
        _action_check("signals"),
    )
    _index("signals", "source", "ts_ns")
    op.create_table(
        "market_snapshots",
        _row_id(),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("last_ticks", sa.BigInteger(), nullable=True),
        sa.Column("bid_ticks", sa.BigInteger(), nullable=True),
        sa.Column("ask_ticks", sa.BigInteger(), nullable=True),
        sa.Column("volume", sa.BigInteger(), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        _pk("market_snapshots", "id"),
        _source_check("market_snapshots"),
        _unique("market_snapshots", "contract", "source", "ts_ns"),
    )


def _profile_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("poc_tick", sa.BigInteger(), nullable=True),
        sa.Column("val_tick", sa.BigInteger(), nullable=True),
        sa.Column("vah_tick", sa.BigInteger(), nullable=True),
        sa.Column("row_ticks", sa.Integer(), nullable=False),
        sa.Column("as_of_ns", sa.BigInteger(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
    ]


def _create_profile_tables() -> None:
    op.create_table(
        "daily_profiles",
        _row_id(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        *_profile_columns(),
        _pk("daily_profiles", "id"),
        _source_check("daily_profiles"),
        sa.CheckConstraint("row_ticks > 0", name=op.f("ck_daily_profiles_row_ticks")),
        _unique("daily_profiles", "trade_date", "kind", "contract", "source"),
    )
    op.create_table(
        "composite_profiles",
        _row_id(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("n_days", sa.Integer(), nullable=False),
        *_profile_columns(),
        _pk("composite_profiles", "id"),
        _source_check("composite_profiles"),
        sa.CheckConstraint("row_ticks > 0", name=op.f("ck_composite_profiles_row_ticks")),
        sa.CheckConstraint("first_date <= last_date", name=op.f("ck_composite_profiles_dates")),
        _unique("composite_profiles", "trade_date", "kind", "contract", "source"),
    )
    op.create_table(
        "cva_archive",
        _row_id(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("poc_tick", sa.BigInteger(), nullable=False),
        sa.Column("vah_tick", sa.BigInteger(), nullable=False),
        sa.Column("val_tick", sa.BigInteger(), nullable=False),
        sa.Column("width_ticks", sa.Integer(), nullable=False),
        sa.Column("days_window", JSON, nullable=False),
        sa.Column("character", sa.String(32), nullable=False),
        sa.Column("shape", sa.String(32), nullable=False),
        _pk("cva_archive", "id"),
        _source_check("cva_archive"),
        sa.CheckConstraint(
            "val_tick <= poc_tick AND poc_tick <= vah_tick", name=op.f("ck_cva_archive_levels")
        ),
        _unique("cva_archive", "trade_date", "contract", "source"),
    )


def _create_plan_tables() -> None:
    op.create_table(
        "plans",
        _row_id(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("regime", sa.String(32), nullable=False),
        sa.Column("bias", sa.String(16), nullable=False),
        sa.Column("confidence", sa.String(16), nullable=False),
        sa.Column("created_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        _pk("plans", "id"),
        _source_check("plans"),
        _unique("plans", "trade_date", "contract", "source"),
    )
    op.create_table(
        "reviews",
        _row_id(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("created_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        _pk("reviews", "id"),
        _source_check("reviews"),
        _unique("reviews", "trade_date", "contract", "source"),
    )


TABLES = (
    "reviews",
    "plans",
    "cva_archive",
    "composite_profiles",
    "daily_profiles",
    "market_snapshots",
    "signals",
    "system_status",
    "security_log",
    "rejected_orders",
    "denials",
    "safety_state",
    "positions",
    "fills",
    "orders",
)


def upgrade() -> None:
    """Create every table of the first schema."""
    _create_trading_tables()
    _create_safety_tables()
    _create_market_tables()
    _create_profile_tables()
    _create_plan_tables()


def downgrade() -> None:
    """Drop every table (back to an empty database)."""
    for table in TABLES:
        op.drop_table(table)
