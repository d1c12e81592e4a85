"""Day-type plans: the minute-by-minute auction path of a synthetic session, chosen by the seed.

A plan fixes, per minute bucket, the bid at the bucket's end, the aggressor bias, how much the
price churns inside the minute and any absorption episode. Balance days rotate around a value
centre, trend days walk away from the open, breakouts leave a balance area, opening drives move
one way from the RTH open with almost no adverse excursion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from orderflow_lib.market.events import BOOK_ASK, BOOK_BID
from orderflow_lib.market.synthetic.profile import Buckets

DRIVE_MINUTES = 30
_ABSORPTION_EDGE_MINUTES = 45
REVERSAL_DECAY_MINUTES = 20.0
ABSORBED_SHARE_BIAS = 0.4


class SyntheticDayType(StrEnum):
    """The auction plan of a synthetic RTH session."""

    BALANCE = "balance"
    TREND_UP = "trend_up"
    TREND_DOWN = "trend_down"
    BREAKOUT_UP = "breakout_up"
    BREAKOUT_DOWN = "breakout_down"
    OPEN_DRIVE_UP = "open_drive_up"
    OPEN_DRIVE_DOWN = "open_drive_down"

    @property
    def direction(self) -> int:
        """+1 for an upward plan, -1 for a downward one, 0 for balance."""
        if self.value.endswith("_up"):
            return 1
        if self.value.endswith("_down"):
            return -1
        return 0


DAY_TYPE_WEIGHTS: dict[SyntheticDayType, float] = {
    SyntheticDayType.BALANCE: 0.34,
    SyntheticDayType.TREND_UP: 0.09,
    SyntheticDayType.TREND_DOWN: 0.09,
    SyntheticDayType.BREAKOUT_UP: 0.11,
    SyntheticDayType.BREAKOUT_DOWN: 0.11,
    SyntheticDayType.OPEN_DRIVE_UP: 0.13,
    SyntheticDayType.OPEN_DRIVE_DOWN: 0.13,
}
_VOLUME_BY_TYPE = {"balance": 0.9, "trend": 1.1, "breakout": 1.05, "open_drive": 1.1}


@dataclass(frozen=True, slots=True)
class PlannedAbsorption:
    """Buckets `[first_bucket, last_bucket]` where aggression is absorbed on `book_side` (bid or ask)."""

    first_bucket: int
    last_bucket: int
    book_side: int


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Per-bucket plan of one session.

    `close_ticks`: the bid at each bucket's end; `buy_bias`: added to 0.5 to give the chance that
    a background trade is a buy; `churn`: multiplier of moves inside the minute (0 freezes the
    price); `calm`: opening-drive buckets (no rotation, at most one flicker); `volume_boost`:
    trade-intensity multiplier; `large_boost`: multiplier of the medium/large print shares for
    trades on the side of the bias; `absorbing`: buckets of an absorption episode.
    """

    day_type: SyntheticDayType
    close_ticks: np.ndarray
    buy_bias: np.ndarray
    churn: np.ndarray
    calm: np.ndarray
    volume_boost: np.ndarray
    large_boost: np.ndarray
    absorbing: np.ndarray
    absorptions: tuple[PlannedAbsorption, ...]
    volume_factor: float


def choose_day_type(rng: np.random.Generator) -> SyntheticDayType:
    """Draw a day type with the weights of DAY_TYPE_WEIGHTS."""
    types = list(DAY_TYPE_WEIGHTS)
    weights = np.array([DAY_TYPE_WEIGHTS[t] for t in types])
    return types[int(rng.choice(len(types), p=weights / weights.sum()))]


@dataclass
class _Shape:
    """Working arrays of a plan before the path is walked."""

    target: np.ndarray
    kappa: np.ndarray
    buy_bias: np.ndarray
    volume_boost: np.ndarray
    drive_step: np.ndarray
    calm: np.ndarray
    rotation_half: float
    rotation_period: float
    rotation_phase: float
    rotation_until: float


