"""The 80% rule (value-area rule, spec §4.3) as a state machine, on RTH or on the overnight session.

States IDLE -> OUTSIDE(side) -> ARMED -> TRIGGERED -> DONE | FAILED; at the session close every
other state becomes EXPIRED. A reference VA narrower than `eighty.min_va_width_ticks` is SKIPPED
(spec §8). `side` is +1 when the market came from above value (target VAL), -1 from below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np

from orderflow_lib.auction.tape import PeriodBuilder, PeriodSummary
from orderflow_lib.core.config import EightySettings


class EightyState(StrEnum):
    """States of the 80% rule."""

    IDLE = "IDLE"
    OUTSIDE = "OUTSIDE"
    ARMED = "ARMED"
    TRIGGERED = "TRIGGERED"
    DONE = "DONE"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    SKIPPED = "SKIPPED"


_FINAL = (EightyState.DONE, EightyState.FAILED, EightyState.EXPIRED, EightyState.SKIPPED)
_MODES = {"TPO_PRINTS": "TPO_PRINTS", "CLOSE_OPEN": "CLOSE_OPEN", "BOTH_CLOSE": "BOTH_CLOSE"}


@dataclass(frozen=True, slots=True)
class EightyEvent:
    """A state change: when, the new state, and why."""

    ts_ns: int
    state: EightyState
    reason: str


class EightyPercentRule:
    """Incremental 80% rule against one reference VA; feed prints and period ends in time order."""

    def __init__(
        self,
        val_ticks: int,
        vah_ticks: int,
        settings: EightySettings | None = None,
        *,
        mode: str | None = None,
    ) -> None:
        if val_ticks > vah_ticks:
            raise ValueError(f"val_ticks {val_ticks} must not be above vah_ticks {vah_ticks}")
        self.settings = settings or EightySettings()
        chosen = mode or self.settings.mode
        if chosen not in _MODES:
            raise ValueError(f"eighty mode must be one of {sorted(_MODES)}, was {chosen!r}")
        self.mode = _MODES[chosen]
        self.val_ticks, self.vah_ticks = val_ticks, vah_ticks
        self.state = EightyState.IDLE
        self.side = 0
        self.events: list[EightyEvent] = []
        self.triggered_ns: int | None = None
        self.invalidation_tick: int | None = None
        self._extreme_frozen = True
        self._armed_extreme: int | None = None
        self._seen_print = False
        self._outside_start_ns: int | None = None
        self._since_range: tuple[int, int] | None = None
        if vah_ticks - val_ticks + 1 < self.settings.min_va_width_ticks:
            self._move(0, EightyState.SKIPPED, "reference VA narrower than min_va_width_ticks")

    # ----------------------------------------------------------------- views
    @property
    def target_tick(self) -> int | None:
        """The opposite edge: VAL when the market came from above, VAH from below."""
        if self.side == 0:
            return None
        return self.val_ticks if self.side > 0 else self.vah_ticks

    @property
    def entry_edge_tick(self) -> int | None:
        """The edge the market re-entered through (VAH from above, VAL from below)."""
        if self.side == 0:
            return None
        return self.vah_ticks if self.side > 0 else self.val_ticks

    @property
    def is_final(self) -> bool:
        """True once the state can no longer change this session."""
        return self.state in _FINAL

    def _move(self, ts_ns: int, state: EightyState, reason: str) -> None:
        if state == EightyState.OUTSIDE and self.state != EightyState.OUTSIDE:
            self._outside_start_ns, self._since_range = ts_ns, None
        self.state = state
        self.events.append(EightyEvent(ts_ns, state, reason))
        if state == EightyState.TRIGGERED:
            self.triggered_ns = ts_ns

    def _outside_side(self, tick: int) -> int:
        """+1 when at least min_outside_ticks above VAH, -1 below VAL, else 0."""
        m = self.settings.min_outside_ticks
        if tick >= self.vah_ticks + m:
            return 1
        if tick <= self.val_ticks - m:
            return -1
        return 0

    def _inside(self, tick: int) -> bool:
        return self.val_ticks <= tick <= self.vah_ticks

    # ----------------------------------------------------------------- inputs
    def on_print(self, ts_ns: int, tick: int, *, first_in_period: bool = False) -> None:
        """A trade (or bar path print); `first_in_period` marks the first print of a period."""
        first_print = not self._seen_print
        self._seen_print = True
        if self.is_final:
            return
        if self.state == EightyState.TRIGGERED:
            self._check_triggered(ts_ns, tick)
            return
        outside = self._outside_side(tick)
        if self._outside_start_ns is not None:
            low, high = self._since_range or (tick, tick)
            self._since_range = (min(low, tick), max(high, tick))
        if self.state == EightyState.IDLE:
            if outside and (first_print or self.settings.allow_reentry_after_excursion):
                self.side = outside
                why = "opened" if first_print else "traded"
                self._move(ts_ns, EightyState.OUTSIDE, f"{why} outside value at {tick}")
            return
        if self.state == EightyState.OUTSIDE:
            if outside and outside != self.side and self.settings.allow_reentry_after_excursion:
                self.side = outside
                self.events.append(
                    EightyEvent(ts_ns, self.state, f"excursion to the other side at {tick}")
                )
            return
        if self.state == EightyState.ARMED and self.mode == "CLOSE_OPEN" and first_in_period:
            if self._inside(tick):
                self.invalidation_tick = self._armed_extreme
                self._extreme_frozen = False
                self._move(
                    ts_ns,
                    EightyState.TRIGGERED,
                    f"period closed inside, next opened inside at {tick}",
                )
                self._check_triggered(ts_ns, tick)
            else:
                self.side = outside or self.side
                self._move(ts_ns, EightyState.OUTSIDE, f"next period opened outside at {tick}")

    def _check_triggered(self, ts_ns: int, tick: int) -> None:
        target, limit = self.target_tick, self.invalidation_tick
        assert target is not None and limit is not None
        if (self.side > 0 and tick <= target) or (self.side < 0 and tick >= target):
            self._move(ts_ns, EightyState.DONE, f"target {target} traded")
            return
        beyond = tick > limit if self.side > 0 else tick < limit
        if not beyond:
            return
        if not self._extreme_frozen:
            self.invalidation_tick = tick
            return
        self._fail(ts_ns, f"traded beyond the trigger periods' extreme {limit}")

    def _fail(self, ts_ns: int, reason: str) -> None:
        self._move(ts_ns, EightyState.FAILED, reason)
        if self.settings.rearm_after_fail:
            self.side = 0
            self.invalidation_tick = None
            self._move(ts_ns, EightyState.IDLE, "re-armed after failure")

    def _first_condition(self, p: PeriodSummary) -> bool:
        if self.mode == "TPO_PRINTS":
            return p.prints_inside(self.val_ticks, self.vah_ticks)
        return p.closes_inside(self.val_ticks, self.vah_ticks)

    def _extreme(self, p: PeriodSummary) -> int:
        return p.high_tick if self.side > 0 else p.low_tick

    def on_period_end(self, p: PeriodSummary) -> None:
        """Evaluate the transitions that happen when a period ends."""
        if self.is_final or self.state == EightyState.IDLE:
            return
        ts = p.end_ns
        if self.state == EightyState.TRIGGERED:
            if not self._extreme_frozen:
                self._extreme_frozen = True
            edge = self.entry_edge_tick
            assert edge is not None
            back_out = p.close_tick > edge if self.side > 0 else p.close_tick < edge
            if back_out:
                self._fail(ts, f"period {p.label} closed back outside {edge}")
            return
        armed = self.state == EightyState.ARMED
        if armed and self.mode != "CLOSE_OPEN" and self._first_condition(p):
            extreme = self._extreme(p)
            assert self._armed_extreme is not None
            self.invalidation_tick = (
                max(extreme, self._armed_extreme)
                if self.side > 0
                else min(extreme, self._armed_extreme)
            )
            self._move(ts, EightyState.TRIGGERED, f"second period {p.label} accepted inside value")
            return
        start, since = self._outside_start_ns, self._since_range
        self._outside_start_ns = self._since_range = None
        after_excursion = p
        if start is not None and start >= p.start_ns and self.state == EightyState.OUTSIDE:
            if since is None:
                return
            after_excursion = replace(p, low_tick=since[0], high_tick=since[1])
        if self._first_condition(after_excursion):
            self._armed_extreme = self._extreme(p)
            self._move(ts, EightyState.ARMED, f"period {p.label} accepted inside value")
            return
        close_side = self._outside_side(p.close_tick) or (
            1 if p.close_tick > self.vah_ticks else -1
        )
        if self.state == EightyState.ARMED:
            self.side = close_side
            self._move(ts, EightyState.OUTSIDE, f"period {p.label} did not confirm; closed outside")

    def expire(self, ts_ns: int) -> None:
        """Session close: every state other than DONE, FAILED (and SKIPPED) becomes EXPIRED."""
        if self.state not in (EightyState.DONE, EightyState.FAILED, EightyState.SKIPPED):
            self._move(ts_ns, EightyState.EXPIRED, "session closed")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the store and the dashboard."""
        return {
            "state": str(self.state),
            "side": self.side,
            "mode": self.mode,
            "val_ticks": self.val_ticks,
            "vah_ticks": self.vah_ticks,
            "target_tick": self.target_tick,
            "invalidation_tick": self.invalidation_tick,
            "triggered_ns": self.triggered_ns,
            "events": [
                {"ts_ns": e.ts_ns, "state": str(e.state), "reason": e.reason} for e in self.events
            ],
        }


