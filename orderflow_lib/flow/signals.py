"""Order-flow signals as immutable records: when, what, which way, where, how strong, and the
evidence numbers that triggered them (spec §7). Signals are append-only: never edited later."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

BULLISH = 1
BEARISH = -1
NEUTRAL = 0

Evidence = int | float | str


class SignalKind(StrEnum):
    """Kinds of signal; `strength` is stated per kind."""

    STACKED_BUY_IMBALANCE = "STACKED_BUY_IMBALANCE"
    """Support zone of >= stack_min buy imbalances; strength = rows in the zone."""
    STACKED_SELL_IMBALANCE = "STACKED_SELL_IMBALANCE"
    """Resistance zone of >= stack_min sell imbalances; strength = rows in the zone."""
    BID_ABSORPTION = "BID_ABSORPTION"
    """Sellers absorbed at a level (bullish); strength = volume / threshold."""
    ASK_ABSORPTION = "ASK_ABSORPTION"
    """Buyers absorbed at a level (bearish); strength = volume / threshold."""
    EXHAUSTION_HIGH = "EXHAUSTION_HIGH"
    """Buying faded into the bar high (bearish); strength = 1 - ask(high) / ask(high - 2 rows)."""
    EXHAUSTION_LOW = "EXHAUSTION_LOW"
    """Selling faded into the bar low (bullish); strength = 1 - bid(low) / bid(low + 2 rows)."""
    FP_UNFINISHED_HIGH = "FP_UNFINISHED_HIGH"
    """Bar high traded on both sides: a magnet above; strength = min(bid, ask) at the high."""
    FP_UNFINISHED_LOW = "FP_UNFINISHED_LOW"
    """Bar low traded on both sides: a magnet below; strength = min(bid, ask) at the low."""
    LACK_OF_PARTICIPATION = "LACK_OF_PARTICIPATION"
    """New swing extreme on weak volume or STOP_OUTS flow; strength = 1 - mean volume ratio."""
    BEARISH_DIVERGENCE = "BEARISH_DIVERGENCE"
    """Higher price high with a lower CD high; strength = CD shortfall in contracts."""
    BULLISH_DIVERGENCE = "BULLISH_DIVERGENCE"
    """Lower price low with a higher CD low; strength = CD excess in contracts."""
    BUY_PRESSURE = "BUY_PRESSURE"
    """Tape pressure >= threshold with enough volume; strength = pressure."""
    SELL_PRESSURE = "SELL_PRESSURE"
    """Tape pressure <= -threshold with enough volume; strength = |pressure|."""
    DOM_IMBALANCE = "DOM_IMBALANCE"
    """Book imbalance held for sustain_s; strength = |I|."""
    PULLING = "PULLING"
    """Resting size pulled near the touch; strength = pulled / size at the window start."""
    STACKING = "STACKING"
    """Resting size added near the touch; strength = added / max(size at the window start, 1)."""
    ICEBERG = "ICEBERG"
    """Executed at a level more than was ever displayed there (refill); strength = ratio."""


def _frozen(evidence: Mapping[str, Evidence]) -> Mapping[str, Evidence]:
    return MappingProxyType(dict(evidence))


@dataclass(frozen=True, slots=True)
class Signal:
    """One detector output. `ts_ns` is the last input time used (no look-ahead), `direction` is
    +1 bullish / -1 bearish / 0 neutral, `evidence` holds the numbers that triggered it."""

    ts_ns: int
    kind: SignalKind
    direction: int
    price_ticks: int
    strength: float
    evidence: Mapping[str, Evidence] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.direction not in (BULLISH, BEARISH, NEUTRAL):
            raise ValueError(f"direction must be +1, -1 or 0, was {self.direction}")
        object.__setattr__(self, "kind", SignalKind(self.kind))
        object.__setattr__(self, "evidence", _frozen(self.evidence))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signal):
            return NotImplemented
        return (
            self.ts_ns == other.ts_ns
            and self.kind == other.kind
            and self.direction == other.direction
            and self.price_ticks == other.price_ticks
            and self.strength == other.strength
            and dict(self.evidence) == dict(other.evidence)
        )

    def __hash__(self) -> int:
        return hash((self.ts_ns, self.kind, self.direction, self.price_ticks, self.strength))


def count_by_kind(signals: Iterable[Signal]) -> dict[str, int]:
    """How many signals of each kind, sorted by kind name."""
    counts = Counter(str(s.kind) for s in signals)
    return dict(sorted(counts.items()))


def sort_signals(signals: Iterable[Signal]) -> list[Signal]:
    """Signals in time order, then kind and price (a stable order for comparing runs)."""
    return sorted(signals, key=lambda s: (s.ts_ns, str(s.kind), s.price_ticks, s.direction))