def plan_day(
    buckets: Buckets, day_type: SyntheticDayType, start_bid_ticks: int, rng: np.random.Generator
) -> DayPlan:
    """Walk the minute path of `day_type` from `start_bid_ticks` over `buckets`."""
    n = len(buckets)
    eps = rng.standard_normal(n)
    day_vol = float(np.exp(rng.normal(0.0, 0.2)))
    volume_factor = float(np.exp(rng.normal(0.0, 0.1))) * _VOLUME_BY_TYPE[_family(day_type)]
    sigma = buckets.sigma_ticks * day_vol

    rth_idx = np.flatnonzero(buckets.in_rth)
    first_rth = int(rth_idx[0]) if rth_idx.size else -1
    after_rth = np.zeros(n, dtype=bool)
    if rth_idx.size:
        after_rth[int(rth_idx[-1]) + 1 :] = True

    shape = _empty_shape(n)
    on_count = first_rth if rth_idx.size else n
    gap = rng.normal(0.0, 30.0)
    shape.target[:on_count] = gap * np.arange(1, on_count + 1) / max(on_count, 1)
    shape.kappa[:on_count] = 0.02
    sigma = np.where(after_rth, sigma * 0.7, sigma)

    if rth_idx.size:
        _shape_rth(shape, buckets, rth_idx, day_type, rng)
    absorptions = _plan_absorptions(shape, buckets, rth_idx, day_type, rng)

    absorbing = np.zeros(n, dtype=bool)
    for episode in absorptions:
        absorbing[episode.first_bucket : episode.last_bucket + 1] = True
        reversal = (1 if episode.book_side == BOOK_BID else -1) * rng.uniform(12.0, 28.0)
        rest = np.arange(episode.last_bucket + 1, int(rth_idx[-1]) + 1)
        since = buckets.rth_minute[rest] - buckets.rth_minute[episode.last_bucket]
        shape.target[rest] += reversal * np.exp(-since / REVERSAL_DECAY_MINUTES)

    close_ticks = _walk(shape, sigma, eps, absorbing, after_rth, first_rth, start_bid_ticks)
    volume_boost = shape.volume_boost * np.where(absorbing, 2.5, 1.0)
    churn = np.where(absorbing, 0.0, 1.0)
    buy_bias = np.where(absorbing, 0.0, shape.buy_bias)
    for episode in absorptions:
        side_bias = -ABSORBED_SHARE_BIAS if episode.book_side == BOOK_BID else ABSORBED_SHARE_BIAS
        buy_bias[episode.first_bucket : episode.last_bucket + 1] = side_bias
    return DayPlan(
        day_type=day_type,
        close_ticks=close_ticks,
        buy_bias=buy_bias,
        churn=churn,
        calm=shape.calm,
        volume_boost=volume_boost,
        large_boost=np.where(absorbing, 4.0, 1.0),
        absorbing=absorbing,
        absorptions=absorptions,
        volume_factor=volume_factor,
    )


def _family(day_type: SyntheticDayType) -> str:
    return day_type.value.removesuffix("_up").removesuffix("_down")


def _empty_shape(n: int) -> _Shape:
    return _Shape(
        target=np.zeros(n),
        kappa=np.zeros(n),
        buy_bias=np.zeros(n),
        volume_boost=np.ones(n),
        drive_step=np.zeros(n, dtype=np.int64),
        calm=np.zeros(n, dtype=bool),
        rotation_half=0.0,
        rotation_period=1.0,
        rotation_phase=0.0,
        rotation_until=-1.0,
    )


def _rotation(tau: np.ndarray, half: float, period: float, phase: float) -> np.ndarray:
    """Rotation offsets, zero at the RTH open, swinging `half` ticks either side of its centre."""
    return half * (np.sin(2.0 * math.pi * tau / period + phase) - math.sin(phase))