def run_eighty(
    prints: np.ndarray,
    periods: Sequence[Any],
    val_ticks: int,
    vah_ticks: int,
    settings: EightySettings | None = None,
    *,
    expire_at_end: bool = True,
) -> EightyPercentRule:
    """Batch driver: feed PRINT_DTYPE prints through the periods; expire at the last period's end."""
    rule = EightyPercentRule(val_ticks, vah_ticks, settings)
    builder = PeriodBuilder(periods)
    for ts, tick in zip(prints["ts_ns"].tolist(), prints["price_ticks"].tolist(), strict=True):
        for p in builder.on_print(ts, tick):
            rule.on_period_end(p)
        if builder.current_window is not None and ts >= builder.current_window.start_ns:
            rule.on_print(ts, tick, first_in_period=builder.first_in_period)
    if builder.windows:
        end = builder.windows[-1].end_ns
        for p in builder.advance(end):
            rule.on_period_end(p)
        if expire_at_end:
            rule.expire(end)
    return rule


@dataclass(frozen=True, slots=True)
class OvernightEighty:
    """The 80% rule run on the ETH periods against the prior RTH VA, read at the RTH open.

    `pending` (on_80_pending): triggered overnight and the target not yet traded, so the target
    becomes a first RTH objective; `complete`: the target traded overnight.
    """

    state: EightyState
    side: int
    target_tick: int | None
    pending: bool
    complete: bool


