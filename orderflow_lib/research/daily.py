"""One trade date's profiles for the store: RTH volume, RTH TPO and overnight (ETH) volume.

Built from trades (exact) or from OHLCV bars (Lean minutes, IB 5-minute bars: the volume
profiles are then approximate, spec §2.1), cut by the session calendar, and turned into the
store's ProfileRecords with the levels under the configured value-area rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE
from orderflow_lib.market.instruments import resolve_contract_alias
from orderflow_lib.profiles import TpoProfile, ValueArea, ValueAreaRules, VolumeProfile
from orderflow_lib.profiles.bars import tpo_profile_from_bar_array, volume_profile_from_bar_array
from orderflow_lib.store import ProfileRecord

KIND_RTH = "volume"
"""Stored kind of the RTH volume profile (the one composites merge)."""
KIND_TPO = "tpo"
"""Stored kind of the RTH TPO profile."""
KIND_ETH = "eth"
"""Stored kind of the overnight (ETH) volume profile: Globex open to the RTH open."""
PROFILE_KINDS = (KIND_RTH, KIND_TPO, KIND_ETH)
"""Every profile kind a research backfill stores per trade date."""


def calendar_for(settings: Settings) -> SessionCalendar:
    """The session calendar of the settings (the shared default one when they are the defaults)."""
    if settings.calendar == Settings().calendar:
        return default_calendar()
    return SessionCalendar.from_settings(settings.calendar)


def value_rules(settings: Settings) -> ValueAreaRules:
    """The value-area rules of the `profile` settings section."""
    return ValueAreaRules.from_settings(settings.profile)


def canonical_contract(contract: str, trade_date: date) -> str:
    """'ESZ13' stays; a one-digit broker or Databento alias ('ESH4') becomes 'ESH24' as of the date."""
    return str(resolve_contract_alias(contract, trade_date))


@dataclass(frozen=True, slots=True)
class DayProfiles:
    """The profiles of one trade date; `records` counts the trades or bars it was built from.

    `tpo` is None on a trade date without an RTH session; `approximate` marks profiles from bars.
    """

    trade_date: date
    contract: str
    rth: VolumeProfile
    tpo: TpoProfile | None
    eth: VolumeProfile
    records: int
    approximate: bool
    as_of_ns: int

    def to_records(self, source: str, rules: ValueAreaRules) -> list[ProfileRecord]:
        """ProfileRecords for the store: levels under `rules`, the profile's dict as payload."""
        out = [
            _record(self, KIND_RTH, source, self.rth, self.rth.value_area(rules=rules)),
            _record(self, KIND_ETH, source, self.eth, self.eth.value_area(rules=rules)),
        ]
        if self.tpo is not None:
            out.insert(
                1, _record(self, KIND_TPO, source, self.tpo, self.tpo.value_area(rules=rules))
            )
        return out


def _record(
    day: DayProfiles,
    kind: str,
    source: str,
    profile: VolumeProfile | TpoProfile,
    value: ValueArea | None,
) -> ProfileRecord:
    payload: dict[str, Any] = profile.to_dict()
    return ProfileRecord(
        trade_date=day.trade_date,
        kind=kind,
        contract=day.contract,
        source=source,
        row_ticks=profile.row_ticks,
        as_of_ns=day.as_of_ns,
        poc_tick=None if value is None else value.poc_ticks,
        val_tick=None if value is None else value.val_ticks,
        vah_tick=None if value is None else value.vah_ticks,
        payload=payload,
    )


def split_by_trade_date(
    records: np.ndarray, calendar: SessionCalendar
) -> Iterator[tuple[date, np.ndarray]]:
    """(trade date, its records in time order) for TRADE_DTYPE or BAR_DTYPE records, oldest first."""
    if records.dtype.names is None or "ts_ns" not in records.dtype.names:
        raise ValidationError(f"records must be a structured array with ts_ns, was {records.dtype}")
    ordered = records[np.argsort(records["ts_ns"], kind="stable")]
    if len(ordered) == 0:
        return
    dates = calendar.trade_dates_of(ordered["ts_ns"])
    edges = np.flatnonzero(dates[1:] != dates[:-1]) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [len(ordered)]))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield dates[start].astype(object), ordered[start:end]