def _shape_rth(
    shape: _Shape,
    buckets: Buckets,
    rth_idx: np.ndarray,
    day_type: SyntheticDayType,
    rng: np.random.Generator,
) -> None:
    """Fill the RTH targets (relative to the RTH open), mean reversion and aggressor bias."""
    tau = buckets.rth_minute[rth_idx]
    total = float(max(buckets.rth_minutes_total, 1))
    direction = day_type.direction
    family = _family(day_type)
    period = rng.uniform(50.0, 95.0)
    phase = rng.uniform(0.0, 2.0 * math.pi)
    centre_offset = rng.normal(0.0, 6.0)
    if family == "balance":
        half = rng.uniform(26.0, 46.0)
        shape.target[rth_idx] = centre_offset + _rotation(tau, half, period, phase)
        shape.kappa[rth_idx] = 0.08
        _remember_rotation(shape, half, period, phase, total)
    elif family == "trend":
        move = rng.uniform(140.0, 280.0)
        shape.target[rth_idx] = direction * move * tau / total
        shape.kappa[rth_idx] = 0.06
        shape.buy_bias[rth_idx] = direction * 0.015
        shape.volume_boost[rth_idx] = 1.1
    elif family == "breakout":
        half = rng.uniform(16.0, 30.0)
        extension = rng.uniform(60.0, 140.0)
        ramp = rng.uniform(20.0, 40.0)
        break_at = rng.uniform(0.45, 0.70) * total
        progress = np.clip((tau - break_at) / ramp, 0.0, 1.0)
        balance = centre_offset + _rotation(tau, half, period, phase)
        centre = centre_offset - half * math.sin(phase)
        after = centre + direction * (half + extension) * progress
        after = after + _rotation(tau, half / 2.0, period, phase) * (progress >= 1.0)
        shape.target[rth_idx] = np.where(tau < break_at, balance, after)
        ramping = (progress > 0.0) & (progress < 1.0)
        shape.kappa[rth_idx] = np.where(ramping, 0.12, 0.08)
        shape.buy_bias[rth_idx] = np.where(ramping, direction * 0.04, 0.0)
        shape.volume_boost[rth_idx] = np.where(ramping, 1.4, 1.0)
        _remember_rotation(shape, half, period, phase, break_at - 10.0)
    else:
        _shape_open_drive(shape, rth_idx, tau, total, direction, rng)


def _shape_open_drive(
    shape: _Shape,
    rth_idx: np.ndarray,
    tau: np.ndarray,
    total: float,
    direction: int,
    rng: np.random.Generator,
) -> None:
    """A monotone move from the open over the A period, then continuation with small rotations."""
    drive = rng.uniform(40.0, 90.0)
    follow = rng.uniform(0.0, 80.0)
    drive_mask = tau < DRIVE_MINUTES
    drive_idx = rth_idx[drive_mask]
    weights = rng.gamma(2.0, size=drive_idx.size)
    levels = np.round(drive * np.cumsum(weights) / max(weights.sum(), 1e-12))
    shape.drive_step[drive_idx] = direction * np.diff(levels, prepend=0.0).astype(np.int64)
    shape.calm[drive_idx] = True
    shape.buy_bias[drive_idx] = direction * 0.06
    shape.volume_boost[drive_idx] = 1.3
    later = ~drive_mask
    rest = max(total - DRIVE_MINUTES, 1.0)
    wiggle = _rotation(tau, rng.uniform(8.0, 16.0), rng.uniform(60.0, 100.0), 0.0)
    shape.target[rth_idx] = np.where(
        later, direction * (drive + follow * (tau - DRIVE_MINUTES) / rest) + wiggle, 0.0
    )
    shape.kappa[rth_idx] = np.where(later, 0.06, 0.0)
    shape.buy_bias[rth_idx[later]] = direction * 0.01


def _remember_rotation(
    shape: _Shape, half: float, period: float, phase: float, until: float
) -> None:
    """Keep the rotation (until RTH minute `until`) so absorption can sit at its extremes."""
    shape.rotation_half = half
    shape.rotation_period = period
    shape.rotation_phase = phase
    shape.rotation_until = until


