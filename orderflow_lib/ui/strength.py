"""Signal strength on one 0-1 scale for every kind, so bars compare across detectors.

The detectors state strength in their own units (flow/signals.py): some are already 0-1 scores
(pressure, book imbalance, exhaustion, no follow-through, pulling), the others are counts or
ratios without an upper bound. Those are mapped with a saturating curve 1 - 2^(-x / half), where
`half` is the value a trader would call middling: it maps to 0.5, twice it to 0.75.

| kind | raw unit | half |
|---|---|---|
| stacked buying / selling | rows in the zone | 4 rows |
| absorption (bid, ask) | volume / threshold | 1 (just at the threshold) |
| unfinished high / low | contracts on the thinner side | 20 contracts |
| delta divergence | cumulative-delta gap in contracts | 100 contracts |
| orders stacked | size added / size at the start | 10x |
| iceberg | executed / displayed | 5x |
| any other kind | a 0-1 score | clamped to 0-1 |
"""

from __future__ import annotations

import math
from typing import Any

HALF: dict[str, float] = {
    "STACKED_BUY_IMBALANCE": 4.0,
    "STACKED_SELL_IMBALANCE": 4.0,
    "BID_ABSORPTION": 1.0,
    "ASK_ABSORPTION": 1.0,
    "FP_UNFINISHED_HIGH": 20.0,
    "FP_UNFINISHED_LOW": 20.0,
    "BEARISH_DIVERGENCE": 100.0,
    "BULLISH_DIVERGENCE": 100.0,
    "STACKING": 10.0,
    "ICEBERG": 5.0,
}


def score(kind: Any, strength: Any) -> float:
    """The signal's strength on the shared 0-1 scale (0 when unknown)."""
    try:
        raw = abs(float(strength))
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(raw):
        return 0.0
    half = HALF.get(str(kind or "").upper())
    if half is None:
        return min(raw, 1.0)
    return 1.0 - 2.0 ** (-raw / half)