def overnight_eighty(
    eth_prints: np.ndarray,
    eth_periods: Sequence[Any],
    val_ticks: int,
    vah_ticks: int,
    settings: EightySettings | None = None,
) -> OvernightEighty:
    """Spec §4.3 overnight variant: the same machine on D's Globex periods (halts hold no prints)."""
    rule = run_eighty(eth_prints, eth_periods, val_ticks, vah_ticks, settings, expire_at_end=False)
    return OvernightEighty(
        state=rule.state,
        side=rule.side,
        target_tick=rule.target_tick,
        pending=rule.state == EightyState.TRIGGERED,
        complete=rule.state == EightyState.DONE,
    )


def first_hour_traverse(
    open_tick: int, val_ticks: int, vah_ticks: int, first_hour_low: int, first_hour_high: int
) -> bool:
    """The prototype's non-standard "80%" reading (`eighty.variant`, off by default): the open in
    the top or bottom 20% of value and the first hour travelling 80% of value's height."""
    height = vah_ticks - val_ticks
    if height <= 0:
        return False
    if 5 * (vah_ticks - open_tick) <= height:
        return 5 * (open_tick - first_hour_low) >= 4 * height
    if 5 * (open_tick - val_ticks) <= height:
        return 5 * (first_hour_high - open_tick) >= 4 * height
    return False
