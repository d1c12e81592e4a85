"""Composite value area (CVA, spec §3.1, §1.2, §1.4): merged RTH volume profiles of several
sessions, rolling last-N (calendar-aware) or balance-merge of overlapping days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from orderflow_lib.core.config import CompositeSettings, ShapeSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.profiles.ladder import price_of
from orderflow_lib.profiles.shape import classify_shape
from orderflow_lib.profiles.value_area import DEFAULT_RULES, ValueArea, ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile

ROLL_MODES = ("current_lead_contract", "back_adjust", "same_contract_only")
_MODES = {
    "rolling_n": "rolling_n",
    "balance_merge": "balance_merge",
}
LOW_CONFIDENCE_DAYS = 3


class RthCalendar(Protocol):
    """What the composite needs from `SessionCalendar`."""

    def last_rth_sessions(
        self,
        trade_date: dt.date,
        n: int,
        min_rth_minutes: int = 0,
        include_trade_date: bool = False,
    ) -> Sequence[Any]: ...


@dataclass(frozen=True, slots=True)
class SessionProfile:
    """One RTH session's volume profile, the contract its trades came from, and its flags.

    `lead_contract` is the session's own lead contract (spec §1.2); `contract` the one whose
    trades built `profile`. `thin_session` marks a lead contract with little RTH volume.
    """

    date: dt.date
    profile: VolumeProfile
    contract: str = ""
    lead_contract: str = ""
    short_session: bool = False
    thin_session: bool = False


@dataclass(frozen=True, slots=True)
class CVA:
    """A composite value area with its provenance (spec §3.1 output), prices in ticks."""

    poc_ticks: int
    val_ticks: int
    vah_ticks: int
    high_tick: int
    low_tick: int
    contract: str
    days_included: int
    requested_days: int
    dates: tuple[dt.date, ...]
    shape: str
    mode: str
    contains_roll: bool
    contains_short_session: bool
    thin_sessions: tuple[dt.date, ...]
    back_adjusted: bool
    value_area: ValueArea
    profile: VolumeProfile = field(compare=False, repr=False)

    @property
    def first_date(self) -> dt.date:
        """Oldest session in the composite."""
        return self.dates[0]

    @property
    def last_date(self) -> dt.date:
        """Newest session in the composite."""
        return self.dates[-1]

    @property
    def tick_size(self) -> float:
        """Tick size of the prices."""
        return self.value_area.tick_size

    @property
    def poc(self) -> float:
        """POC as a decimal price."""
        return price_of(self.poc_ticks, self.tick_size)

    @property
    def val(self) -> float:
        """VAL as a decimal price."""
        return price_of(self.val_ticks, self.tick_size)

    @property
    def vah(self) -> float:
        """VAH as a decimal price."""
        return price_of(self.vah_ticks, self.tick_size)

    @property
    def width_ticks(self) -> int:
        """vah - val + 1."""
        return self.vah_ticks - self.val_ticks + 1

    @property
    def low_confidence(self) -> bool:
        """True with fewer than 3 sessions (spec §1.4)."""
        return self.days_included < LOW_CONFIDENCE_DAYS

    def to_dict(self, with_profile: bool = True) -> dict[str, Any]:
        """Plain dict (dates as ISO text); the merged profile is included unless asked not to."""
        return {
            "kind": "cva",
            "poc_ticks": self.poc_ticks,
            "val_ticks": self.val_ticks,
            "vah_ticks": self.vah_ticks,
            "high_tick": self.high_tick,
            "low_tick": self.low_tick,
            "poc": self.poc,
            "val": self.val,
            "vah": self.vah,
            "contract": self.contract,
            "days_included": self.days_included,
            "requested_days": self.requested_days,
            "dates": [d.isoformat() for d in self.dates],
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
            "shape": self.shape,
            "mode": self.mode,
            "contains_roll": self.contains_roll,
            "contains_short_session": self.contains_short_session,
            "thin_sessions": [d.isoformat() for d in self.thin_sessions],
            "back_adjusted": self.back_adjusted,
            "value_area": self.value_area.to_dict(),
            "profile": self.profile.to_dict() if with_profile else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CVA:
        """Inverse of `to_dict` (an empty profile stands in when it was left out)."""
        value_area = ValueArea.from_dict(data["value_area"])
        profile = (
            VolumeProfile.from_dict(data["profile"])
            if data.get("profile") is not None
            else VolumeProfile.empty(tick_size=value_area.tick_size)
        )
        return cls(
            poc_ticks=int(data["poc_ticks"]),
            val_ticks=int(data["val_ticks"]),
            vah_ticks=int(data["vah_ticks"]),
            high_tick=int(data["high_tick"]),
            low_tick=int(data["low_tick"]),
            contract=str(data["contract"]),
            days_included=int(data["days_included"]),
            requested_days=int(data["requested_days"]),
            dates=tuple(dt.date.fromisoformat(d) for d in data["dates"]),
            shape=str(data["shape"]),
            mode=str(data["mode"]),
            contains_roll=bool(data["contains_roll"]),
            contains_short_session=bool(data["contains_short_session"]),
            thin_sessions=tuple(dt.date.fromisoformat(d) for d in data["thin_sessions"]),
            back_adjusted=bool(data["back_adjusted"]),
            value_area=value_area,
            profile=profile,
        )


def merge_profiles(profiles: Sequence[VolumeProfile]) -> VolumeProfile:
    """Row-wise sum of volume profiles (same tick size), re-bucketed to the coarsest row size."""
    present = [p for p in profiles if not p.is_empty]
    if not profiles:
        raise ValueError("merge_profiles needs at least one profile")
    tick_sizes = {p.tick_size for p in profiles}
    if len(tick_sizes) > 1:
        raise ValueError(f"profiles must share one tick size, had {sorted(tick_sizes)}")
    row_ticks = max(p.row_ticks for p in profiles)
    if not present:
        return VolumeProfile.empty(row_ticks=row_ticks, tick_size=profiles[0].tick_size)
    rows = [p.rebucketed(row_ticks) for p in present]
    base = min(p.base_row for p in rows)
    size = max(p.base_row + p.n_rows for p in rows) - base
    volume = np.zeros(size, dtype=np.int64)
    sided = all(p.buy_volume is not None for p in rows)
    buy = np.zeros(size, dtype=np.int64) if sided else None
    sell = np.zeros(size, dtype=np.int64) if sided else None
    for p in rows:
        at = slice(p.base_row - base, p.base_row - base + p.n_rows)
        volume[at] += p.volumes
        if (
            buy is not None
            and sell is not None
            and p.buy_volume is not None
            and p.sell_volume is not None
        ):
            buy[at] += p.buy_volume
            sell[at] += p.sell_volume
    starts = [p.start_ns for p in rows if p.start_ns is not None]
    ends = [p.end_ns for p in rows if p.end_ns is not None]
    as_of = [p.as_of_ns for p in rows if p.as_of_ns is not None]
    return VolumeProfile(
        volume,
        base,
        row_ticks=row_ticks,
        tick_size=rows[0].tick_size,
        buy_volume=buy,
        sell_volume=sell,
        low_tick=min(p.low_tick for p in rows if p.low_tick is not None),
        high_tick=max(p.high_tick for p in rows if p.high_tick is not None),
        open_tick=rows[0].open_tick,
        close_tick=rows[-1].close_tick,
        start_ns=min(starts) if starts else None,
        end_ns=max(ends) if ends else None,
        as_of_ns=max(as_of) if as_of else None,
        approximate=any(p.approximate for p in rows),
    )


def _in_contract(
    sessions: Sequence[SessionProfile],
    contract: str,
    across_roll: str,
    spread_ticks: Mapping[str, int] | None,
) -> tuple[list[SessionProfile], bool]:
    """Sessions expressed in `contract` by the roll rule; also whether any was back-adjusted."""
    if across_roll not in ROLL_MODES:
        raise ValueError(f"across_roll must be one of {ROLL_MODES}, was {across_roll!r}")
    if across_roll == "same_contract_only":
        return [s for s in sessions if not s.lead_contract or s.lead_contract == contract], False
    out: list[SessionProfile] = []
    adjusted = False
    for s in sessions:
        if not s.contract or not contract or s.contract == contract:
            out.append(s)
        elif across_roll == "back_adjust":
            if spread_ticks is None or s.contract not in spread_ticks:
                raise ValueError(
                    f"session {s.date} is in {s.contract}: back_adjust needs spread_ticks[{s.contract!r}]"
                )
            out.append(
                replace(s, profile=s.profile.shifted(spread_ticks[s.contract]), contract=contract)
            )
            adjusted = True
        else:
            raise ValueError(
                f"session {s.date} was built from {s.contract}, not {contract}: rebuild it from "
                f"{contract}'s trades (current_lead_contract) or choose back_adjust"
            )
    return out, adjusted


def composite(
    sessions: Sequence[SessionProfile],
    *,
    contract: str = "",
    mode: str = "rolling_n",
    across_roll: str = "current_lead_contract",
    spread_ticks: Mapping[str, int] | None = None,
    requested_days: int | None = None,
    rules: ValueAreaRules = DEFAULT_RULES,
    shape_settings: ShapeSettings | None = None,
) -> CVA | None:
    """CVA of the given sessions (merged volume, then §2.3/§2.4); None when they hold no volume.

    `contract` is the lead contract of the trade date the composite serves; sessions of other
    contracts follow `across_roll` (spec §1.2).
    """
    mode = _MODES.get(mode, mode)
    if mode not in ("rolling_n", "balance_merge"):
        raise ValueError(f"mode must be 'rolling_n' or 'balance_merge', was {mode!r}")
    ordered = sorted(sessions, key=lambda s: s.date)
    contains_roll = any(
        s.lead_contract and contract and s.lead_contract != contract for s in ordered
    )
    kept, adjusted = _in_contract(ordered, contract, across_roll, spread_ticks)
    kept = [s for s in kept if not s.profile.is_empty]
    if not kept:
        return None
    merged = merge_profiles([s.profile for s in kept])
    value = merged.value_area(rules=rules)
    if value is None or merged.low_tick is None or merged.high_tick is None:
        return None
    return CVA(
        poc_ticks=value.poc_ticks,
        val_ticks=value.val_ticks,
        vah_ticks=value.vah_ticks,
        high_tick=merged.high_tick,
        low_tick=merged.low_tick,
        contract=contract,
        days_included=len(kept),
        requested_days=len(ordered) if requested_days is None else requested_days,
        dates=tuple(s.date for s in kept),
        shape=classify_shape(merged, settings=shape_settings, rules=rules).shape,
        mode=mode,
        contains_roll=bool(contains_roll),
        contains_short_session=any(s.short_session for s in kept),
        thin_sessions=tuple(s.date for s in kept if s.thin_session),
        back_adjusted=adjusted,
        value_area=value,
        profile=merged,
    )


def is_thin_session(
    contract_volume: int, other_volume: int, settings: CompositeSettings | None = None
) -> bool:
    """True when a contract had less than roll_min_volume_share of the two contracts' combined
    RTH volume that session (spec §1.2, `thin_session`)."""
    share = exact((settings or CompositeSettings()).roll_min_volume_share)
    return contract_volume < share * (contract_volume + other_volume)


def _overlap_ok(a: ValueArea, b: ValueArea, share: Fraction) -> bool:
    overlap = max(0, min(a.vah_ticks, b.vah_ticks) - max(a.val_ticks, b.val_ticks) + 1)
    return overlap >= share * min(a.width_ticks, b.width_ticks)


def balance_merge(
    sessions: Sequence[SessionProfile],
    *,
    contract: str = "",
    settings: CompositeSettings | None = None,
    across_roll: str | None = None,
    spread_ticks: Mapping[str, int] | None = None,
    rules: ValueAreaRules = DEFAULT_RULES,
    shape_settings: ShapeSettings | None = None,
) -> CVA | None:
    """Balance area (spec §3.1): from the newest session, add older ones while the older VA
    overlaps the running composite's VA by >= merge_overlap of the narrower width and the merged
    shape stays in merge_shapes; at most max_merge_days sessions."""
    s = settings or CompositeSettings()
    roll = across_roll or s.composite_across_roll
    share = exact(s.merge_overlap)
    ordered = [x for x in sorted(sessions, key=lambda x: x.date) if not x.profile.is_empty]
    if roll == "same_contract_only":
        ordered = [x for x in ordered if not x.lead_contract or x.lead_contract == contract]
    converted, _ = _in_contract(ordered, contract, roll, spread_ticks)
    if not ordered:
        return None

    def build(group: list[SessionProfile]) -> CVA | None:
        return composite(
            group,
            contract=contract,
            mode="balance_merge",
            across_roll=roll,
            spread_ticks=spread_ticks,
            rules=rules,
            shape_settings=shape_settings,
        )

    group = [ordered[-1]]
    current = build(group)
    for i in range(len(ordered) - 2, -1, -1):
        if current is None or len(group) >= s.max_merge_days:
            break
        older_va = converted[i].profile.value_area(rules=rules)
        if older_va is None or not _overlap_ok(older_va, current.value_area, share):
            break
        candidate = build([ordered[i], *group])
        if candidate is None or candidate.shape not in s.merge_shapes:
            break
        group.insert(0, ordered[i])
        current = candidate
    return current


def sessions_for(
    trade_date: dt.date,
    n: int,
    *,
    calendar: RthCalendar | None = None,
    min_rth_minutes: int = 0,
    include_trade_date: bool = False,
) -> list[Any]:
    """The last `n` NYSE sessions before `trade_date` (or up to it), holidays skipped and early
    closes kept unless shorter than `min_rth_minutes` (spec §1.4); oldest first."""
    cal = calendar if calendar is not None else default_calendar()
    return list(
        cal.last_rth_sessions(
            trade_date, n, min_rth_minutes=min_rth_minutes, include_trade_date=include_trade_date
        )
    )


def cva_for_date(
    profiles_by_date: Mapping[dt.date, SessionProfile],
    trade_date: dt.date,
    *,
    contract: str = "",
    settings: CompositeSettings | None = None,
    calendar: RthCalendar | None = None,
    spread_ticks: Mapping[str, int] | None = None,
    rules: ValueAreaRules = DEFAULT_RULES,
    shape_settings: ShapeSettings | None = None,
    include_trade_date: bool = False,
) -> CVA | None:
    """The CVA that serves `trade_date`: sessions D-N..D-1 from the calendar (rolling_n), or the
    balance area grown back from D-1 over at most max_merge_days sessions (balance_merge);
    with `include_trade_date`, the window ends at D itself.

    Sessions missing from `profiles_by_date` are left out (`days_included < requested_days`).
    """
    s = settings or CompositeSettings()
    mode = _MODES.get(s.cva_mode, s.cva_mode)
    n = s.cva_days if mode == "rolling_n" else s.max_merge_days
    picked = []
    window = sessions_for(
        trade_date,
        n,
        calendar=calendar,
        min_rth_minutes=s.min_rth_minutes,
        include_trade_date=include_trade_date,
    )
    for session in window:
        entry = profiles_by_date.get(session.date)
        if entry is not None:
            picked.append(replace(entry, short_session=entry.short_session or bool(session.short)))
    if mode == "balance_merge":
        return balance_merge(
            picked,
            contract=contract,
            settings=s,
            spread_ticks=spread_ticks,
            rules=rules,
            shape_settings=shape_settings,
        )
    return composite(
        picked,
        contract=contract,
        mode=mode,
        across_roll=s.composite_across_roll,
        spread_ticks=spread_ticks,
        requested_days=n,
        rules=rules,
        shape_settings=shape_settings,
    )
