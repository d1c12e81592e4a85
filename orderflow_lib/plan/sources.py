"""From market data to the plan's context (spec §5.1) and from a data source to the plan and its
review: the functions behind `orderflow premarket` and `orderflow review`.

Only data before the RTH open of the trade date reaches the plan. All levels are in the trade
date's lead contract, rebuilt from that contract's own trades (`current_lead_contract`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from orderflow_lib.auction.eighty import overnight_eighty
from orderflow_lib.auction.inventory import median_range, overnight_inventory, profile_vwap
from orderflow_lib.auction.levels import SessionLevels, naked_pocs
from orderflow_lib.auction.open_type import open_scale_ticks
from orderflow_lib.auction.tape import Window
from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ns_to_ny
from orderflow_lib.market.calendar import Session, SessionCalendar, default_calendar
from orderflow_lib.plan.build import PlanContext, build_plan
from orderflow_lib.plan.data import MarketData, load_market_data
from orderflow_lib.plan.model import CompositeLevels, Plan
from orderflow_lib.plan.review import Review, review_plan
from orderflow_lib.profiles.archive import CvaArchive
from orderflow_lib.profiles.composite import CVA, SessionProfile, cva_for_date
from orderflow_lib.profiles.features import profile_features
from orderflow_lib.profiles.migration import character_history
from orderflow_lib.profiles.value_area import ValueAreaRules

NAKED_POC_SESSIONS = 10
"""How many recent sessions' POCs are checked for being naked (no settings key in spec §10)."""
_COVERAGE_SLACK_NS = 2 * NS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class _History:
    """Per-session facts computed from the data before the trade date."""

    profiles: dict[dt.date, SessionProfile]
    levels: dict[dt.date, SessionLevels]


def session_levels(
    data: MarketData, session: Session, rules: ValueAreaRules
) -> SessionLevels | None:
    """The RTH facts of one session from the data (None when the data has none of it)."""
    part = data.window(session.rth_open_ns, session.rth_close_ns)
    if len(part) == 0:
        return None
    prints = part.prints()
    _, lows, highs = part.ranges()
    profile = data.volume_profile(session.rth_open_ns, session.rth_close_ns)
    va = profile.value_area(rules=rules)
    if va is None:
        return None
    vwap, sigma = profile_vwap(profile)
    return SessionLevels(
        date=session.date,
        open_tick=int(prints["price_ticks"][0]),
        high_tick=int(highs.max()),
        low_tick=int(lows.min()),
        close_tick=int(prints["price_ticks"][-1]),
        val_ticks=va.val_ticks,
        poc_ticks=va.poc_ticks,
        vah_ticks=va.vah_ticks,
        vwap_ticks=vwap,
        sigma_ticks=sigma,
        short=bool(session.short),
    )


def _history(data: MarketData, sessions: list[Session], rules: ValueAreaRules) -> _History:
    profiles: dict[dt.date, SessionProfile] = {}
    levels: dict[dt.date, SessionLevels] = {}
    for session in sessions:
        found = session_levels(data, session, rules)
        if found is None:
            continue
        levels[session.date] = found
        profile = data.volume_profile(session.rth_open_ns, session.rth_close_ns)
        profiles[session.date] = SessionProfile(
            session.date, profile, data.contract, data.contract, short_session=bool(session.short)
        )
    return _History(profiles, levels)


def _covered(data: MarketData, start_ns: int, end_ns: int) -> tuple[bool, tuple[int, int] | None]:
    span = data.window(start_ns, end_ns).span()
    if span is None:
        return False, None
    ok = span[0] <= start_ns + _COVERAGE_SLACK_NS and span[1] >= end_ns - _COVERAGE_SLACK_NS
    return ok, span


def _eth_periods(cal: SessionCalendar, day: dt.date, minutes: int) -> list[Window]:
    start, end = cal.eth_window(day)
    halts = cal.globex_window(day).halts
    step = minutes * NS_PER_MINUTE
    out = []
    for k, t in enumerate(range(start, end, step)):
        w = Window(f"E{k + 1}", t, min(t + step, end))
        if not any(h0 <= w.start_ns and w.end_ns <= h1 for h0, h1 in halts):
            out.append(w)
    return out


