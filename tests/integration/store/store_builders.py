"""Small builders of valid records for the store tests (one place, so each test states only what matters)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus
from orderflow_lib.store import CompositeRecord, ProfileRecord

T0 = 1_717_000_000_000_000_000  # 2024-05-29 16:26:40 UTC in ns


def order(order_id: str = "O-1", **changes: Any) -> OrderRecord:
    """A PENDING BUY 1 MES order at 20040 ticks (5010.00)."""
    base = OrderRecord(
        order_id=order_id,
        signal_id="S-1",
        instrument="MES",
        action=OrderAction.BUY,
        quantity=1,
        price_ticks=20040,
        status=OrderStatus.PENDING,
        created_ts_ns=T0,
        updated_ts_ns=T0,
    )
    return replace(base, **changes)


def profile(day: date, **changes: Any) -> ProfileRecord:
    """A volume profile of `day` on ESM24 (replay) with a small payload."""
    base = ProfileRecord(
        trade_date=day,
        kind="volume",
        contract="ESM24",
        source="replay",
        row_ticks=1,
        as_of_ns=T0,
        poc_tick=20040,
        val_tick=20020,
        vah_tick=20060,
        payload={"poc": 20040, "rows": [[20020, 5], [20040, 9]], "va_pct": "7/10"},
    )
    return replace(base, **changes)


def composite(day: date, **changes: Any) -> CompositeRecord:
    """A 5-session rolling composite used on `day`."""
    base = CompositeRecord(
        trade_date=day,
        kind="rolling5",
        contract="ESM24",
        source="replay",
        first_date=date(2024, 5, 20),
        last_date=date(2024, 5, 24),
        n_days=5,
        row_ticks=1,
        as_of_ns=T0,
        poc_tick=19990,
        val_tick=19960,
        vah_tick=20000,
        payload={"days": ["2024-05-20", "2024-05-24"], "mode": "rolling"},
    )
    return replace(base, **changes)
