"""Dalton's four open types (spec §4.4) from the prints of period A, provisional from minute 15 and
final at minute 30: OPEN_DRIVE, OPEN_TEST_DRIVE, OPEN_REJECTION_REVERSE, else OPEN_AUCTION.

`direction` is the way the open resolved: +1 up (OD/OTD up, ORR that reversed up), -1 down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from statistics import median

import numpy as np

from orderflow_lib.auction.open_location import OpenLocation
from orderflow_lib.core.config import OpenSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.plain import PlainRecord
from orderflow_lib.core.timeconv import NS_PER_MINUTE


class OpenType(StrEnum):
    """Dalton's open types; UNDEFINED when period A is incomplete or not yet evaluable."""

    OPEN_DRIVE = "OPEN_DRIVE"
    OPEN_TEST_DRIVE = "OPEN_TEST_DRIVE"
    OPEN_REJECTION_REVERSE = "OPEN_REJECTION_REVERSE"
    OPEN_AUCTION = "OPEN_AUCTION"
    UNDEFINED = "UNDEFINED"


class OpenStage(StrEnum):
    """How final a call is: PENDING before the provisional minute, then PROVISIONAL, then FINAL."""

    PENDING = "PENDING"
    PROVISIONAL = "PROVISIONAL"
    FINAL = "FINAL"


@dataclass(frozen=True, slots=True)
class OpenTypeCall(PlainRecord):
    """An open-type classification with the numbers it read (ticks)."""

    open_type: OpenType
    direction: int
    sub_label: str
    stage: OpenStage
    as_of_ns: int
    min_drive_ticks: int
    or_low: int | None = None
    or_high: int | None = None
    a_low: int | None = None
    a_high: int | None = None
    a_close: int | None = None
    crosses: int = 0
    reasons: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """Short trader label: 'OD up', 'OTD down', 'ORR down', 'OA_IN_RANGE', 'UNDEFINED'."""
        short = {
            OpenType.OPEN_DRIVE: "OD",
            OpenType.OPEN_TEST_DRIVE: "OTD",
            OpenType.OPEN_REJECTION_REVERSE: "ORR",
        }
        if self.open_type in short:
            return f"{short[self.open_type]} {'up' if self.direction > 0 else 'down'}"
        if self.open_type == OpenType.OPEN_AUCTION:
            return self.sub_label or "OA"
        return str(self.open_type)


def open_scale_ticks(
    a_ranges: Sequence[int], settings: OpenSettings | None = None
) -> Fraction | None:
    """S: the median A-period range (ticks) of the last `scale_lookback` sessions; None with fewer
    than `scale_min_sessions` (then `min_drive_ticks` is used alone)."""
    s = settings or OpenSettings()
    recent = list(a_ranges)[-s.scale_lookback :]
    if len(recent) < s.scale_min_sessions:
        return None
    return Fraction(median(Fraction(int(r)) for r in recent))


def min_drive_ticks(
    scale_ticks: Fraction | int | None, settings: OpenSettings | None = None
) -> int:
    """max(min_drive_ticks, ceil(min_drive_frac x S)), S in ticks (spec §4.4)."""
    s = settings or OpenSettings()
    if scale_ticks is None:
        return s.min_drive_ticks
    return max(s.min_drive_ticks, math.ceil(exact(s.min_drive_frac) * Fraction(scale_ticks)))


def _crosses(ticks: np.ndarray, open_tick: int) -> int:
    signs = np.sign(ticks - open_tick)
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1])) if signs.size > 1 else 0