def _stored_composites(
    profiles: dict[dt.date, SessionProfile],
    sessions: list[Session],
    trade_date: dt.date,
    contract: str,
    s: Settings,
    cal: SessionCalendar,
    rules: ValueAreaRules,
) -> list[tuple[dt.date, CVA]]:
    """The rolling composite ending at each session with data (spec §3.4), kept when it holds at
    least `regime.min_days` sessions."""
    out = []
    for i, session in enumerate(sessions):
        if session.date not in profiles:
            continue
        after = sessions[i + 1].date if i + 1 < len(sessions) else trade_date
        cva = cva_for_date(
            profiles, after, contract=contract, settings=s.composite, calendar=cal, rules=rules
        )
        if cva is not None and cva.days_included >= s.regime.min_days:
            out.append((session.date, cva))
    return out


def plan_context(
    data: MarketData,
    trade_date: dt.date,
    settings: Settings | None = None,
    *,
    calendar: SessionCalendar | None = None,
    naked_sessions: int = NAKED_POC_SESSIONS,
) -> PlanContext:
    """The context of spec §5.1 for `trade_date` from `data` (anything at or after the RTH open is
    ignored); gaps and approximations are listed in `notes`."""
    s = settings or Settings()
    cal = calendar if calendar is not None else default_calendar()
    rules = ValueAreaRules.from_settings(s.profile)
    rth = cal.rth_session(trade_date)
    if rth is None:
        raise DataError(f"{trade_date} has no RTH session, so no pre-market plan")
    data = data.window(None, rth.rth_open_ns)
    notes: list[str] = [f"levels in {data.contract}; source {data.source}"]
    if data.kind == "bars":
        notes.append(
            "volume profiles approximated from 1-minute bars (volume spread over each bar's range)"
        )
    lookback = max(
        s.archive.archive_days, s.open.scale_lookback, s.inventory.on_range_lookback, naked_sessions
    )
    sessions = cal.last_rth_sessions(
        trade_date, lookback, min_rth_minutes=s.composite.min_rth_minutes
    )
    hist = _history(data, sessions, rules)
    prior_session = sessions[-1] if sessions else None
    prior = None if prior_session is None else hist.levels.get(prior_session.date)
    if prior_session is not None and prior is None:
        notes.append(f"no data for the prior session {prior_session.date.isoformat()}")
    if prior is not None:
        notes.append(
            "no settlement price in the data: the prior session's last trade stands in for it"
        )
    contract = data.contract
    cva_ex = cva_incl = None
    if prior_session is not None:
        cva_ex = cva_for_date(
            hist.profiles,
            prior_session.date,
            contract=contract,
            settings=s.composite,
            calendar=cal,
            rules=rules,
        )
        cva_incl = cva_for_date(
            hist.profiles,
            trade_date,
            contract=contract,
            settings=s.composite,
            calendar=cal,
            rules=rules,
        )
    stored = _stored_composites(hist.profiles, sessions, trade_date, contract, s, cal, rules)
    characters = character_history([c for _, c in stored], s.migration)
    character = "UNKNOWN"
    if stored and prior_session is not None and stored[-1][0] == prior_session.date:
        character = characters[-1].character
    if character == "UNKNOWN":
        notes.append(
            f"how the value areas have been moving is not known yet: {len(stored)} stored "
            f"composites of at least {s.regime.min_days} sessions, {s.migration.character_k + 1} "
            "needed"
        )
    archive = CvaArchive(settings=s.archive)
    for (day, cva), char in zip(stored, characters, strict=True):
        archive.add_cva(day, cva, char.character)
    levels_cva = cva_incl if s.plan.cva == "incl_prior" else cva_ex
    refs = None if levels_cva is None else archive.refs(levels_cva)
    eth_start, eth_end = cal.eth_window(trade_date)
    complete, span = _covered(data, eth_start, eth_end)
    if span is None:
        notes.append("no overnight data")
    elif not complete:
        notes.append(
            f"overnight data covers {ns_to_ny(span[0]):%a %H:%M}-{ns_to_ny(span[1]):%H:%M} ET of the "
            f"Globex session {ns_to_ny(eth_start):%a %H:%M}-{ns_to_ny(eth_end):%H:%M} ET: the overnight "
            "high, low, range and inventory cover only that part"
        )
    on_ranges = []
    for session in sessions:
        start, end = cal.eth_window(session.date)
        ok, _ = _covered(data, start, end)
        if ok:
            _, lows, highs = data.ranges(start, end)
            on_ranges.append(int(highs.max()) - int(lows.min()))
    on_median = median_range(on_ranges, s.inventory.on_range_lookback)
    if on_median is not None:
        notes.append(
            f"usual overnight range from {len(on_ranges[-s.inventory.on_range_lookback :])} "
            "complete overnight sessions"
        )
    inventory = None
    eth_prints = data.prints(eth_start, eth_end)
    if prior is not None:
        inventory = overnight_inventory(
            data.volume_profile(eth_start, eth_end),
            prior.settlement_or_close,
            on_range_median_ticks=on_median,
            settings=s.inventory,
        )
    on80 = None
    if prior is not None and len(eth_prints):
        on80 = overnight_eighty(
            eth_prints,
            _eth_periods(cal, trade_date, s.profile.tpo_minutes),
            prior.val_ticks,
            prior.vah_ticks,
            s.eighty,
        )
    a_ranges = []
    for session in sessions:
        _, lows, highs = data.ranges(
            session.rth_open_ns, session.rth_open_ns + s.open.a_minutes * NS_PER_MINUTE
        )
        if len(lows):
            a_ranges.append(int(highs.max()) - int(lows.min()))
    recent = [x for x in sessions if x.date in hist.levels][-naked_sessions:]
    pocs = [(x.date, hist.levels[x.date].poc_ticks, x.rth_close_ns) for x in recent]
    ts, lows, highs = data.ranges(recent[0].rth_close_ns if recent else None, rth.rth_open_ns)
    naked = tuple(naked_pocs(pocs, ts, lows, highs))
    single_prints: tuple[tuple[int, int], ...] = ()
    poor: tuple[tuple[str, int], ...] = ()
    if prior is not None and prior_session is not None:
        tpo = data.tpo_profile(cal.tpo_periods(prior_session.date, s.profile.tpo_minutes))
        feats = profile_features(tpo, s.profile.min_single_run, s.profile.min_tail_rows)
        single_prints = tuple((r.low_tick, r.high_tick) for r in feats.interior_single_runs)
        poor = tuple((x.side, x.tick) for x in (feats.poor_high, feats.poor_low) if x is not None)
    last = None if len(eth_prints) == 0 else int(eth_prints["price_ticks"][-1])
    span_all = data.span()
    return PlanContext(
        trade_date=trade_date,
        contract=contract,
        rth_open_ns=rth.rth_open_ns,
        rth_close_ns=rth.rth_close_ns,
        prior=prior,
        prior_short=bool(prior_session.short) if prior_session is not None else False,
        cva=None if cva_ex is None else CompositeLevels.from_cva(cva_ex),
        cva_incl_prior=None if cva_incl is None else CompositeLevels.from_cva(cva_incl),
        character=character,
        stacked=tuple(archive.stacked_levels()),
        refs=refs,
        overnight=inventory,
        naked_pocs=naked,
        open_scale_ticks=open_scale_ticks(a_ranges, s.open),
        last_price_tick=last,
        overnight_eighty=on80,
        single_prints=single_prints,
        poor_extremes=poor,
        as_of_ns=None if span_all is None else span_all[1],
        notes=tuple(notes),
        tick_size=data.tick_size,
    )


def build_plan_from_source(
    trade_date: dt.date, source: str | os.PathLike[str], settings: Settings | None = None
) -> Plan:
    """`orderflow premarket`: the plan for `trade_date` from a Lean minute folder or DBN files."""
    s = settings or Settings()
    cal = default_calendar()
    data = load_market_data(source, trade_date, calendar=cal, tick_size=s.instrument.tick_size)
    return build_plan(plan_context(data, trade_date, s, calendar=cal), s)


def review_from_source(
    trade_date: dt.date, source: str | os.PathLike[str], settings: Settings | None = None
) -> Review:
    """`orderflow review`: the plan for `trade_date` graded against that day's RTH session."""
    s = settings or Settings()
    cal = default_calendar()
    data = load_market_data(source, trade_date, calendar=cal, tick_size=s.instrument.tick_size)
    plan = build_plan(plan_context(data, trade_date, s, calendar=cal), s)
    day = data.window(plan.rth_open_ns, plan.rth_close_ns)
    if len(day) == 0:
        raise DataError(f"{source}: no RTH data on {trade_date} to review the plan against")
    return review_plan(plan, bars=day.bars, trades=day.trades, settings=s)
