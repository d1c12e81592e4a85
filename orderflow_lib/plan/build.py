"""Building the pre-market plan (spec §5) from a `PlanContext`: regime, key levels, line in the
sand, measured moves and scenarios. The context holds only facts computed before 09:30 ET."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from orderflow_lib.auction.eighty import OvernightEighty
from orderflow_lib.auction.inventory import OvernightInventory
from orderflow_lib.auction.levels import KeyLevel, SessionLevels, collect_levels
from orderflow_lib.auction.open_location import OpenReference, open_location
from orderflow_lib.auction.regime import classify_regime
from orderflow_lib.core.config import ES_TICK_SIZE, Settings
from orderflow_lib.plan.model import CompositeLevels, OvernightSummary, Plan
from orderflow_lib.plan.scenarios import build_scenarios
from orderflow_lib.profiles.archive import BreakoutRefs, StackedLevel


@dataclass(frozen=True, slots=True)
class PlanContext:
    """Everything known before the RTH open of `trade_date` (ticks, int64 UTC ns).

    `cva` is the composite that excludes the prior day (D-6..D-2, the regime's C);
    `cva_incl_prior` is D-5..D-1. `refs` are the breakout references for `cva`.
    """

    trade_date: dt.date
    contract: str
    rth_open_ns: int
    rth_close_ns: int
    prior: SessionLevels | None = None
    prior_short: bool = False
    cva: CompositeLevels | None = None
    cva_incl_prior: CompositeLevels | None = None
    character: str = "UNKNOWN"
    stacked: tuple[StackedLevel, ...] = ()
    refs: BreakoutRefs | None = None
    overnight: OvernightInventory | None = None
    naked_pocs: tuple[tuple[dt.date, int], ...] = ()
    open_scale_ticks: Fraction | None = None
    last_price_tick: int | None = None
    overnight_eighty: OvernightEighty | None = None
    single_prints: tuple[tuple[int, int], ...] = ()
    poor_extremes: tuple[tuple[str, int], ...] = ()
    as_of_ns: int | None = None
    notes: tuple[str, ...] = ()
    tick_size: float = ES_TICK_SIZE


def line_in_sand(cva: CompositeLevels | None, last_price_tick: int | None) -> int | None:
    """The edge of the composite nearest the last pre-open price (VAH on a tie)."""
    if cva is None or last_price_tick is None:
        return None
    to_vah = abs(last_price_tick - cva.vah_ticks)
    to_val = abs(last_price_tick - cva.val_ticks)
    return cva.vah_ticks if to_vah <= to_val else cva.val_ticks


def dva_measured_move(prior: SessionLevels | None) -> tuple[int, int] | None:
    """(up, down) = (vah + (vah - val), val - (vah - val)) of the prior DVA."""
    if prior is None:
        return None
    height = prior.vah_ticks - prior.val_ticks
    return prior.vah_ticks + height, prior.val_ticks - height


def open_references(ctx: PlanContext, cva: CompositeLevels | None) -> tuple[int, ...]:
    """R of spec §4.4: prior VAH, VAL, POC, high, low, ON high and low, CVA edges."""
    refs: list[int] = []
    if ctx.prior is not None:
        p = ctx.prior
        refs += [p.vah_ticks, p.val_ticks, p.poc_ticks, p.high_tick, p.low_tick]
    if ctx.overnight is not None and ctx.overnight.stats is not None:
        refs += [ctx.overnight.stats.on_high, ctx.overnight.stats.on_low]
    if cva is not None:
        refs += [cva.vah_ticks, cva.val_ticks]
    return tuple(sorted(set(refs)))


def build_plan(ctx: PlanContext, settings: Settings | None = None) -> Plan:
    """The plan of spec §5.5 from the context (regime §5.2, scenarios §5.5, levels §5.1)."""
    s = settings or Settings()
    cva = ctx.cva_incl_prior if s.plan.cva == "incl_prior" else ctx.cva
    inventory = ctx.overnight
    ratio = None
    if inventory is not None and inventory.data_ok:
        ratio = inventory.on_range_ratio
    call = classify_regime(
        ctx.prior,
        cva,
        days_included=0 if cva is None else cva.days_included,
        character=ctx.character,
        on_range_ratio=ratio,
        prior_short=ctx.prior_short,
        settings=s.regime,
        edge_tol_ticks=s.migration.edge_tol_ticks,
    )
    line = line_in_sand(cva, ctx.last_price_tick)
    up_ref = (
        None
        if ctx.refs is None
        else KeyLevel("upside_ref", ctx.refs.upside.tick, "ref", ctx.refs.upside.source)
    )
    down_ref = (
        None
        if ctx.refs is None
        else KeyLevel("downside_ref", ctx.refs.downside.tick, "ref", ctx.refs.downside.source)
    )
    scenarios = build_scenarios(
        regime=call.regime,
        bias=call.bias,
        confidence=call.confidence,
        prior=ctx.prior,
        cva=cva,
        upside_ref=None if up_ref is None else up_ref.tick,
        downside_ref=None if down_ref is None else down_ref.tick,
        last_price=ctx.last_price_tick,
        line_in_sand=line,
        unknown_family=s.plan.unknown_family,
        depth_ticks=s.plan.zone_ticks,
        tick_size=ctx.tick_size,
    )
    key_levels = collect_levels(
        prior=ctx.prior,
        overnight=None if inventory is None else inventory.stats,
        overnight_source=f"ON {ctx.trade_date.isoformat()}",
        cva=cva,
        cva_source="composite" if cva is None else cva.label,
        cva_incl_prior=ctx.cva_incl_prior if cva is not ctx.cva_incl_prior else None,
        cva_incl_source=""
        if ctx.cva_incl_prior is None
        else f"{ctx.cva_incl_prior.label}, incl. prior day",
        naked=ctx.naked_pocs,
        stacked=ctx.stacked,
        refs=ctx.refs,
    )
    expected = None
    if ctx.prior is not None and ctx.last_price_tick is not None:
        p = ctx.prior
        ref = OpenReference(p.val_ticks, p.vah_ticks, p.low_tick, p.high_tick)
        expected = str(open_location(ctx.last_price_tick, ref, s.open))
    on80 = ctx.overnight_eighty
    return Plan(
        trade_date=ctx.trade_date,
        contract=ctx.contract,
        regime=str(call.regime),
        bias=str(call.bias),
        confidence=str(call.confidence),
        character=ctx.character,
        reasons=call.reasons,
        relationship=call.relationship,
        cva=cva,
        cva_incl_prior=ctx.cva_incl_prior,
        prior=ctx.prior,
        overnight=None if inventory is None else OvernightSummary.from_inventory(inventory),
        upside_ref=up_ref,
        downside_ref=down_ref,
        dva_measured_move=dva_measured_move(ctx.prior),
        key_levels=tuple(key_levels),
        line_in_sand=line,
        scenarios=scenarios,
        rth_open_ns=ctx.rth_open_ns,
        rth_close_ns=ctx.rth_close_ns,
        as_of_ns=ctx.as_of_ns,
        last_price_tick=ctx.last_price_tick,
        expected_open_location=expected,
        overnight_eighty=None
        if on80 is None
        else {
            "state": str(on80.state),
            "side": on80.side,
            "target_tick": on80.target_tick,
            "pending": on80.pending,
            "complete": on80.complete,
        },
        open_refs=open_references(ctx, cva),
        open_scale_ticks=ctx.open_scale_ticks,
        single_prints=ctx.single_prints,
        poor_extremes=ctx.poor_extremes,
        stacked=tuple(x.tick for x in ctx.stacked),
        notes=ctx.notes,
        tick_size=ctx.tick_size,
        period_minutes=s.profile.tpo_minutes,
        config_hash=s.config_hash(),
    )
