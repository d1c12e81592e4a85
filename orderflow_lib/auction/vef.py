"""G7FX value expectations framework (spec §4.1): the seven expectations evaluated live against a
reference value area (the CVA by default), as a state machine fed prints and period ends.

VEF1 traverse after an edge touch; VEF2 rotation while inside; VEF3 move to the previous balance
after acceptance outside the whole composite; VEF4 acceptance beyond an edge (and back inside);
VEF5 POC holds, traverse cancelled, breakout watch; VEF6 value building beyond an edge; VEF7 the
primary target is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow_lib.auction.acceptance import AcceptanceKind, LevelAcceptance
from orderflow_lib.auction.tape import PeriodSummary
from orderflow_lib.core.config import AcceptanceSettings, VefSettings
from orderflow_lib.core.plain import PlainRecord


@dataclass(frozen=True, slots=True)
class VefEvent(PlainRecord):
    """One expectation firing: code VEF1..VEF7, direction, target (ticks) and what happened."""

    ts_ns: int
    code: str
    direction: int
    target_tick: int | None
    text: str


@dataclass(frozen=True, slots=True)
class VefStatus:
    """Current expectation state: active codes, traverse target, directional side and target."""

    active: tuple[str, ...]
    traverse_target: int | None
    directional: int
    directional_target: int | None
    breakout_watch: bool
    targets_done: bool


class ValueExpectations:
    """The §4.1 machine against one reference VA (ticks). `range_low`/`range_high` are the whole
    composite's extremes (VEF3); `upside_ref`/`downside_ref` the next balance targets (§3.5)."""

    def __init__(
        self,
        val_ticks: int,
        poc_ticks: int,
        vah_ticks: int,
        *,
        range_low: int | None = None,
        range_high: int | None = None,
        upside_ref: int | None = None,
        downside_ref: int | None = None,
        settings: VefSettings | None = None,
        acceptance: AcceptanceSettings | None = None,
    ) -> None:
        if not val_ticks <= poc_ticks <= vah_ticks:
            raise ValueError(f"need val <= poc <= vah, was {val_ticks}, {poc_ticks}, {vah_ticks}")
        self.settings = settings or VefSettings()
        self.val, self.poc, self.vah = val_ticks, poc_ticks, vah_ticks
        self.refs = {1: upside_ref, -1: downside_ref}
        self._edges = {
            1: LevelAcceptance(vah_ticks, acceptance, home_side=-1),
            -1: LevelAcceptance(val_ticks, acceptance, home_side=1),
        }
        self._range: dict[int, LevelAcceptance] = {}
        if range_high is not None:
            self._range[1] = LevelAcceptance(range_high, acceptance, home_side=-1)
        if range_low is not None:
            self._range[-1] = LevelAcceptance(range_low, acceptance, home_side=1)
        self._seen = {id(t): 0 for t in (*self._edges.values(), *self._range.values())}
        self.events: list[VefEvent] = []
        self._touched = 0
        self._traverse: int | None = None
        self._hold = 0
        self._far_reached = False
        self._recent: list[PeriodSummary] = []
        self._built = 0
        self.directional = 0
        self._directional_code = ""
        self.directional_target: int | None = None
        self.breakout_watch = False
        self.targets_done = False
        self._last_tick: int | None = None

    def _emit(self, ts_ns: int, code: str, direction: int, target: int | None, text: str) -> None:
        self.events.append(VefEvent(ts_ns, code, direction, target, text))

    def _go_directional(self, ts_ns: int, code: str, side: int, text: str) -> None:
        self.directional = side
        self._directional_code = code
        self.directional_target = self.refs[side]
        self.targets_done = False
        self._traverse = None
        self._emit(ts_ns, code, side, self.directional_target, text)

    def _acceptance_events(self) -> None:
        for side, tracker in self._edges.items():
            for e in tracker.events[self._seen[id(tracker)] :]:
                if e.kind != AcceptanceKind.ACCEPTED:
                    continue
                if e.side == side:
                    edge = "VAH" if side > 0 else "VAL"
                    self._go_directional(
                        e.ts_ns,
                        "VEF4",
                        side,
                        f"accepted {'above' if side > 0 else 'below'} {edge}: BVP",
                    )
                elif self.directional == side:
                    self.directional, self.directional_target = 0, None
                    self._emit(
                        e.ts_ns, "VEF4", 0, None, "accepted back inside value: balance again"
                    )
            self._seen[id(tracker)] = len(tracker.events)
        for side, tracker in self._range.items():
            for e in tracker.events[self._seen[id(tracker)] :]:
                if e.kind == AcceptanceKind.ACCEPTED and e.side == side:
                    self._go_directional(
                        e.ts_ns,
                        "VEF3",
                        side,
                        "accepted outside the whole composite: expect the previous balance",
                    )
            self._seen[id(tracker)] = len(tracker.events)

    def on_print(self, ts_ns: int, tick: int) -> None:
        """A trade (or bar-path print)."""
        for tracker in (*self._edges.values(), *self._range.values()):
            tracker.on_print(ts_ns, tick)
        self._acceptance_events()
        self._last_tick = tick
        target = self.directional_target
        if (
            self.directional
            and target is not None
            and not self.targets_done
            and (tick - target) * self.directional >= 0
        ):
            self.targets_done = True
            self._emit(
                ts_ns,
                "VEF7",
                self.directional,
                self.directional_target,
                "primary target reached: the day's main objective is done",
            )
        if tick >= self.vah:
            self._touched = 1
        elif tick <= self.val:
            self._touched = -1
        if self._traverse is not None:
            reached = (
                tick <= self._traverse if self._traverse == self.val else tick >= self._traverse
            )
            if reached:
                self._emit(
                    ts_ns, "VEF1", 0, self._traverse, "traverse complete: opposite edge reached"
                )
                self._far_reached = True
                self._traverse = None
        inside = self.val < tick < self.vah
        ready = self._traverse is None and not self.directional and not self.breakout_watch
        if inside and self._touched and ready:
            self._traverse = self.val if self._touched > 0 else self.vah
            self._hold = 0
            self._far_reached = False
            edge = "VAH" if self._touched > 0 else "VAL"
            self._emit(
                ts_ns,
                "VEF1",
                -self._touched,
                self._traverse,
                f"back inside value from {edge}: expect the other side, scale at POC",
            )
            self._touched = 0

    def on_period_end(self, p: PeriodSummary, dpoc_tick: int | None = None) -> None:
        """A TPO period ended; `dpoc_tick` is the session's developing POC at that time."""
        for tracker in (*self._edges.values(), *self._range.values()):
            tracker.on_period_end(p)
        self._acceptance_events()
        s = self.settings
        if self._traverse is not None and dpoc_tick is not None:
            near = abs(dpoc_tick - self.poc) <= s.poc_hold_ticks
            self._hold = self._hold + 1 if near and not self._far_reached else 0
            if self._hold >= s.poc_hold_periods:
                self._traverse = None
                self.breakout_watch = True
                self._emit(
                    p.end_ns,
                    "VEF5",
                    0,
                    None,
                    "POC holds and value builds: traverse cancelled, "
                    "watch both edges for a breakout",
                )
        self._recent = [*self._recent, p][-s.build_periods :]
        side = 0
        if dpoc_tick is not None and dpoc_tick > self.vah:
            side = 1
        elif dpoc_tick is not None and dpoc_tick < self.val:
            side = -1
        elif len(self._recent) == s.build_periods:
            overlap_low = max(x.low_tick for x in self._recent)
            overlap_high = min(x.high_tick for x in self._recent)
            if overlap_low <= overlap_high and overlap_low > self.vah:
                side = 1
            elif overlap_low <= overlap_high and overlap_high < self.val:
                side = -1
        if side and side != self._built:
            self._built = side
            if self.directional != side:
                self._go_directional(
                    p.end_ns,
                    "VEF6",
                    side,
                    f"value building {'above' if side > 0 else 'below'} value",
                )
        elif not side:
            self._built = 0

    def status(self) -> VefStatus:
        """The expectations in force now (VEF2 while inside value with no shift)."""
        active: list[str] = []
        if self._traverse is not None:
            active.append("VEF1")
        inside = self._last_tick is not None and self.val <= self._last_tick <= self.vah
        if inside and not self.directional:
            active.append("VEF2")
        if self.breakout_watch and not self.directional:
            active.append("VEF5")
        if self.directional:
            active.append(self._directional_code)
        if self.targets_done:
            active.append("VEF7")
        return VefStatus(
            tuple(active),
            self._traverse,
            self.directional,
            self.directional_target,
            self.breakout_watch,
            self.targets_done,
        )
