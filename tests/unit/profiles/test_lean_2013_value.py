"""Real-data proof (issue 3): six RTH daily profiles of ESZ3, the CVA of 2013-10-07..10-11 and
2013-10-14's DVA against it, checked against an independent plain pandas/Python reference that
reads the zip CSVs itself (no orderflow_lib reader, calendar or engine).

Data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 — `lean-es-2013/`.
Volume profiles come from 1-minute bars (only OHLCV exists): each bar's volume is spread evenly
over its low..high ticks, the remainder one contract per tick nearest the close (lower first).
"""

import datetime as dt
import zipfile
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.readers import read_lean_minute
from orderflow_lib.profiles import cva_for_date, daily_value, tpo_profile_from_bars
from orderflow_lib.profiles.dva import session_profile_from_bars
from orderflow_lib.profiles.periods import make_periods

pytestmark = pytest.mark.realdata

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
MINUTE = DATA / "lean-es-2013" / "minute"
DAYS = [dt.date(2013, 10, d) for d in (7, 8, 9, 10, 11, 14)]
TICK = 0.25
NY = ZoneInfo("America/New_York")

EXPECTED_DAYS = {  # POC, VAL, VAH
    dt.date(2013, 10, 7): (1676.75, 1672.75, 1678.25),
    dt.date(2013, 10, 8): (1656.25, 1649.75, 1662.75),
    dt.date(2013, 10, 9): (1651.25, 1646.25, 1654.25),
    dt.date(2013, 10, 10): (1672.25, 1670.25, 1679.75),
    dt.date(2013, 10, 11): (1696.50, 1689.00, 1698.00),
    dt.date(2013, 10, 14): (1689.00, 1686.00, 1702.00),
}
EXPECTED_CVA = (1676.75, 1648.75, 1680.25)


def need_data():
    if not MINUTE.exists():
        pytest.skip(f"real data missing: {MINUTE}")


# ----------------------------------------------------------------- independent reference
def ref_bars(day):
    """ESZ3 minute bars of one UTC-day file, parsed straight from the zip, with aware times."""
    stamp = day.strftime("%Y%m%d")
    with (
        zipfile.ZipFile(MINUTE / f"{stamp}_trade.zip") as archive,
        archive.open(f"{stamp}_es_minute_trade_201312.csv") as handle,
    ):
        frame = pd.read_csv(
            handle, header=None, names=["ms", "open", "high", "low", "close", "volume"]
        )
    midnight_utc = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    frame["time"] = [midnight_utc + dt.timedelta(milliseconds=int(ms)) for ms in frame["ms"]]
    return frame


def ref_rth_bars(day):
    """ESZ3 minute bars opening in [09:30, 16:00) New York time."""
    frame = ref_bars(day)
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=NY)
    end = dt.datetime.combine(day, dt.time(16, 0), tzinfo=NY)
    return frame[(frame["time"] >= start) & (frame["time"] < end)]


def ref_ladder(bars, mode="spread"):
    ladder = {}
    for row in bars.itertuples():
        low, high, close = round(row.low / TICK), round(row.high / TICK), round(row.close / TICK)
        if mode == "close":
            ladder[close] = ladder.get(close, 0) + int(row.volume)
            continue
        ticks = list(range(low, high + 1))
        share, extra = divmod(int(row.volume), len(ticks))
        for t in ticks:
            ladder[t] = ladder.get(t, 0) + share
        for t in sorted(ticks, key=lambda t: (abs(t - close), t))[:extra]:
            ladder[t] += 1
    return ladder


def ref_value_area(ladder, pct=Fraction(7, 10)):
    """Spec §2.3-§2.4 written plainly: POC nearest the centre (lower on a tie), pairs of rows."""
    low, high = min(ladder), max(ladder)
    rows = [ladder.get(t, 0) for t in range(low, high + 1)]
    n, top = len(rows), max(rows)
    poc = min((i for i in range(n) if rows[i] == top), key=lambda i: (abs(2 * i - (n - 1)), i))
    lo = hi = poc
    acc, total = rows[poc], sum(rows)
    while acc < pct * total and (lo > 0 or hi < n - 1):
        up, down = rows[hi + 1 : hi + 3], rows[max(lo - 2, 0) : lo]
        su = sum(up) if up else -1
        sd = sum(down) if down else -1
        if su >= sd:
            hi, acc = hi + len(up), acc + sum(up)
        if sd >= su:
            lo, acc = lo - len(down), acc + sum(down)
    return (low + poc) * TICK, (low + lo) * TICK, (low + hi) * TICK


def ref_relationship(current, reference):
    (_, low, h), (_, lr, hr) = current, reference
    if abs(h - hr) <= TICK and abs(low - lr) <= TICK:
        return "UNCHANGED"
    if low > hr:
        return "HIGHER"
    if h < lr:
        return "LOWER"
    if h <= hr and low >= lr:
        return "INSIDE"
    if h > hr and low < lr:
        return "OUTSIDE"
    return "OVERLAP_HIGHER" if h > hr else "OVERLAP_LOWER"


# ----------------------------------------------------------------- engine
def engine_sessions(bar_volume="spread"):
    calendar = default_calendar()
    bars = read_lean_minute(MINUTE, contract="ESZ13")
    sessions = calendar.rth_sessions(DAYS[0], DAYS[-1])
    return {
        s.date: session_profile_from_bars(
            bars,
            s,
            contract="ESZ13",
            lead_contract=calendar.lead_contract(s.date),
            bar_volume=bar_volume,
        )
        for s in sessions
    }


