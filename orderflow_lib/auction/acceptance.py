"""Acceptance and rejection at a price level (spec §5.4), incrementally from prints, period ends and
the developing POC.

Accepted above X: two consecutive periods (`acceptance.periods`) whose prints are all >= X -
tpo_tol_ticks and which close above X; or (fast mode) `fast_minutes` of consecutive 5-minute bars
that all close above X with no print below X - accept_tol_ticks; or value building (developing POC
above X). Rejected at X: a print >= reject_min_ticks beyond X from the home side, then a print
back on the home side within one TPO period and before acceptance. Mirror for below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orderflow_lib.auction.tape import PeriodSummary
from orderflow_lib.core.config import AcceptanceSettings
from orderflow_lib.core.timeconv import NS_PER_MINUTE

FIVE_MINUTES_NS = 5 * NS_PER_MINUTE


class AcceptanceKind(StrEnum):
    """Acceptance beyond a level, or rejection of a probe beyond it."""

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class AcceptanceEvent:
    """An acceptance or rejection: side +1 above / -1 below the level, and how it was decided."""

    ts_ns: int
    kind: AcceptanceKind
    side: int
    level_tick: int
    how: str


class LevelAcceptance:
    """Acceptance/rejection state of one level; feed prints, period ends and developing POCs in time
    order. `home_side` (+1 above / -1 below) is where price is expected to come from (e.g. -1 for a
    VAH: value is below it); by default it is the side of the first print."""

    def __init__(
        self,
        level_tick: int,
        settings: AcceptanceSettings | None = None,
        *,
        home_side: int | None = None,
        reject_window_min: int = 30,
    ) -> None:
        if home_side not in (None, 1, -1):
            raise ValueError(f"home_side must be +1, -1 or None, was {home_side}")
        self.level_tick = level_tick
        self.settings = settings or AcceptanceSettings()
        self.accepted_side = 0
        self.events: list[AcceptanceEvent] = []
        self._home = home_side
        self._reject_ns = reject_window_min * NS_PER_MINUTE
        self._probe_side = 0
        self._probe_start = 0
        self._period_streak = {1: 0, -1: 0}
        self._bar: list[int] | None = None
        self._bar_index = -1
        self._fast_streak = {1: 0, -1: 0}
        self._last_bar_index = -2

    def _accept(self, ts_ns: int, side: int, how: str) -> None:
        if self.accepted_side == side:
            return
        self.accepted_side = side
        self.events.append(
            AcceptanceEvent(ts_ns, AcceptanceKind.ACCEPTED, side, self.level_tick, how)
        )
        if self._probe_side == side:
            self._probe_side = 0
        self._home = side

    def _side_of(self, tick: int) -> int:
        return (tick > self.level_tick) - (tick < self.level_tick)

    # ----------------------------------------------------------------- prints
    def on_print(self, ts_ns: int, tick: int) -> None:
        """A trade (or bar-path print)."""
        self._fast(ts_ns, tick)
        self._probe(ts_ns, tick)

    def _probe(self, ts_ns: int, tick: int) -> None:
        x, r = self.level_tick, self.settings.reject_min_ticks
        if self._probe_side:
            if ts_ns - self._probe_start > self._reject_ns:
                self._probe_side = 0
                self._home = self._side_of(tick) or self._home
            elif (tick - x) * self._probe_side <= 0:
                side = self._probe_side
                self._probe_side = 0
                self.events.append(
                    AcceptanceEvent(
                        ts_ns, AcceptanceKind.REJECTED, side, x, "returned within one period"
                    )
                )
                return
        if self._home is None:
            self._home = self._side_of(tick) or None
            return
        if not self._probe_side and (tick - x) * -self._home >= max(r, 1):
            self._probe_side = -self._home
            self._probe_start = ts_ns

    def _fast(self, ts_ns: int, tick: int) -> None:
        index = ts_ns // FIVE_MINUTES_NS
        if index != self._bar_index:
            self._close_bar()
            self._bar_index = index
            self._bar = [tick, tick, tick]
            return
        assert self._bar is not None
        self._bar[0] = min(self._bar[0], tick)
        self._bar[1] = max(self._bar[1], tick)
        self._bar[2] = tick

    def _close_bar(self) -> None:
        if self._bar is None:
            return
        low, high, close = self._bar
        x, tol = self.level_tick, self.settings.accept_tol_ticks
        if self._bar_index != self._last_bar_index + 1:
            self._fast_streak = {1: 0, -1: 0}
        above = close > x and low >= x - tol
        below = close < x and high <= x + tol
        self._fast_streak[1] = self._fast_streak[1] + 1 if above else 0
        self._fast_streak[-1] = self._fast_streak[-1] + 1 if below else 0
        self._last_bar_index = self._bar_index
        self._bar = None
        end = (self._bar_index + 1) * FIVE_MINUTES_NS
        for side in (1, -1):
            if self._fast_streak[side] * 5 >= self.settings.fast_minutes:
                self._accept(
                    end,
                    side,
                    f"fast: {self.settings.fast_minutes} minutes of 5-minute closes beyond",
                )

    def advance(self, ts_ns: int) -> None:
        """Let time pass to ts_ns without a print (closes a finished 5-minute bar)."""
        if self._bar is not None and ts_ns >= (self._bar_index + 1) * FIVE_MINUTES_NS:
            self._close_bar()
            self._bar_index = -1

    # ----------------------------------------------------------------- periods and value
    def on_period_end(self, p: PeriodSummary) -> None:
        """A TPO period ended."""
        self.advance(p.end_ns)
        x, tol = self.level_tick, self.settings.tpo_tol_ticks
        above = p.low_tick >= x - tol and p.close_tick > x
        below = p.high_tick <= x + tol and p.close_tick < x
        self._period_streak[1] = self._period_streak[1] + 1 if above else 0
        self._period_streak[-1] = self._period_streak[-1] + 1 if below else 0
        for side in (1, -1):
            if self._period_streak[side] >= self.settings.periods:
                self._accept(
                    p.end_ns, side, f"{self.settings.periods} periods beyond, closing beyond"
                )

    def on_dpoc(self, ts_ns: int, dpoc_tick: int) -> None:
        """The developing POC at ts_ns: value building beyond the level counts as acceptance."""
        side = self._side_of(dpoc_tick)
        if side:
            self._accept(ts_ns, side, "value building: developing POC beyond")

    # ----------------------------------------------------------------- queries
    def first(
        self, kind: AcceptanceKind, side: int, after_ns: int | None = None
    ) -> AcceptanceEvent | None:
        """The first event of `kind` on `side` at or after `after_ns`."""
        for e in self.events:
            if e.kind == kind and e.side == side and (after_ns is None or e.ts_ns >= after_ns):
                return e
        return None

    def last_acceptance(self) -> AcceptanceEvent | None:
        """The latest acceptance event, or None."""
        for e in reversed(self.events):
            if e.kind == AcceptanceKind.ACCEPTED:
                return e
        return None