def _plan_absorptions(
    shape: _Shape,
    buckets: Buckets,
    rth_idx: np.ndarray,
    day_type: SyntheticDayType,
    rng: np.random.Generator,
) -> tuple[PlannedAbsorption, ...]:
    """0-2 absorption episodes inside RTH: at rotation extremes on balance and breakout days; on
    trend and drive days the trend's side absorbs counter-trend aggression."""
    count = int(rng.random() < 0.55) + int(rng.random() < 0.15)
    total = buckets.rth_minutes_total
    low, high = _ABSORPTION_EDGE_MINUTES, total - _ABSORPTION_EDGE_MINUTES
    if count == 0 or rth_idx.size == 0 or high - low < 10:
        return ()
    episodes: list[PlannedAbsorption] = []
    taken = np.zeros(rth_idx.size, dtype=bool)
    for _ in range(count):
        tau = rng.uniform(low, high)
        length = int(rng.integers(1, 4))
        if day_type.direction != 0 and _family(day_type) != "breakout":
            book_side = BOOK_BID if day_type.direction > 0 else BOOK_ASK
        else:
            book_side = BOOK_BID if rng.random() < 0.5 else BOOK_ASK
            tau = _nearest_extreme(shape, tau, book_side, low, high)
        first = int(np.searchsorted(buckets.rth_minute[rth_idx], math.floor(tau)))
        last = min(first + length - 1, rth_idx.size - 1)
        if taken[max(first - 5, 0) : last + 6].any():
            continue
        taken[first : last + 1] = True
        episodes.append(PlannedAbsorption(int(rth_idx[first]), int(rth_idx[last]), book_side))
    return tuple(sorted(episodes, key=lambda e: e.first_bucket))


def _nearest_extreme(shape: _Shape, tau: float, book_side: int, low: float, high: float) -> float:
    """The rotation trough (bid absorption) or peak (ask absorption) nearest to `tau`, if in range."""
    if shape.rotation_half <= 0.0:
        return tau
    target_angle = 1.5 * math.pi if book_side == BOOK_BID else 0.5 * math.pi
    base = (target_angle - shape.rotation_phase) / (2.0 * math.pi) * shape.rotation_period
    k = round((tau - base) / shape.rotation_period)
    candidates = [base + (k + j) * shape.rotation_period for j in (-1, 0, 1)]
    upper = min(high, shape.rotation_until)
    inside = [c for c in candidates if low <= c < upper]
    return min(inside, key=lambda c: abs(c - tau)) if inside else tau


def _walk(
    shape: _Shape,
    sigma: np.ndarray,
    eps: np.ndarray,
    absorbing: np.ndarray,
    after_rth: np.ndarray,
    first_rth: int,
    start_bid_ticks: int,
) -> np.ndarray:
    """Walk the bid through the buckets (one Python step per minute bucket, not per event).

    ON buckets revert towards the start plus a drifting gap, RTH buckets towards the RTH open plus
    the day type's target, buckets after RTH wander freely; absorbing buckets hold the price and
    calm buckets take the drive's planned step. `first_rth` is -1 without RTH.
    """
    n = sigma.size
    closes = np.empty(n, dtype=np.int64)
    target = shape.target.tolist()
    kappa = shape.kappa.tolist()
    noise = (sigma * eps).tolist()
    drive = shape.drive_step.tolist()
    calm = shape.calm.tolist()
    frozen = absorbing.tolist()
    loose = after_rth.tolist()
    x = float(start_bid_ticks)
    anchor = float(start_bid_ticks)
    for i in range(n):
        if i == first_rth:
            anchor = float(round(x))
            x = anchor
        if frozen[i]:
            x = float(round(x))
        elif calm[i]:
            x = float(round(x)) + drive[i]
        elif loose[i]:
            x += noise[i]
        else:
            x += kappa[i] * (anchor + target[i] - x) + noise[i]
        closes[i] = round(x)
    return closes
