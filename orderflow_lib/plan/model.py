"""The trade plan document (spec §5.5): context block, key levels and 2-4 if/then scenarios, each
with trigger, entry zone, targets, invalidation and strategy family. Prices are ticks; every
object converts to and from a plain dict for the store and the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from orderflow_lib.auction.inventory import OvernightInventory
from orderflow_lib.auction.levels import KeyLevel, SessionLevels
from orderflow_lib.plan.conditions import Condition
from orderflow_lib.plan.kinds import Expectation, Family
from orderflow_lib.plan.monitor import LiveState, ScenarioStatus, evaluate_plan
from orderflow_lib.plan.render import plan_markdown
from orderflow_lib.profiles.composite import CVA
from orderflow_lib.profiles.migration import ValueRelationship


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class Scenario:
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

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "id": self.id,
            "if": self.condition.to_dict(),
            "expectation": str(self.expectation),
            "family": str(self.family),
            "direction": self.direction,
            "entry_zone": list(self.entry_zone),
            "targets": list(self.targets),
            "invalidation": self.invalidation.to_dict(),
            "confidence": self.confidence,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Inverse of `to_dict`."""
        low, high = data["entry_zone"]
        return cls(
            id=str(data["id"]),
            condition=Condition.from_dict(data["if"]),
            expectation=Expectation(data["expectation"]),
            family=Family(data["family"]),
            direction=int(data["direction"]),
            entry_zone=(int(low), int(high)),
            targets=tuple(int(t) for t in data["targets"]),
            invalidation=Condition.from_dict(data["invalidation"]),
            confidence=str(data["confidence"]),
            notes=str(data.get("notes", "")),
        )


@dataclass(frozen=True, slots=True)
class CompositeLevels:
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

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "val_ticks": self.val_ticks,
            "poc_ticks": self.poc_ticks,
            "vah_ticks": self.vah_ticks,
            "low_tick": self.low_tick,
            "high_tick": self.high_tick,
            "days_included": self.days_included,
            "dates": [d.isoformat() for d in self.dates],
            "contains_roll": self.contains_roll,
            "shape": self.shape,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompositeLevels:
        """Inverse of `to_dict`."""
        return cls(
            int(data["val_ticks"]),
            int(data["poc_ticks"]),
            int(data["vah_ticks"]),
            int(data["low_tick"]),
            int(data["high_tick"]),
            int(data["days_included"]),
            tuple(dt.date.fromisoformat(d) for d in data["dates"]),
            bool(data.get("contains_roll", False)),
            str(data.get("shape", "UNDEFINED")),
        )


@dataclass(frozen=True, slots=True)
class OvernightSummary:
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

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (fractions as text)."""
        return {
            "high_tick": self.high_tick,
            "low_tick": self.low_tick,
            "mid": str(self.mid),
            "poc_tick": self.poc_tick,
            "vwap_ticks": self.vwap_ticks,
            "range_ticks": self.range_ticks,
            "inv": str(self.inv),
            "label": self.label,
            "ref_tick": self.ref_tick,
            "on_range_ratio": None if self.on_range_ratio is None else str(self.on_range_ratio),
            "data_ok": self.data_ok,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OvernightSummary:
        """Inverse of `to_dict`."""
        ratio = data.get("on_range_ratio")
        return cls(
            int(data["high_tick"]),
            int(data["low_tick"]),
            Fraction(data["mid"]),
            int(data["poc_tick"]),
            float(data["vwap_ticks"]),
            int(data["range_ticks"]),
            Fraction(data["inv"]),
            str(data["label"]),
            int(data["ref_tick"]),
            None if ratio is None else Fraction(ratio),
            bool(data["data_ok"]),
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
    tick_size: float = 0.25
    period_minutes: int = 30
    config_hash: str = ""

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id."""
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise KeyError(f"plan {self.trade_date} has no scenario {scenario_id!r}")

    def evaluate(self, live: LiveState) -> list[ScenarioStatus]:
        """Each scenario's live status (WAITING, TRIGGERED, TARGET_HIT, INVALIDATED) at `live`."""
        return evaluate_plan(self, live)

    def to_markdown(self) -> str:
        """The plan as a Markdown document."""
        return plan_markdown(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the store (payload) and the dashboard."""

        def opt(x: Any) -> Any:
            return None if x is None else x.to_dict()

        return {
            "kind": "plan",
            "trade_date": self.trade_date.isoformat(),
            "contract": self.contract,
            "regime": self.regime,
            "bias": self.bias,
            "confidence": self.confidence,
            "character": self.character,
            "reasons": list(self.reasons),
            "relationship": opt(self.relationship),
            "levels": {
                "cva": opt(self.cva),
                "cva_incl_prior": opt(self.cva_incl_prior),
                "prior": opt(self.prior),
                "on": opt(self.overnight),
                "refs": {
                    "upside_ref": opt(self.upside_ref),
                    "downside_ref": opt(self.downside_ref),
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
        refs = lv["refs"]
        mm = lv.get("dva_measured_move")
        scale = data.get("open_scale_ticks")
        return cls(
            trade_date=dt.date.fromisoformat(data["trade_date"]),
            contract=str(data["contract"]),
            regime=str(data["regime"]),
            bias=str(data["bias"]),
            confidence=str(data["confidence"]),
            character=str(data["character"]),
            reasons=tuple(data["reasons"]),
            relationship=None
            if data.get("relationship") is None
            else ValueRelationship.from_dict(data["relationship"]),
            cva=None if lv.get("cva") is None else CompositeLevels.from_dict(lv["cva"]),
            cva_incl_prior=None
            if lv.get("cva_incl_prior") is None
            else CompositeLevels.from_dict(lv["cva_incl_prior"]),
            prior=None if lv.get("prior") is None else SessionLevels.from_dict(lv["prior"]),
            overnight=None if lv.get("on") is None else OvernightSummary.from_dict(lv["on"]),
            upside_ref=None
            if refs.get("upside_ref") is None
            else KeyLevel.from_dict(refs["upside_ref"]),
            downside_ref=None
            if refs.get("downside_ref") is None
            else KeyLevel.from_dict(refs["downside_ref"]),
            dva_measured_move=None if mm is None else (int(mm["up"]), int(mm["down"])),
            key_levels=tuple(KeyLevel.from_dict(k) for k in lv["key_levels"]),
            line_in_sand=_opt_int(data.get("line_in_sand")),
            scenarios=tuple(Scenario.from_dict(s) for s in data["scenarios"]),
            rth_open_ns=int(data["rth_open_ns"]),
            rth_close_ns=int(data["rth_close_ns"]),
            as_of_ns=_opt_int(data.get("as_of_ns")),
            last_price_tick=_opt_int(data.get("last_price_tick")),
            expected_open_location=data.get("expected_open_location"),
            overnight_eighty=data.get("overnight_eighty"),
            open_refs=tuple(int(t) for t in data.get("open_refs", ())),
            open_scale_ticks=None if scale is None else Fraction(scale),
            single_prints=tuple((int(a), int(b)) for a, b in lv.get("single_prints", ())),
            poor_extremes=tuple((str(a), int(b)) for a, b in lv.get("poor_extremes", ())),
            stacked=tuple(int(t) for t in lv.get("stacked", ())),
            notes=tuple(data.get("notes", ())),
            tick_size=float(data.get("tick_size", 0.25)),
            period_minutes=int(data.get("period_minutes", 30)),
            config_hash=str(data.get("config_hash", "")),
        )
