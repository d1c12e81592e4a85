"""Daily value area (DVA, spec §3.2): a session's RTH volume profile and value area, and how it
sits against a composite (spec §3.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE, CompositeSettings
from orderflow_lib.core.plain import PlainRecord
from orderflow_lib.profiles.bars import volume_profile_from_bars
from orderflow_lib.profiles.composite import CVA, RthCalendar, SessionProfile, cva_for_date
from orderflow_lib.profiles.migration import ValueRelationship, relationship
from orderflow_lib.profiles.value_area import DEFAULT_RULES, ValueArea, ValueAreaRules


class RthSession(Protocol):
    """What a DVA needs from a calendar `Session`."""

    @property
    def date(self) -> dt.date: ...

    @property
    def rth_open_ns(self) -> int: ...

    @property
    def rth_close_ns(self) -> int: ...

    @property
    def short(self) -> bool: ...


def session_profile_from_bars(
    bars: pd.DataFrame,
    session: RthSession,
    *,
    contract: str = "",
    lead_contract: str = "",
    bar_volume: str = "spread",
    row_ticks: int = 1,
    tick_size: float = ES_TICK_SIZE,
) -> SessionProfile:
    """The approximate RTH volume profile of decimal OHLCV bars opening in [rth_open, rth_close).

    `bar_volume` chooses the approximation (see `profiles.bars`).
    """
    profile = volume_profile_from_bars(
        bars,
        tick_size,
        bar_volume=bar_volume,
        start_ns=session.rth_open_ns,
        end_ns=session.rth_close_ns,
        row_ticks=row_ticks,
    )
    return SessionProfile(
        session.date,
        profile,
        contract,
        lead_contract or contract,
        short_session=bool(session.short),
    )


@dataclass(frozen=True, slots=True)
class DailyValue(PlainRecord):
    """A session's DVA and, when a composite was given, its relationship to it."""

    date: dt.date
    value_area: ValueArea
    cva: CVA | None
    relationship: ValueRelationship | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (the composite without its merged profile)."""
        return {
            "date": self.date.isoformat(),
            "value_area": self.value_area.to_dict(),
            "cva": None if self.cva is None else self.cva.to_dict(with_profile=False),
            "relationship": None if self.relationship is None else self.relationship.to_dict(),
        }


def daily_value(
    session: SessionProfile,
    cva: CVA | None = None,
    *,
    tol: int | None = None,
    rules: ValueAreaRules = DEFAULT_RULES,
) -> DailyValue | None:
    """The DVA of a session and its value relationship to `cva`; None for a session without volume."""
    value = session.profile.value_area(rules=rules)
    if value is None:
        return None
    return DailyValue(
        date=session.date,
        value_area=value,
        cva=cva,
        relationship=None if cva is None else relationship(value, cva, tol),
    )


def daily_value_for(
    profiles_by_date: Mapping[dt.date, SessionProfile],
    day: dt.date,
    *,
    contract: str = "",
    settings: CompositeSettings | None = None,
    calendar: RthCalendar | None = None,
    spread_ticks: Mapping[str, int] | None = None,
    rules: ValueAreaRules = DEFAULT_RULES,
    tol: int | None = None,
) -> DailyValue | None:
    """DVA of `day` against the composite it is compared with (spec §3.1): the sessions before
    it when `cva_exclude_compared_day` (default), else the window ending with it."""
    s = settings or CompositeSettings()
    session = profiles_by_date.get(day)
    if session is None:
        return None
    cva = cva_for_date(
        profiles_by_date,
        day,
        contract=contract,
        settings=s,
        calendar=calendar,
        spread_ticks=spread_ticks,
        rules=rules,
        include_trade_date=not s.cva_exclude_compared_day,
    )
    return daily_value(session, cva, tol=tol, rules=rules)