def _open_test_drive(
    ts: np.ndarray,
    ticks: np.ndarray,
    o: int,
    up: int,
    refs: Sequence[int],
    drive: int,
    test_end_ns: int,
    s: OpenSettings,
) -> str | None:
    """The OTD reason when the prints show one in direction `up` (+1/-1), else None."""
    rel = (ticks - o) * up
    in_test = ts < test_end_ns
    test_hits = np.flatnonzero(in_test & (rel <= -s.test_min_ticks))
    if test_hits.size == 0:
        return None
    i_t = int(test_hits[0])
    if np.any(rel[:i_t] >= s.test_min_ticks):
        return None
    back = np.flatnonzero(rel[i_t:] > 0)
    if back.size == 0:
        return None
    j = i_t + int(back[0])
    if s.otd_return_within_test_window and ts[j] >= test_end_ns:
        return None
    test_extreme = int(rel[i_t:j].min())
    test_tick = o + up * test_extreme
    if not any(abs(test_tick - r) <= s.ref_tol_ticks for r in refs):
        return None
    if int(rel[-1]) < drive or int(rel[j:].min()) < test_extreme:
        return None
    excursion = -test_extreme
    if excursion > exact(s.test_max_frac) * int(rel.max()):
        return None
    return (
        f"tested {test_tick} ({excursion} ticks), back through the open, drove {int(rel[-1])} ticks"
    )


def _rejection_reverse(
    ticks: np.ndarray, o: int, up: int, drive: int, or_low: int, or_high: int
) -> str | None:
    """The ORR reason when price first drove `-up` by min_drive, then broke the far OR edge and A
    closed beyond it (direction `up` is the reversal's direction)."""
    rel = (ticks - o) * up
    probe = np.flatnonzero(rel <= -drive)
    if probe.size == 0:
        return None
    i_p = int(probe[0])
    if np.any(rel[:i_p] >= drive):
        return None
    edge = or_high if up > 0 else or_low
    beyond = (ticks[i_p + 1 :] - edge) * up > 0
    if not beyond.any() or (int(ticks[-1]) - edge) * up <= 0:
        return None
    return f"probed {drive}+ ticks the other way, then broke the opening range at {edge}"


