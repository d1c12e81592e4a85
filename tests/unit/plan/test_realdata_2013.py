"""The 2013-10-14 plan and review on real data, checked against independent pandas/numpy
computations of the facts: prior-day levels and value, the composites, the relationship of value,
the overnight range, the open location and the day's value.

Data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (../shared/data/lean-es-2013).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.plan import LiveState, PlanMonitor, build_plan_from_source, review_from_source

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "lean-es-2013"
DAY = dt.date(2013, 10, 14)
PRIOR = dt.date(2013, 10, 11)
CVA_EX = [dt.date(2013, 10, d) for d in (7, 8, 9, 10)]
CVA_INCL = [*CVA_EX, PRIOR]

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module", autouse=True)
def _need_data():
    if not (DATA / "minute").is_dir():
        pytest.skip(f"real data missing: {DATA}")


@cache
def bars() -> pd.DataFrame:
    """Every ESZ13 minute bar, read straight from the zips (no engine code)."""
    frames = []
    for path in sorted((DATA / "minute").glob("*_trade.zip")):
        day = path.name[:8]
        with zipfile.ZipFile(path) as z:
            name = f"{day}_es_minute_trade_201312.csv"
            if name not in z.namelist():
                continue
            frame = pd.read_csv(
                io.BytesIO(z.read(name)), header=None, names=["ms", "o", "h", "l", "c", "v"]
            )
        start = pd.Timestamp(day, tz="UTC")
        frame["ts_ns"] = start.as_unit("ns").value + frame["ms"].astype("int64") * 1_000_000
        frame["t"] = (start + pd.to_timedelta(frame["ms"], unit="ms")).dt.tz_convert(
            "America/New_York"
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True).sort_values("t", kind="stable")
    for col in ("o", "h", "l", "c"):
        out[col] = (out[col] * 4).round().astype(int)
    return out


def rth(day: dt.date) -> pd.DataFrame:
    b = bars()
    start = pd.Timestamp(dt.datetime.combine(day, dt.time(9, 30)), tz="America/New_York")
    return b[(b["t"] >= start) & (b["t"] < start + pd.Timedelta(minutes=390))]


def spread_profile(frame: pd.DataFrame) -> dict[int, int]:
    """Each bar's volume spread over its ticks; the remainder one unit per tick nearest the close,
    the lower tick first."""
    vol: dict[int, int] = {}
    for lo, hi, c, v in zip(frame["l"], frame["h"], frame["c"], frame["v"], strict=True):
        n = hi - lo + 1
        share, extra = divmod(int(v), n)
        for t in range(lo, hi + 1):
            vol[t] = vol.get(t, 0) + share
        d = 0
        while extra:
            for t in (c - d,) if d == 0 else (c - d, c + d):
                if extra and lo <= t <= hi:
                    vol[t] = vol.get(t, 0) + 1
                    extra -= 1
            d += 1
    return vol


def value_area(vol: dict[int, int]) -> tuple[int, int, int]:
    """(VAL, POC, VAH) by the CBOT dual-row rule, 70%, ties add both, POC nearest the centre."""
    ticks = list(
        range(min(t for t, v in vol.items() if v), max(t for t, v in vol.items() if v) + 1)
    )
    v = [vol.get(t, 0) for t in ticks]
    n, top = len(v), max(v)
    poc = min((i for i in range(n) if v[i] == top), key=lambda i: (abs(2 * i - (n - 1)), i))
    lo = hi = poc
    acc, total = v[poc], sum(v)
    while acc * 10 < 7 * total and (lo > 0 or hi < n - 1):
        up = v[hi + 1 : hi + 3]
        down = v[max(lo - 2, 0) : lo]
        su = sum(up) if up else -1
        sd = sum(down) if down else -1
        if su >= sd and up:
            hi += len(up)
            acc += su
        if sd >= su and down:
            lo -= len(down)
            acc += sd
    return ticks[lo], ticks[poc], ticks[hi]


def composite(days: list[dt.date]) -> tuple[int, int, int]:
    merged: dict[int, int] = {}
    for d in days:
        for t, x in spread_profile(rth(d)).items():
            merged[t] = merged.get(t, 0) + x
    return value_area(merged)


def relation(cur: tuple[int, int, int], ref: tuple[int, int, int]) -> str:
    (lo, _, h), (rl, _, rh) = cur, ref
    if abs(h - rh) <= 1 and abs(lo - rl) <= 1:
        return "UNCHANGED"
    if lo > rh:
        return "HIGHER"
    if h < rl:
        return "LOWER"
    if h <= rh and lo >= rl:
        return "INSIDE"
    if h > rh and lo < rl:
        return "OUTSIDE"
    return "OVERLAP_HIGHER" if h > rh else "OVERLAP_LOWER"


def location(o: int, val: int, vah: int, low: int, high: int) -> str:
    if abs(o - vah) <= 2:
        return "AT_VAH"
    if abs(o - val) <= 2:
        return "AT_VAL"
    if val < o < vah:
        return "INSIDE_VALUE"
    if vah < o <= high:
        return "ABOVE_VALUE_IN_RANGE"
    if low <= o < val:
        return "BELOW_VALUE_IN_RANGE"
    return "ABOVE_RANGE" if o > high else "BELOW_RANGE"


@cache
def plan():
    return build_plan_from_source(DAY, DATA)


@cache
def review():
    return review_from_source(DAY, DATA)


def test_plan_2013_10_14_when_built_then_prior_day_facts_match_the_raw_bars():
    day = rth(PRIOR)
    p = plan().prior
    assert p is not None
    assert (p.open_tick, p.high_tick, p.low_tick, p.close_tick) == (
        day["o"].iloc[0],
        day["h"].max(),
        day["l"].min(),
        day["c"].iloc[-1],
    )
    assert (p.val_ticks, p.poc_ticks, p.vah_ticks) == value_area(spread_profile(day))
    levels = {k.name: k.tick for k in plan().key_levels}
    assert levels["prior_high"] == day["h"].max()
    assert levels["prior_settlement"] == day["c"].iloc[-1]


def test_plan_2013_10_14_when_built_then_composites_match_independent_merges():
    ex, incl = plan().cva, plan().cva_incl_prior
    assert ex is not None and incl is not None
    assert ex.dates == tuple(CVA_EX) and incl.dates == tuple(CVA_INCL)
    assert (ex.val_ticks, ex.poc_ticks, ex.vah_ticks) == composite(CVA_EX)
    assert (incl.val_ticks, incl.poc_ticks, incl.vah_ticks) == composite(CVA_INCL)


def test_plan_2013_10_14_when_built_then_value_relationship_and_regime_follow_it():
    expected = relation(value_area(spread_profile(rth(PRIOR))), composite(CVA_EX))
    rel = plan().relationship
    assert rel is not None and rel.relation == expected
    if expected == "HIGHER":
        assert (plan().regime, plan().bias, plan().confidence) == ("TREND_UP", "BULLISH", "HIGH")


def test_plan_2013_10_14_when_built_then_overnight_range_and_last_price_match_and_no_rth_data_leaked():
    b = bars()
    start = pd.Timestamp("2013-10-13 18:00", tz="America/New_York")
    end = pd.Timestamp("2013-10-14 09:30", tz="America/New_York")
    on = b[(b["t"] >= start) & (b["t"] < end)]
    o = plan().overnight
    assert o is not None
    assert (o.high_tick, o.low_tick) == (on["h"].max(), on["l"].min())
    assert plan().last_price_tick == on["c"].iloc[-1]
    assert plan().as_of_ns is not None and plan().as_of_ns < plan().rth_open_ns
    assert any("20:00" in n for n in plan().notes)


def test_review_2013_10_14_when_graded_then_open_location_and_day_value_match():
    day, prior = rth(DAY), rth(PRIOR)
    val, _, vah = value_area(spread_profile(prior))
    f = review().facts
    assert f.open_tick == day["o"].iloc[0]
    assert f.open_location == location(
        int(day["o"].iloc[0]), val, vah, int(prior["l"].min()), int(prior["h"].max())
    )
    assert (f.high_tick, f.low_tick, f.close_tick) == (
        day["h"].max(),
        day["l"].min(),
        day["c"].iloc[-1],
    )
    dva = value_area(spread_profile(day))
    assert f.dva is not None and (f.dva.val_ticks, f.dva.poc_ticks, f.dva.vah_ticks) == dva
    assert f.vs_prior_dva is not None
    assert f.vs_prior_dva.relation == relation(dva, value_area(spread_profile(prior)))


def test_review_2013_10_14_when_graded_then_every_triggered_scenario_has_its_excursions():
    for o in review().outcomes:
        if o.triggered_ns is None:
            assert (o.mfe_ticks, o.mae_ticks) == (0, 0)
        else:
            assert o.entry_tick is not None and o.mfe_ticks >= 0 and o.mae_ticks >= 0


def test_monitor_2013_10_14_when_fed_bar_by_bar_then_matches_the_replay_at_every_half_hour():
    p = plan()
    day = rth(DAY)
    arr = np.zeros(
        len(day),
        dtype=[
            ("ts_ns", "i8"),
            ("open_ticks", "i8"),
            ("high_ticks", "i8"),
            ("low_ticks", "i8"),
            ("close_ticks", "i8"),
            ("volume", "i8"),
        ],
    )
    arr["ts_ns"] = day["ts_ns"].to_numpy()
    assert arr["ts_ns"][0] == p.rth_open_ns
    for src, dst in (
        ("o", "open_ticks"),
        ("h", "high_ticks"),
        ("l", "low_ticks"),
        ("c", "close_ticks"),
        ("v", "volume"),
    ):
        arr[dst] = day[src].to_numpy()
    monitor = PlanMonitor(p)
    for k, bar in enumerate(arr.tolist()):
        monitor.on_bar(*bar)
        if (k + 1) % 30 == 0:
            as_of = bar[0] + 60_000_000_000
            monitor.advance(as_of)
            assert monitor.statuses() == p.evaluate(LiveState(as_of, bars=arr))
    assert any(s.triggered_ns is not None for s in monitor.statuses())
