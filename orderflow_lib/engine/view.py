"""What the engines know at one moment (MarketView), the signals the node publishes (NodeSignal,
with a stable id) and the decision points where strategies are asked (Decision)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date

from orderflow_lib.engine.context import SessionContext
from orderflow_lib.flow.candles import VolCandle
from orderflow_lib.flow.signals import Signal
from orderflow_lib.profiles.value_area import ValueArea
from orderflow_lib.profiles.volume import VolumeProfile


def signal_id(source: str, contract: str, signal: Signal) -> str:
    """A stable id of a signal: the same signal of the same source always gets the same id, so a
    restarted node recognises what it already acted on (orders are idempotent by signal id)."""
    key = (
        f"{source}|{contract}|{signal.kind}|{signal.ts_ns}|{signal.price_ticks}|{signal.direction}"
    )
    return "sig-" + hashlib.sha256(key.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class NodeSignal:
    """A detector signal with its id and the key level it fired at (`where`, e.g. "AT_VAL")."""

    id: str
    signal: Signal
    where: str | None


@dataclass(frozen=True, slots=True)
class MarketView:
    """The market as of event time `ts_ns` (prices in ticks; None / NaN where not known yet)."""

    ts_ns: int
    trade_date: date
    contract: str
    source: str
    last_ticks: int | None
    volume: int
    high_ticks: int | None
    low_ticks: int | None
    bid_ticks: int | None
    bid_size: int | None
    ask_ticks: int | None
    ask_size: int | None
    vwap_ticks: float
    sigma_ticks: float
    dva: ValueArea | None
    on_high_ticks: int | None
    on_low_ticks: int | None
    ib_high_ticks: int | None
    ib_low_ticks: int | None
    in_rth: bool
    cumulative_delta: int
    pressure: float
    large_lot_delta: int
    intensity: float

    @property
    def has_vwap(self) -> bool:
        """True once the anchored VWAP has a value."""
        return not math.isnan(self.vwap_ticks)


@dataclass(frozen=True, slots=True)
class Decision:
    """A point where strategies are asked: a bar closed (`candle`) and/or signals fired.

    `position` is the gate's net position of the traded instrument, `working` the number of its
    orders still working at the broker and `usd_gbp` the broker's rate (all filled in by the
    node); `overnight` is the overnight (pre-RTH) volume profile, given once, at the first bar that
    ends at or after the RTH open (where the day's plan is built); `event_index` is the decision's
    event in its batch (-1 after the batch), so trades before it reach the broker first.
    """

    view: MarketView
    context: SessionContext
    signals: tuple[NodeSignal, ...]
    candle: VolCandle | None
    position: int = 0
    overnight: VolumeProfile | None = None
    event_index: int = field(default=-1, repr=False, compare=False)
    working: int = 0
    usd_gbp: float | None = None
