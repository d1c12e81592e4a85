"""Positions and P&L in USD and GBP (spec §1.1): pnl = (exit − entry) ticks × side × qty × tick value."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from orderflow_lib.core.errors import BrokerError

TICK_VALUE_USD = MappingProxyType({"ES": 12.50, "MES": 1.25})
"""USD per tick per contract of ES and MES."""


def tick_value_usd(instrument: str) -> float:
    """USD value of one tick of one contract of an instrument root (ES $12.50, MES $1.25)."""
    try:
        return TICK_VALUE_USD[instrument]
    except KeyError:
        raise BrokerError(
            f"no tick value for instrument {instrument!r}; known: {sorted(TICK_VALUE_USD)}"
        ) from None


def trade_pnl_usd(
    entry_ticks: float, exit_ticks: float, side: int, quantity: int, tick_value: float
) -> float:
    """P&L of a round trip: (exit − entry) × side × quantity × tick value; side +1 long, −1 short."""
    if side not in (1, -1):
        raise ValueError(f"side must be +1 (long) or -1 (short), was {side}")
    return (exit_ticks - entry_ticks) * side * quantity * tick_value


def usd_to_gbp(amount_usd: float, gbp_per_usd: float) -> float:
    """Convert USD to GBP at the broker's rate (GBP for one USD)."""
    if not gbp_per_usd > 0:
        raise ValueError(f"gbp_per_usd must be > 0, was {gbp_per_usd}")
    return amount_usd * gbp_per_usd


@dataclass(slots=True)
class Position:
    """Net position of one instrument: signed quantity, average entry (ticks), realised USD."""

    instrument: str
    quantity: int = 0
    avg_entry_ticks: float = 0.0
    realized_usd: float = 0.0

    def unrealized_usd(self, mark_ticks: float) -> float:
        """Open P&L marked at `mark_ticks`."""
        if self.quantity == 0:
            return 0.0
        side = 1 if self.quantity > 0 else -1
        return trade_pnl_usd(
            self.avg_entry_ticks,
            mark_ticks,
            side,
            abs(self.quantity),
            tick_value_usd(self.instrument),
        )


@dataclass(slots=True)
class PositionBook:
    """Positions built from fills; realised P&L booked on the closing part of each fill."""

    positions: dict[str, Position] = field(default_factory=dict)

    def apply_fill(self, instrument: str, signed_quantity: int, price_ticks: float) -> float:
        """Book a fill (+ buy / − sell) and return the USD P&L it realised."""
        pos = self.positions.setdefault(instrument, Position(instrument))
        realized = 0.0
        if pos.quantity != 0 and (pos.quantity > 0) != (signed_quantity > 0):
            closing = min(abs(pos.quantity), abs(signed_quantity))
            side = 1 if pos.quantity > 0 else -1
            realized = trade_pnl_usd(
                pos.avg_entry_ticks, price_ticks, side, closing, tick_value_usd(instrument)
            )
            pos.realized_usd += realized
            pos.quantity -= side * closing
            opening = abs(signed_quantity) - closing
            if pos.quantity == 0:
                pos.avg_entry_ticks = 0.0
            if opening > 0:
                pos.quantity = opening * (1 if signed_quantity > 0 else -1)
                pos.avg_entry_ticks = float(price_ticks)
            return realized
        total = abs(pos.quantity) + abs(signed_quantity)
        pos.avg_entry_ticks = (
            pos.avg_entry_ticks * abs(pos.quantity) + price_ticks * abs(signed_quantity)
        ) / total
        pos.quantity += signed_quantity
        return realized

    def quantities(self) -> dict[str, int]:
        """Non-zero net positions by instrument."""
        return {k: p.quantity for k, p in sorted(self.positions.items()) if p.quantity != 0}

    def realized_usd(self) -> float:
        """Realised P&L over all instruments."""
        return sum(p.realized_usd for p in self.positions.values())

    def unrealized_usd(self, marks: dict[str, float]) -> float:
        """Open P&L over all instruments, each marked at `marks[instrument]` (unmarked count 0)."""
        return sum(p.unrealized_usd(marks[k]) for k, p in self.positions.items() if k in marks)
