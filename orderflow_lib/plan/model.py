"""The trade plan document (spec §5.5): context block, key levels and 2-4 if/then scenarios, each
with trigger, entry zone, targets, invalidation and strategy family. Prices are ticks; every
object converts to and from a plain dict for the store and the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from orderflow_lib.auction.inventory import OvernightInventory
from orderflow_lib.auction.levels import KeyLevel, SessionLevels
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.plain import PlainRecord, from_plain, plain
from orderflow_lib.plan.conditions import Condition
from orderflow_lib.plan.kinds import Expectation, Family
from orderflow_lib.plan.monitor import LiveState, ScenarioStatus, evaluate_plan
from orderflow_lib.plan.render import plan_markdown
from orderflow_lib.profiles.composite import CVA
from orderflow_lib.profiles.migration import ValueRelationship


@dataclass(frozen=True, slots=True)
class Scenario(PlainRecord):
    """If `condition`, expect `expectation` in `direction` (+1 long / -1 short): enter in
    `entry_zone` (low, high ticks), aim for `targets`, give up on `invalidation`."""

    id: str
    condition: Condition
    expectation: Expectation
    family: Family
    direction: int
    entry_zone: tuple[int, int]
    targets: tuple[int, ...]
    invalidation: Condition
    confidence: str
    notes: str = ""

    _keys: ClassVar[Mapping[str, str]] = {"condition": "if"}


@dataclass(frozen=True, slots=True)
class CompositeLevels(PlainRecord):
    """A composite's value area and range in ticks with its sessions (no merged profile)."""

    val_ticks: int
    poc_ticks: int
    vah_ticks: int
    low_tick: int
    high_tick: int
    days_included: int
    dates: tuple[dt.date, ...]
    contains_roll: bool = False
    shape: str = "UNDEFINED"

    @property
    def width_ticks(self) -> int:
        """vah - val + 1."""
        return self.vah_ticks - self.val_ticks + 1

    @property
    def label(self) -> str:
        """'CVA 2013-10-07..2013-10-10 (4 sessions)'."""
        if not self.dates:
            return "CVA (no sessions)"
        return f"CVA {self.dates[0].isoformat()}..{self.dates[-1].isoformat()} ({self.days_included} sessions)"

    @classmethod
    def from_cva(cls, cva: CVA) -> CompositeLevels:
        """The levels of a profiles.CVA."""
        return cls(
            cva.val_ticks,
            cva.poc_ticks,
            cva.vah_ticks,
            cva.low_tick,
            cva.high_tick,
            cva.days_included,
            cva.dates,
            cva.contains_roll,
            cva.shape,
        )


@dataclass(frozen=True, slots=True)
class OvernightSummary(PlainRecord):
    """The ON statistics and inventory the plan carries (ticks; mid and ratio exact)."""

    high_tick: int
    low_tick: int
    mid: Fraction
    poc_tick: int
    vwap_ticks: float
    range_ticks: int
    inv: Fraction
    label: str
    ref_tick: int
    on_range_ratio: Fraction | None
    data_ok: bool

    @classmethod
    def from_inventory(cls, inventory: OvernightInventory) -> OvernightSummary | None:
        """The summary of an inventory result; None when it had no ON data."""
        st = inventory.stats
        if st is None:
            return None
        return cls(
            st.on_high,
            st.on_low,
            st.on_mid,
            st.on_poc,
            st.on_vwap,
            st.range_ticks,
            inventory.inv,
            str(inventory.label),
            inventory.ref_tick,
            inventory.on_range_ratio,
            inventory.data_ok,
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """A pre-market hypothesis for one trade date (spec §5.5)."""

    trade_date: dt.date
    contract: str
    regime: str
    bias: str
    confidence: str
    character: str
    reasons: tuple[str, ...]
    relationship: ValueRelationship | None
    cva: CompositeLevels | None
    cva_incl_prior: CompositeLevels | None
    prior: SessionLevels | None
    overnight: OvernightSummary | None
    upside_ref: KeyLevel | None
    downside_ref: KeyLevel | None
    dva_measured_move: tuple[int, int] | None
    key_levels: tuple[KeyLevel, ...]
    line_in_sand: int | None
    scenarios: tuple[Scenario, ...]
    rth_open_ns: int
    rth_close_ns: int
    as_of_ns: int | None = None
    last_price_tick: int | None = None
    expected_open_location: str | None = None
    overnight_eighty: dict[str, Any] | None = None
    open_refs: tuple[int, ...] = ()
    open_scale_ticks: Fraction | None = None
    single_prints: tuple[tuple[int, int], ...] = ()
    poor_extremes: tuple[tuple[str, int], ...] = ()
    stacked: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    tick_size: float = ES_TICK_SIZE
    period_minutes: int = 30
    config_hash: str = ""

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id."""
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise KeyError(f"plan {self.trade_date} has no scenario {scenario_id!r}")

    def evaluate(self, live: LiveState) -> list[ScenarioStatus]:
        """Each scenario's live status (WAITING, TRIGGERED, TRADABLE, TARGET_HIT, INVALIDATED,
        MISSED) at `live`."""
        return evaluate_plan(self, live)

    def to_markdown(self) -> str:
        """The plan as a Markdown document."""
        return plan_markdown(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the store (payload) and the dashboard."""
        return {
            "kind": "plan",
            "trade_date": self.trade_date.isoformat(),
            "contract": self.contract,
            "regime": self.regime,
            "bias": self.bias,
            "confidence": self.confidence,
            "character": self.character,
            "reasons": list(self.reasons),
            "relationship": plain(self.relationship),
            "levels": {
                "cva": plain(self.cva),
                "cva_incl_prior": plain(self.cva_incl_prior),
                "prior": plain(self.prior),
                "on": plain(self.overnight),
                "refs": {
                    "upside_ref": plain(self.upside_ref),
                    "downside_ref": plain(self.downside_ref),
                },
                "dva_measured_move": None
                if self.dva_measured_move is None
                else {"up": self.dva_measured_move[0], "down": self.dva_measured_move[1]},
                "stacked": list(self.stacked),
                "single_prints": [list(x) for x in self.single_prints],
                "poor_extremes": [list(x) for x in self.poor_extremes],
                "key_levels": [k.to_dict(self.tick_size) for k in self.key_levels],
            },
            "line_in_sand": self.line_in_sand,
            "scenarios": [s.to_dict() for s in self.scenarios],
            "rth_open_ns": self.rth_open_ns,
            "rth_close_ns": self.rth_close_ns,
            "as_of_ns": self.as_of_ns,
            "last_price_tick": self.last_price_tick,
            "expected_open_location": self.expected_open_location,
            "overnight_eighty": self.overnight_eighty,
            "open_refs": list(self.open_refs),
            "open_scale_ticks": None
            if self.open_scale_ticks is None
            else str(self.open_scale_ticks),
            "notes": list(self.notes),
            "tick_size": self.tick_size,
            "period_minutes": self.period_minutes,
            "config_hash": self.config_hash,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Inverse of `to_dict`."""
        lv = data["levels"]
        mm = lv.get("dva_measured_move")
        flat = {
            **data,
            **lv,
            **lv["refs"],
            "overnight": lv.get("on"),
            "dva_measured_move": None if mm is None else (mm["up"], mm["down"]),
        }
        return from_plain(cls, flat)
