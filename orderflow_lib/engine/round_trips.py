"""Round trips of the traded instrument, built from fills as they arrive: the entry (a bracket's
parent), its protective stop, and how and where the position closed (target, stop or exit), with
the result in ticks, R and USD. The review and the dashboard read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from orderflow_lib.risk.records import OrderRecord, OrderType


@dataclass(slots=True)
class RoundTrip:
    """One position from flat to flat; prices are volume-weighted ticks (fractional when fills
    differ), `stop_ticks` the protective stop at entry (None without a bracket)."""

    signal_id: str
    scenario_id: str
    direction: int
    entry_ts_ns: int
    quantity: int = 0
    entry_value: Fraction = Fraction(0)
    stop_ticks: int | None = None
    exit_value: Fraction = Fraction(0)
    exit_quantity: int = 0
    exit_ts_ns: int | None = None
    exit_kinds: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """True once the position is flat again."""
        return self.quantity > 0 and self.exit_quantity == self.quantity

    @property
    def entry_ticks(self) -> Fraction:
        """Average entry fill."""
        return Fraction(self.entry_value, self.quantity)

    @property
    def exit_ticks(self) -> Fraction:
        """Average exit fill."""
        return Fraction(self.exit_value, max(self.exit_quantity, 1))

    @property
    def result_ticks(self) -> Fraction:
        """Ticks won (+) or lost (-) per contract."""
        return self.direction * (self.exit_ticks - self.entry_ticks)

    @property
    def r_multiple(self) -> Fraction | None:
        """Result over the risk to the stop, both from the entry fill."""
        if self.stop_ticks is None:
            return None
        risk = self.direction * (self.entry_ticks - self.stop_ticks)
        return None if risk <= 0 else self.result_ticks / risk

    def pnl_usd(self, tick_value_usd: float) -> float:
        """Result in USD for the whole position."""
        return float(self.result_ticks * self.quantity) * tick_value_usd

    def to_dict(self, tick_value_usd: float, gbp_per_usd: float | None) -> dict[str, Any]:
        """Plain dict for the stream and the summary."""
        usd = self.pnl_usd(tick_value_usd)
        r = self.r_multiple
        return {
            "signal_id": self.signal_id,
            "scenario_id": self.scenario_id,
            "direction": self.direction,
            "quantity": self.quantity,
            "entry_ticks": float(self.entry_ticks),
            "stop_ticks": self.stop_ticks,
            "exit_ticks": float(self.exit_ticks),
            "entry_ts_ns": self.entry_ts_ns,
            "exit_ts_ns": self.exit_ts_ns,
            "exit": "+".join(self.exit_kinds),
            "r_multiple": None if r is None else float(r),
            "pnl_usd": usd,
            "pnl_gbp": None if gbp_per_usd is None else usd * gbp_per_usd,
        }


def _scenario(order: OrderRecord) -> str:
    """The scenario id of an entry whose signal id is 'source:YYYYMMDD:S1' (or '...#2')."""
    return order.signal_id.rsplit(":", 1)[-1].split("#")[0]


def _kind(order: OrderRecord) -> str:
    if order.order_type is OrderType.STOP:
        return "stop"
    if order.order_type is OrderType.LIMIT:
        return "target"
    return "exit"


class RoundTrips:
    """Folds fills into round trips (one position at a time, as §5.6 trades)."""

    def __init__(self) -> None:
        self.trips: list[RoundTrip] = []
        self._position = 0

    @property
    def open_trip(self) -> RoundTrip | None:
        """The trip of the position now open, None when flat."""
        return self.trips[-1] if self.trips and not self.trips[-1].closed else None

    def adopt(self, entry: OrderRecord, stop: OrderRecord | None, position: int) -> None:
        """A position found open after a restart: its trip starts from the stored entry order."""
        price = Fraction(entry.filled_price_ticks or entry.price_ticks)
        trip = RoundTrip(entry.signal_id, _scenario(entry), entry.action.sign, entry.created_ts_ns)
        trip.quantity, trip.entry_value = abs(position), abs(position) * price
        trip.stop_ticks = None if stop is None else stop.price_ticks
        self.trips.append(trip)
        self._position = position

    def on_fill(
        self,
        order: OrderRecord,
        stop: OrderRecord | None,
        quantity: int,
        price_ticks: int,
        ts_ns: int,
    ) -> RoundTrip | None:
        """Apply one fill of `order` (`stop` is its protective child when it is a bracket's
        parent); returns the trip when this fill closed it."""
        sign = order.action.sign
        trip = self.open_trip
        opening = self._position == 0 or (self._position > 0) == (sign > 0)
        if opening:
            if trip is None:
                trip = RoundTrip(order.signal_id, _scenario(order), sign, ts_ns)
                self.trips.append(trip)
            trip.quantity += quantity
            trip.entry_value += quantity * price_ticks
            if stop is not None:
                trip.stop_ticks = stop.price_ticks
            self._position += sign * quantity
            return None
        assert trip is not None
        trip.exit_quantity += quantity
        trip.exit_value += quantity * price_ticks
        trip.exit_ts_ns = ts_ns
        if _kind(order) not in trip.exit_kinds:
            trip.exit_kinds.append(_kind(order))
        self._position += sign * quantity
        return trip if trip.closed else None