def classify_open_type(
    ts_ns: np.ndarray,
    price_ticks: np.ndarray,
    rth_open_ns: int,
    open_tick: int,
    as_of_ns: int,
    *,
    refs: Sequence[int] = (),
    scale_ticks: Fraction | int | None = None,
    location: OpenLocation | None = None,
    settings: OpenSettings | None = None,
) -> OpenTypeCall:
    """Classify the open from the prints (time ordered) known at `as_of_ns`.

    Before minute `provisional_min` the call is PENDING; from it, PROVISIONAL on the prints up to
    the last completed minute; FINAL from minute `a_minutes` on period A's prints. A minute of A
    without a print (a halt or missing data) makes the call UNDEFINED.
    """
    s = settings or OpenSettings()
    drive = min_drive_ticks(scale_ticks, s)
    elapsed = as_of_ns - rth_open_ns
    a_end = rth_open_ns + s.a_minutes * NS_PER_MINUTE
    if elapsed < s.provisional_min * NS_PER_MINUTE:
        return OpenTypeCall(OpenType.UNDEFINED, 0, "", OpenStage.PENDING, as_of_ns, drive)
    final = as_of_ns >= a_end
    stage = OpenStage.FINAL if final else OpenStage.PROVISIONAL
    end = a_end if final else rth_open_ns + (elapsed // NS_PER_MINUTE) * NS_PER_MINUTE
    keep = (ts_ns >= rth_open_ns) & (ts_ns < end)
    ts, ticks = ts_ns[keep], price_ticks[keep].astype(np.int64)
    minutes = (end - rth_open_ns) // NS_PER_MINUTE
    seen = np.unique((ts - rth_open_ns) // NS_PER_MINUTE)
    if seen.size < minutes:
        gap = sorted(set(range(minutes)) - set(seen.tolist()))[0]
        return OpenTypeCall(
            OpenType.UNDEFINED,
            0,
            "",
            stage,
            as_of_ns,
            drive,
            reasons=(f"no prints in minute {gap} of period A",),
        )
    o = open_tick
    in_or = ts < rth_open_ns + s.or_minutes * NS_PER_MINUTE
    or_low, or_high = int(ticks[in_or].min()), int(ticks[in_or].max())
    a_low, a_high, a_close = int(ticks.min()), int(ticks.max()), int(ticks[-1])
    crosses = _crosses(ticks, o)
    base = OpenTypeCall(
        OpenType.OPEN_AUCTION,
        0,
        "",
        stage,
        as_of_ns,
        drive,
        or_low=or_low,
        or_high=or_high,
        a_low=a_low,
        a_high=a_high,
        a_close=a_close,
        crosses=crosses,
    )

    def call(kind: OpenType, direction: int, sub: str, why: str) -> OpenTypeCall:
        return replace(base, open_type=kind, direction=direction, sub_label=sub, reasons=(why,))

    adverse = s.od_adverse_ticks
    if a_low >= o - adverse and a_close >= o + drive:
        why = f"low {a_low} held within {adverse} ticks of the open, close {a_close - o} ticks up"
        return call(OpenType.OPEN_DRIVE, 1, "", why)
    if a_high <= o + adverse and a_close <= o - drive:
        why = (
            f"high {a_high} held within {adverse} ticks of the open, close {o - a_close} ticks down"
        )
        return call(OpenType.OPEN_DRIVE, -1, "", why)
    test_end = rth_open_ns + s.test_window_min * NS_PER_MINUTE
    for up in (1, -1):
        reason = _open_test_drive(ts, ticks, o, up, refs, drive, test_end, s)
        if reason is not None:
            return call(OpenType.OPEN_TEST_DRIVE, up, "", reason)
    for up in (-1, 1):
        reason = _rejection_reverse(ticks, o, up, drive, or_low, or_high)
        if reason is not None:
            return call(OpenType.OPEN_REJECTION_REVERSE, up, "", reason)
    sub = "" if location is None else ("OA_IN_RANGE" if location.in_range else "OA_OUT_OF_RANGE")
    return call(OpenType.OPEN_AUCTION, 0, sub, f"no drive: {crosses} crosses of the open")


class OpenTypeTracker:
    """Incremental form: feed prints as they come; `call(as_of_ns)` gives the current classification."""

    def __init__(
        self,
        rth_open_ns: int,
        *,
        refs: Sequence[int] = (),
        scale_ticks: Fraction | int | None = None,
        location: OpenLocation | None = None,
        settings: OpenSettings | None = None,
    ) -> None:
        self.settings = settings or OpenSettings()
        self.rth_open_ns = rth_open_ns
        self.refs = tuple(refs)
        self.scale_ticks = scale_ticks
        self.location = location
        self.open_tick: int | None = None
        self._end = rth_open_ns + self.settings.a_minutes * NS_PER_MINUTE
        self._ts: list[int] = []
        self._ticks: list[int] = []
        self._final: OpenTypeCall | None = None

    def on_print(self, ts_ns: int, tick: int) -> None:
        """Add a print (ignored outside period A)."""
        if self.rth_open_ns <= ts_ns < self._end:
            if self.open_tick is None:
                self.open_tick = tick
            self._ts.append(ts_ns)
            self._ticks.append(tick)

    def call(self, as_of_ns: int) -> OpenTypeCall:
        """The classification at `as_of_ns` (the final call is kept once made)."""
        if self._final is not None:
            return self._final
        if self.open_tick is None:
            drive = min_drive_ticks(self.scale_ticks, self.settings)
            stage = OpenStage.FINAL if as_of_ns >= self._end else OpenStage.PENDING
            return OpenTypeCall(
                OpenType.UNDEFINED, 0, "", stage, as_of_ns, drive, reasons=("no RTH prints yet",)
            )
        result = classify_open_type(
            np.asarray(self._ts, dtype=np.int64),
            np.asarray(self._ticks, dtype=np.int64),
            self.rth_open_ns,
            self.open_tick,
            as_of_ns,
            refs=self.refs,
            scale_ticks=self.scale_ticks,
            location=self.location,
            settings=self.settings,
        )
        if result.stage == OpenStage.FINAL:
            self._final = result
        return result
