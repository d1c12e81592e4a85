"""The pre-market context of a trade date: composite value (CVA), the prior day and the regime.

Built once per session from the prior RTH sessions (the synthetic market's history, or the
profiles the node stored at the end of earlier sessions), before the first event of the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from orderflow_lib.auction.regime import RegimeCall, classify_regime
from orderflow_lib.core.config import ES_TICK_SIZE, Settings
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.market.synthetic import SyntheticSession
from orderflow_lib.profiles.composite import CVA, SessionProfile, cva_for_date
from orderflow_lib.profiles.migration import character_history
from orderflow_lib.profiles.value_area import ValueArea, ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile

PROFILE_KIND = "rth_volume"
"""ProfileRecord.kind under which the node stores each session's RTH volume profile."""


@dataclass(frozen=True, slots=True)
class PriorSession:
    """One earlier RTH session: its volume profile and its high, low and close (ticks)."""

    date: dt.date
    contract: str
    profile: VolumeProfile
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    short: bool = False

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON for the store's ProfileRecord payload."""
        return {
            "profile": self.profile.to_dict(),
            "open_ticks": self.open_ticks,
            "high_ticks": self.high_ticks,
            "low_ticks": self.low_ticks,
            "close_ticks": self.close_ticks,
            "short": self.short,
        }

    @classmethod
    def from_payload(cls, day: dt.date, contract: str, payload: Mapping[str, Any]) -> PriorSession:
        """Inverse of `to_payload`."""
        return cls(
            day,
            contract,
            VolumeProfile.from_dict(dict(payload["profile"])),
            int(payload["open_ticks"]),
            int(payload["high_ticks"]),
            int(payload["low_ticks"]),
            int(payload["close_ticks"]),
            bool(payload.get("short", False)),
        )


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What the node knows before a session opens (None where there is no history).

    `rth_open_ns` / `rth_close_ns` bound the session's RTH (None on a trade date without one).
    """

    trade_date: dt.date
    contract: str
    rth_open_ns: int | None
    rth_close_ns: int | None
    cva: CVA | None = None
    cva_ex_prior: CVA | None = None
    prior: PriorSession | None = None
    prior_value: ValueArea | None = None
    character: str = "UNKNOWN"
    regime: RegimeCall | None = None


def prior_from_trades(
    trades: np.ndarray, day: dt.date, contract: str, calendar: SessionCalendar, tick_size: float
) -> PriorSession | None:
    """The RTH session of `day` from its trades (None without RTH trades)."""
    session = calendar.rth_session(day)
    if session is None:
        return None
    ts = trades["ts_ns"]
    lo, hi = np.searchsorted(ts, session.rth_open_ns), np.searchsorted(ts, session.rth_close_ns)
    rth = trades[lo:hi]
    if rth.shape[0] == 0:
        return None
    profile = VolumeProfile.from_trade_array(rth, tick_size=tick_size)
    return PriorSession(
        day,
        contract,
        profile,
        int(rth["price_ticks"][0]),
        int(rth["price_ticks"].max()),
        int(rth["price_ticks"].min()),
        int(rth["price_ticks"][-1]),
        bool(session.short),
    )


def priors_from_synthetic(
    sessions: Sequence[SyntheticSession], calendar: SessionCalendar, tick_size: float = ES_TICK_SIZE
) -> list[PriorSession]:
    """PriorSessions of the synthetic market's history."""
    out = []
    for s in sessions:
        prior = prior_from_trades(
            s.trades, s.trade_date, calendar.lead_contract(s.trade_date), calendar, tick_size
        )
        if prior is not None:
            out.append(prior)
    return out


def build_context(
    trade_date: dt.date,
    contract: str,
    priors: Sequence[PriorSession],
    settings: Settings,
    calendar: SessionCalendar,
) -> SessionContext:
    """CVA (D-N..D-1), the composite before the prior day, the prior day's value and the regime."""
    rth = calendar.rth_session(trade_date)
    base = SessionContext(
        trade_date,
        contract,
        None if rth is None else rth.rth_open_ns,
        None if rth is None else rth.rth_close_ns,
    )
    if not priors:
        return base
    rules = ValueAreaRules.from_settings(settings.profile)
    by_date = {
        p.date: SessionProfile(p.date, p.profile, p.contract, p.contract, short_session=p.short)
        for p in priors
    }
    cva = cva_for_date(
        by_date, trade_date, settings=settings.composite, calendar=calendar, rules=rules
    )
    prior_date = calendar.prior_rth_date(trade_date)
    prior = next((p for p in priors if p.date == prior_date), None)
    if prior is None:
        return replace(base, cva=cva)
    cva_ex = cva_for_date(
        by_date, prior_date, settings=settings.composite, calendar=calendar, rules=rules
    )
    prior_value = prior.profile.value_area(rules=rules)
    composites = [
        c
        for c in (
            cva_for_date(
                by_date, p.date, settings=settings.composite, calendar=calendar, rules=rules
            )
            for p in sorted(priors, key=lambda p: p.date)
        )
        if c is not None
    ]
    history = [*composites, cva] if cva is not None else composites
    character = (
        character_history(history, settings.migration)[-1].character if history else "UNKNOWN"
    )
    regime = classify_regime(
        prior_value,
        cva_ex,
        days_included=0 if cva_ex is None else cva_ex.days_included,
        character=character,
        prior_short=prior.short,
        settings=settings.regime,
        edge_tol_ticks=settings.migration.edge_tol_ticks,
    )
    return replace(
        base,
        cva=cva,
        cva_ex_prior=cva_ex,
        prior=prior,
        prior_value=prior_value,
        character=character,
        regime=regime,
    )