def day_profiles_from_trades(
    trades: np.ndarray,
    trade_date: date,
    contract: str,
    *,
    settings: Settings,
    calendar: SessionCalendar | None = None,
) -> DayProfiles:
    """Exact profiles of one trade date's TRADE_DTYPE trades (trades outside its windows are ignored)."""
    _check_dtype(trades, TRADE_DTYPE, "trades")
    cal = calendar or calendar_for(settings)
    row_ticks, tick_size = settings.profile.row_ticks, settings.instrument.tick_size
    session = cal.rth_session(trade_date)
    eth_start, eth_end = cal.eth_window(trade_date)
    eth = VolumeProfile.from_trade_array(
        trades, start_ns=eth_start, end_ns=eth_end, row_ticks=row_ticks, tick_size=tick_size
    )
    if session is None:
        rth = VolumeProfile.empty(row_ticks=row_ticks, tick_size=tick_size)
        tpo = None
    else:
        rth = VolumeProfile.from_trade_array(
            trades,
            start_ns=session.rth_open_ns,
            end_ns=session.rth_close_ns,
            row_ticks=row_ticks,
            tick_size=tick_size,
        )
        periods = cal.tpo_periods(trade_date, settings.profile.tpo_minutes)
        tpo = TpoProfile.from_trade_array(trades, periods, row_ticks=row_ticks, tick_size=tick_size)
    return DayProfiles(
        trade_date=trade_date,
        contract=canonical_contract(contract, trade_date),
        rth=rth,
        tpo=tpo,
        eth=eth,
        records=len(trades),
        approximate=False,
        as_of_ns=_as_of(trades, cal, trade_date),
    )


def day_profiles_from_bars(
    bars: np.ndarray,
    trade_date: date,
    contract: str,
    *,
    settings: Settings,
    calendar: SessionCalendar | None = None,
    bar_volume: str = "spread",
) -> DayProfiles:
    """Profiles of one trade date's BAR_DTYPE bars (stamped at their open): exact TPO,
    approximate volume (`bar_volume` "spread" or "close", see profiles.bars)."""
    _check_dtype(bars, BAR_DTYPE, "bars")
    cal = calendar or calendar_for(settings)
    row_ticks, tick_size = settings.profile.row_ticks, settings.instrument.tick_size
    session = cal.rth_session(trade_date)
    eth_start, eth_end = cal.eth_window(trade_date)
    eth = volume_profile_from_bar_array(
        bars,
        bar_volume=bar_volume,
        start_ns=eth_start,
        end_ns=eth_end,
        row_ticks=row_ticks,
        tick_size=tick_size,
    )
    if session is None:
        rth = VolumeProfile.empty(row_ticks=row_ticks, tick_size=tick_size)
        tpo = None
    else:
        rth = volume_profile_from_bar_array(
            bars,
            bar_volume=bar_volume,
            start_ns=session.rth_open_ns,
            end_ns=session.rth_close_ns,
            row_ticks=row_ticks,
            tick_size=tick_size,
        )
        periods = cal.tpo_periods(trade_date, settings.profile.tpo_minutes)
        tpo = tpo_profile_from_bar_array(
            bars, periods, bar_volume=bar_volume, row_ticks=row_ticks, tick_size=tick_size
        )
    return DayProfiles(
        trade_date=trade_date,
        contract=canonical_contract(contract, trade_date),
        rth=rth,
        tpo=tpo,
        eth=eth,
        records=len(bars),
        approximate=True,
        as_of_ns=_as_of(bars, cal, trade_date),
    )


def _check_dtype(records: np.ndarray, dtype: np.dtype, name: str) -> None:
    if not isinstance(records, np.ndarray) or records.dtype != dtype:
        got = records.dtype if isinstance(records, np.ndarray) else type(records).__name__
        raise ValidationError(f"{name} must be a {dtype} structured array, was {got}")


def _as_of(records: np.ndarray, calendar: SessionCalendar, trade_date: date) -> int:
    """The last record's time, or the Globex close when there is none."""
    if len(records):
        return int(records["ts_ns"].max())
    return calendar.globex_window(trade_date).close_ns
