"""What followed a signal: forward returns at fixed horizons and the maximum favourable and
adverse excursion (MFE/MAE), in ticks signed by the signal's direction, plus where the signal
fired relative to a value area. Pure numpy over one session's time-ordered trades.

Entry is the last trade at or before the signal's time (the price a trader could act on when
the signal was known). A horizon reaching past the session's last trade gives NaN, as do the
signed figures of a neutral (direction 0) signal.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from orderflow_lib.core.errors import ValidationError

ABOVE = "ABOVE_VALUE"
INSIDE = "IN_VALUE"
BELOW = "BELOW_VALUE"
NO_VALUE = "NO_VALUE"


def signal_outcomes(
    ts_ns: np.ndarray,
    price_ticks: np.ndarray,
    signal_ts_ns: np.ndarray,
    direction: np.ndarray,
    horizons_ns: Sequence[int],
) -> dict[str, np.ndarray]:
    """Per signal: `entry` (ticks), `fwd_<i>` for each horizon i (ticks, signed), `mfe` and `mae`
    (ticks >= 0) over the longest horizon; float arrays with NaN where undefined."""
    ts = np.asarray(ts_ns, dtype=np.int64)
    px = np.asarray(price_ticks, dtype=np.int64)
    at = np.asarray(signal_ts_ns, dtype=np.int64)
    sign = np.asarray(direction, dtype=np.int64)
    if ts.shape != px.shape or at.shape != sign.shape:
        raise ValidationError(
            f"trades need one ts per price ({ts.shape} vs {px.shape}) and signals one direction "
            f"per time ({at.shape} vs {sign.shape})"
        )
    if ts.size > 1 and (np.diff(ts) < 0).any():
        raise ValidationError("trade times must be in time order")
    if not horizons_ns or min(horizons_ns) <= 0:
        raise ValidationError(f"horizons must be > 0 ns, were {list(horizons_ns)}")
    n = at.shape[0]
    last_ts = int(ts[-1]) if ts.size else None
    entry_index = np.searchsorted(ts, at, side="right") - 1
    has_entry = entry_index >= 0
    entry = np.where(has_entry, px[np.clip(entry_index, 0, None)] if ts.size else 0, 0)
    signed = np.where(sign == 0, np.nan, sign.astype(np.float64))
    out: dict[str, np.ndarray] = {"entry": np.where(has_entry, entry.astype(np.float64), np.nan)}
    for k, horizon in enumerate(horizons_ns):
        out[f"fwd_{k}"] = _forward(ts, px, at, entry, has_entry, signed, int(horizon), last_ts)
    longest = int(max(horizons_ns))
    mfe = np.full(n, np.nan)
    mae = np.full(n, np.nan)
    for i in range(n):
        if not has_entry[i] or sign[i] == 0 or last_ts is None or at[i] + longest > last_ts:
            continue
        lo = int(np.searchsorted(ts, at[i], side="right"))
        hi = int(np.searchsorted(ts, at[i] + longest, side="right"))
        moves = (px[lo:hi] - entry[i]) * sign[i]
        mfe[i] = max(0, int(moves.max())) if moves.size else 0
        mae[i] = max(0, int(-moves.min())) if moves.size else 0
    out["mfe"] = mfe
    out["mae"] = mae
    return out


def _forward(
    ts: np.ndarray,
    px: np.ndarray,
    at: np.ndarray,
    entry: np.ndarray,
    has_entry: np.ndarray,
    signed: np.ndarray,
    horizon: int,
    last_ts: int | None,
) -> np.ndarray:
    if last_ts is None:
        return np.full(at.shape[0], np.nan)
    later = np.searchsorted(ts, at + horizon, side="right") - 1
    value = (px[np.clip(later, 0, None)] - entry).astype(np.float64) * signed
    complete = has_entry & (at + horizon <= last_ts)
    return np.where(complete, value, np.nan)


def value_location(
    price_ticks: np.ndarray, val_ticks: np.ndarray, vah_ticks: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """ABOVE_VALUE / IN_VALUE / BELOW_VALUE of each price against its value area (edges count
    as inside); NO_VALUE where `known` is False."""
    px = np.asarray(price_ticks, dtype=np.int64)
    val = np.asarray(val_ticks, dtype=np.int64)
    vah = np.asarray(vah_ticks, dtype=np.int64)
    where = np.where(px > vah, ABOVE, np.where(px < val, BELOW, INSIDE))
    return np.where(np.asarray(known, dtype=bool), where, NO_VALUE).astype(object)
