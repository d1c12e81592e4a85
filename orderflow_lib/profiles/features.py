"""TPO profile features (spec §2.2, §2.5): initial balance, range extension, single prints,
tails, excess and poor highs/lows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from orderflow_lib.profiles.tpo import TpoProfile

IB_PERIODS = 2


@dataclass(frozen=True, slots=True)
class SingleRun:
    """A maximal block of contiguous rows with exactly one TPO each."""

    low_tick: int
    high_tick: int
    rows: int
    letters: str
    printing_period: str


@dataclass(frozen=True, slots=True)
class Tail:
    """A single-print run at a session extreme: "high" (selling tail) or "low" (buying tail)."""

    side: str
    low_tick: int
    high_tick: int
    rows: int
    printing_period: str
    excess: bool


@dataclass(frozen=True, slots=True)
class PoorExtreme:
    """An extreme row with >= 2 TPOs; `weak` when the next inner row also has >= 2."""

    side: str
    tick: int
    tpos: int
    weak: bool


@dataclass(frozen=True, slots=True)
class TpoFeatures:
    """Everything `profile_features` finds in one TPO profile."""

    ib_low_tick: int | None
    ib_high_tick: int | None
    extension_up: tuple[str, ...]
    extension_down: tuple[str, ...]
    single_print_rows: int
    interior_single_runs: tuple[SingleRun, ...]
    selling_tail: Tail | None
    buying_tail: Tail | None
    poor_high: PoorExtreme | None
    poor_low: PoorExtreme | None

    @property
    def ib_range_ticks(self) -> int | None:
        """IB range (a distance, high - low, spec §0.1)."""
        if self.ib_low_tick is None or self.ib_high_tick is None:
            return None
        return self.ib_high_tick - self.ib_low_tick

    @property
    def first_extension_up(self) -> str | None:
        """Letter of the first period that traded above the IB high."""
        return self.extension_up[0] if self.extension_up else None

    @property
    def first_extension_down(self) -> str | None:
        """Letter of the first period that traded below the IB low."""
        return self.extension_down[0] if self.extension_down else None

    @property
    def excess_high(self) -> bool:
        """True when the selling tail qualifies as excess."""
        return self.selling_tail is not None and self.selling_tail.excess

    @property
    def excess_low(self) -> bool:
        """True when the buying tail qualifies as excess."""
        return self.buying_tail is not None and self.buying_tail.excess

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)


def initial_balance(tpo: TpoProfile, periods: int = IB_PERIODS) -> tuple[int, int] | None:
    """(IB low, IB high) in ticks over the first `periods` periods (A and B); None if neither printed."""
    mask = tpo.printed[:periods]
    if not mask.any():
        return None
    return (
        int(tpo.period_low_ticks[:periods][mask].min()),
        int(tpo.period_high_ticks[:periods][mask].max()),
    )


def range_extensions(
    tpo: TpoProfile, ib: tuple[int, int]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Letters of the periods after the IB that pushed the range beyond it: each one made a new
    high above IBH (up) or a new low below IBL (down); the first is the first extension."""
    up: list[str] = []
    down: list[str] = []
    running_low, running_high = ib
    for k in range(IB_PERIODS, len(tpo.letters)):
        if not tpo.printed[k]:
            continue
        if tpo.period_high_ticks[k] > running_high:
            up.append(tpo.letters[k])
            running_high = int(tpo.period_high_ticks[k])
        if tpo.period_low_ticks[k] < running_low:
            down.append(tpo.letters[k])
            running_low = int(tpo.period_low_ticks[k])
    return tuple(up), tuple(down)


def _single_runs(tpo: TpoProfile) -> list[tuple[int, int]]:
    """(first row, last row) of every maximal block of single-TPO rows."""
    single = tpo.counts == 1
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(single):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, tpo.n_rows - 1))
    return runs


def profile_features(
    tpo: TpoProfile,
    min_single_run: int = 2,
    min_tail_rows: int = 2,
    poor_validity_filter: bool = False,
) -> TpoFeatures:
    """IB, range extension, single prints, tails/excess and poor extremes of a TPO profile.

    A tail's printing period is the latest letter on its rows; it is excess when it has at
    least `min_tail_rows` rows and that period is not the last period that printed. With
    `poor_validity_filter`, a poor extreme at the IB edge touched only by A/B is ignored.
    """
    if tpo.is_empty:
        return TpoFeatures(None, None, (), (), 0, (), None, None, None, None)
    ib = initial_balance(tpo)
    up, down = range_extensions(tpo, ib) if ib is not None else ((), ())
    hits = tpo.row_periods()
    last_period = int(np.nonzero(tpo.printed)[0][-1])
    rt = tpo.row_ticks
    top = tpo.n_rows - 1

    def describe(first: int, last: int) -> tuple[str, int]:
        periods = np.nonzero(hits[first : last + 1].any(axis=0))[0]
        return "".join(tpo.letters[k] for k in periods), int(periods[-1])

    interior: list[SingleRun] = []
    selling = buying = None
    for first, last in _single_runs(tpo):
        letters, latest = describe(first, last)
        low_tick = (tpo.base_row + first) * rt
        high_tick = (tpo.base_row + last) * rt + rt - 1
        rows = last - first + 1
        excess = rows >= min_tail_rows and latest != last_period
        if last == top:
            selling = Tail("high", low_tick, high_tick, rows, tpo.letters[latest], excess)
        if first == 0:
            buying = Tail("low", low_tick, high_tick, rows, tpo.letters[latest], excess)
        if first != 0 and last != top and rows >= min_single_run:
            interior.append(SingleRun(low_tick, high_tick, rows, letters, tpo.letters[latest]))

    def poor(side: str, row: int, inner: int) -> PoorExtreme | None:
        tpos = int(tpo.counts[row])
        if tpos < 2:
            return None
        if poor_validity_filter and ib is not None:
            touched = np.nonzero(hits[row])[0]
            edge = ib[1] if side == "high" else ib[0]
            row_tick = (tpo.base_row + row) * rt
            if row_tick <= edge < row_tick + rt and touched.max() < IB_PERIODS:
                return None
        weak = 0 <= inner <= top and int(tpo.counts[inner]) >= 2
        return PoorExtreme(side, (tpo.base_row + row) * rt, tpos, weak)

    return TpoFeatures(
        ib_low_tick=None if ib is None else ib[0],
        ib_high_tick=None if ib is None else ib[1],
        extension_up=up,
        extension_down=down,
        single_print_rows=int((tpo.counts == 1).sum()),
        interior_single_runs=tuple(interior),
        selling_tail=selling,
        buying_tail=buying,
        poor_high=poor("high", top, top - 1),
        poor_low=poor("low", 0, 1),
    )