def test_reference_when_six_rth_days_then_390_bars_each_and_spec_figures():
    need_data()
    for day in DAYS:
        bars = ref_rth_bars(day)
        assert len(bars) == 390
        assert ref_value_area(ref_ladder(bars)) == EXPECTED_DAYS[day]


def test_daily_profiles_when_engine_builds_six_rth_days_then_equal_reference():
    need_data()
    sessions = engine_sessions()
    assert sorted(sessions) == DAYS
    for day, session in sessions.items():
        ladder = ref_ladder(ref_rth_bars(day))
        profile = session.profile
        assert profile.approximate
        assert dict(zip(profile.row_low_ticks.tolist(), profile.volumes.tolist(), strict=True)) == {
            t: ladder.get(t, 0) for t in range(min(ladder), max(ladder) + 1)
        }
        va = profile.value_area()
        assert (va.poc, va.val, va.vah) == EXPECTED_DAYS[day]


def test_daily_profiles_when_volume_at_close_then_engine_equals_reference():
    need_data()
    for day, session in engine_sessions("close").items():
        va = session.profile.value_area()
        assert (va.poc, va.val, va.vah) == ref_value_area(ref_ladder(ref_rth_bars(day), "close"))


def test_cva_when_2013_10_07_to_10_11_then_equals_merged_reference():
    need_data()
    cva = cva_for_date(engine_sessions(), dt.date(2013, 10, 14), contract="ESZ13")
    merged = {}
    for day in DAYS[:5]:
        for t, v in ref_ladder(ref_rth_bars(day)).items():
            merged[t] = merged.get(t, 0) + v
    assert cva.dates == tuple(DAYS[:5])
    assert (cva.days_included, cva.contains_roll) == (5, False)
    assert (cva.poc, cva.val, cva.vah) == ref_value_area(merged) == EXPECTED_CVA
    assert (cva.low_tick * TICK, cva.high_tick * TICK) == (min(merged) * TICK, max(merged) * TICK)


def test_dva_2013_10_14_when_compared_with_cva_then_higher_value_as_reference_says():
    need_data()
    sessions = engine_sessions()
    cva = cva_for_date(sessions, dt.date(2013, 10, 14), contract="ESZ13")
    value = daily_value(sessions[dt.date(2013, 10, 14)], cva)
    dva = (value.value_area.poc, value.value_area.val, value.value_area.vah)
    assert dva == EXPECTED_DAYS[dt.date(2013, 10, 14)]
    assert value.relationship.relation == ref_relationship(dva, EXPECTED_CVA) == "HIGHER"
    assert value.relationship.overlap_pct == 0
    assert value.relationship.poc_shift_ticks == round((dva[0] - EXPECTED_CVA[0]) / TICK) == 49
    assert value.relationship.mid_shift_ticks == 118
    assert value.relationship.migration_bias == 1


def test_tpo_profiles_when_six_rth_days_then_counts_equal_pandas_period_reference():
    need_data()
    calendar = default_calendar()
    bars = read_lean_minute(MINUTE, contract="ESZ13")
    for day in DAYS:
        tpo = tpo_profile_from_bars(bars, calendar.tpo_periods(day))
        ref = ref_rth_bars(day).copy()
        start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=NY)
        ref["period"] = [int((t - start).total_seconds() // 1800) for t in ref["time"]]
        ranges = ref.groupby("period").agg(low=("low", "min"), high=("high", "max"))
        counts = {}
        for row in ranges.itertuples():
            for t in range(round(row.low / TICK), round(row.high / TICK) + 1):
                counts[t] = counts.get(t, 0) + 1
        assert len(tpo.letters) == 13 and tpo.letters[-1] == "M"
        assert dict(zip(tpo.row_low_ticks.tolist(), tpo.counts.tolist(), strict=True)) == counts
        va = tpo.value_area()
        assert (va.poc, va.val, va.vah) == ref_value_area(counts)


def test_eth_tpo_when_overnight_into_2013_10_08_then_31_periods_equal_reference():
    need_data()
    calendar = default_calendar()
    eth_open, rth_open = calendar.eth_window(dt.date(2013, 10, 8))
    periods = make_periods(eth_open, rth_open)
    bars = read_lean_minute(MINUTE, contract="ESZ13")
    tpo = tpo_profile_from_bars(bars, periods)
    start = dt.datetime(2013, 10, 7, 18, 0, tzinfo=NY)
    end = dt.datetime(2013, 10, 8, 9, 30, tzinfo=NY)
    ref = pd.concat([ref_bars(dt.date(2013, 10, 7)), ref_bars(dt.date(2013, 10, 8))])
    ref = ref[(ref["time"] >= start) & (ref["time"] < end)].copy()
    ref["period"] = [int((t - start).total_seconds() // 1800) for t in ref["time"]]
    ranges = ref.groupby("period").agg(low=("low", "min"), high=("high", "max"))
    assert (len(periods), periods[0].letter, periods[-1].letter) == (31, "A", "e")
    assert tpo.printed.sum() == len(ranges)
    for row in ranges.itertuples():
        assert tpo.period_low_ticks[row.Index] == round(row.low / TICK)
        assert tpo.period_high_ticks[row.Index] == round(row.high / TICK)
