"""Size distributions of the synthetic market: trade prints, queue changes and resting depth.

Trade sizes are heavy-tailed like ES prints: about half are 1 lot and most are 1-5 lots, a few
percent are 6-24 lots and roughly one in 150 is a 25-250 lot block.
"""

from __future__ import annotations

import numpy as np

SMALL_P = 0.5
SMALL_MAX = 12
MEDIUM_SHARE = 0.03
LARGE_SHARE = 0.006
MEDIUM_MIN, MEDIUM_MAX = 6, 24
LARGE_MIN, LARGE_MAX = 25, 250
TOP_SIZE_RTH = 35.0
TOP_SIZE_OVERNIGHT = 12.0


def trade_sizes(rng: np.random.Generator, large_boost: np.ndarray) -> np.ndarray:
    """One print size per trade; `large_boost` (per trade) multiplies the medium and large shares."""
    n = large_boost.size
    small = np.minimum(rng.geometric(SMALL_P, n), SMALL_MAX)
    medium = np.minimum(
        np.floor(MEDIUM_MIN * (1.0 - rng.random(n)) ** (-1.0 / 1.5)), MEDIUM_MAX
    ).astype(np.int64)
    large = np.minimum(
        np.floor(LARGE_MIN * (1.0 - rng.random(n)) ** (-1.0 / 1.3)), LARGE_MAX
    ).astype(np.int64)
    pick = rng.random(n)
    large_cut = LARGE_SHARE * large_boost
    medium_cut = large_cut + MEDIUM_SHARE * large_boost
    return np.where(pick < large_cut, large, np.where(pick < medium_cut, medium, small)).astype(
        np.int64
    )


def queue_changes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Signed size changes of the best bid or ask from orders added (+) or cancelled (-)."""
    size = np.minimum(rng.geometric(0.35, n), 40)
    sign = np.where(rng.random(n) < 0.52, 1, -1)
    return (sign * size).astype(np.int64)


def top_sizes(rng: np.random.Generator, in_rth: np.ndarray) -> np.ndarray:
    """Resting size of a new best price level (larger in RTH than overnight)."""
    typical = np.where(in_rth, TOP_SIZE_RTH, TOP_SIZE_OVERNIGHT)
    return np.maximum(1, np.round(typical * np.exp(rng.normal(0.0, 0.6, in_rth.size)))).astype(
        np.int64
    )


def deep_sizes(rng: np.random.Generator, position: np.ndarray, in_rth: np.ndarray) -> np.ndarray:
    """Resting size at book position 1-9: a little larger further from the touch."""
    typical = np.where(in_rth, TOP_SIZE_RTH, TOP_SIZE_OVERNIGHT) * (1.0 + 0.15 * position)
    return np.maximum(1, np.round(typical * np.exp(rng.normal(0.0, 0.5, position.size)))).astype(
        np.int64
    )
