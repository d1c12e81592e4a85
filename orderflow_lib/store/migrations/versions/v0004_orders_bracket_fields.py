"""Orders carry their type and bracket links, so a restarted node can adopt the working children.

order_type (MKT, STP or LMT; existing orders were all market orders, so they become MKT),
parent_id (the parent's order_id for a bracket child) and oca_group (one fill cancels the rest of
the group); both NULL for a lone order. An index on (source, parent_id) finds a parent's children.
Downgrade drops the three columns: orders are kept, but a stop or limit child then reads as a lone
market order, so only downgrade a store with no working bracket.

Revision ID: 0004_orders_bracket_fields
Revises: 0003_orders_filled_price_float
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_orders_bracket_fields"
down_revision: str | None = "0003_orders_filled_price_float"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add orders.order_type (existing rows MKT), parent_id and oca_group, with check and index."""
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column("order_type", sa.String(3), nullable=False, server_default="MKT")
        )
        batch.add_column(sa.Column("parent_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("oca_group", sa.String(64), nullable=True))
        batch.create_check_constraint(
            op.f("ck_orders_order_type"), "order_type IN ('MKT', 'STP', 'LMT')"
        )
        batch.create_index(op.f("ix_orders_source_parent_id"), ["source", "parent_id"])


def downgrade() -> None:
    """Drop orders.order_type, parent_id and oca_group with their check and index."""
    with op.batch_alter_table("orders") as batch:
        batch.drop_index(op.f("ix_orders_source_parent_id"))
        batch.drop_constraint(op.f("ck_orders_order_type"), type_="check")
        batch.drop_column("oca_group")
        batch.drop_column("parent_id")
        batch.drop_column("order_type")
