"""Size distributions of the synthetic market: trade prints, queue changes and resting depth.

Trade sizes are heavy-tailed like ES prints: about half are 1 lot and most are 1-5 lots, a few
percent are 6-24 lots and roughly one in 150 is a 25-250 lot block. Resting size away from the
touch belongs to the price, not to the book position: it drifts slowly with time, so a level keeps
its size while the book moves and only real episodes look like pulling or stacking.
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
RESTING_SIGMA = 0.5
RESTING_DRIFT_NS = 120_000_000_000
DEEP_STEP = 0.15


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


def resting_sizes(
    price_ticks: np.ndarray,
    ts_ns: np.ndarray,
    position: np.ndarray,
    in_rth: np.ndarray,
    salt: int,
) -> np.ndarray:
    """Resting size at a price `position` ticks from the touch at `ts_ns`: a little larger
    further out, a lognormal draw per price that moves to a new draw every RESTING_DRIFT_NS
    (linearly, so a level changes by a few lots a second at most). Same price and time, same size.
    """
    period = ts_ns // RESTING_DRIFT_NS
    frac = (ts_ns - period * RESTING_DRIFT_NS) / RESTING_DRIFT_NS
    z = (1.0 - frac) * _price_normal(price_ticks, period, salt) + frac * _price_normal(
        price_ticks, period + 1, salt
    )
    typical = np.where(in_rth, TOP_SIZE_RTH, TOP_SIZE_OVERNIGHT) * (1.0 + DEEP_STEP * position)
    return np.maximum(1, np.round(typical * np.exp(RESTING_SIGMA * z))).astype(np.int64)


def _price_normal(price_ticks: np.ndarray, period: np.ndarray, salt: int) -> np.ndarray:
    """A standard normal draw fixed by (price, period, salt): two hashed uniforms, Box-Muller."""
    key = (
        price_ticks.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        + period.astype(np.uint64) * np.uint64(0xD1B54A32D192ED03)
        + np.uint64(salt)
    )
    u1 = (_mix(key) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    u2 = (_mix(key + np.uint64(1)) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a well-spread 64-bit hash of each element."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
