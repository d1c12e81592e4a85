"""Tests of scripted synthetic days: waypoints print at their minutes, every RTH minute stays within
the noise band of the line, the overnight leads into the script, determinism and chaining."""

from __future__ import annotations

import functools
import itertools
from datetime import date, time

import numpy as np
import pytest

from orderflow_lib.core.timeconv import NS_PER_MINUTE, ny_to_ns
from orderflow_lib.market.synthetic import (
    PriceScript,
    SessionLayout,
    SyntheticMarketError,
    SyntheticSession,
    generate_in_windows,
    generate_sessions,
    standard_windows,
)
from orderflow_lib.market.validation import validate_quotes, validate_trades

DAY = date(2024, 3, 5)
SMALL = 0.02
WAYPOINTS = (
    (0, 20_000),
    (10, 20_040),
    (11, 20_010),
    (60, 20_012),
    (200, 19_950),
    (300, 19_980),
)
SCRIPT = PriceScript(WAYPOINTS)
RTH_MINUTES = 390


@functools.cache
def _scripted(
    seed: int, scale: float = SMALL, script: PriceScript = SCRIPT, trade_date: date = DAY
) -> SyntheticSession:
    return generate_in_windows(standard_windows(trade_date), seed, scale=scale, script=script)


def _rth_open_ns(session: SyntheticSession) -> int:
    rth_open_ns = session.windows.rth_open_ns
    assert rth_open_ns is not None
    return rth_open_ns


def _minute_trades(session: SyntheticSession, minute: int) -> np.ndarray:
    ts = session.trades["ts_ns"]
    start = _rth_open_ns(session) + minute * NS_PER_MINUTE
    return session.trades[(ts >= start) & (ts < start + NS_PER_MINUTE)]


# --- the script's promises ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_scripted_day_when_generated_then_each_waypoint_price_trades_in_its_minute(seed):
    session = _scripted(seed)

    for minute, price in WAYPOINTS:
        assert price in _minute_trades(session, minute)["price_ticks"], (minute, price)


@pytest.mark.parametrize(
    ("seed", "scale", "deviation"), [(0, SMALL, 2), (1, SMALL, 3), (2, 0.2, 2), (3, 0.2, 4)]
)
def test_scripted_day_when_generated_then_every_rth_minute_stays_within_the_band_of_the_line(
    seed, scale, deviation
):
    script = PriceScript(WAYPOINTS, max_deviation_ticks=deviation)
    session = _scripted(seed, scale, script)
    for minute in range(RTH_MINUTES):
        prices = _minute_trades(session, minute)["price_ticks"]
        at_start, at_end = script.line_ticks(np.array([minute, minute + 1.0]))
        assert prices.size > 0
        assert prices.min() >= min(at_start, at_end) - deviation, minute
        assert prices.max() <= max(at_start, at_end) + deviation, minute


def test_scripted_day_when_segment_extremes_read_then_within_the_deviation_of_its_waypoints():
    session = _scripted(5, 0.2)
    rth_open_ns = _rth_open_ns(session)
    ts = session.trades["ts_ns"]

    for (start, start_price), (end, end_price) in itertools.pairwise(WAYPOINTS):
        inside = (ts >= rth_open_ns + start * NS_PER_MINUTE) & (
            ts < rth_open_ns + end * NS_PER_MINUTE
        )
        prices = session.trades["price_ticks"][inside]
        assert prices.max() <= max(start_price, end_price) + 2
        assert prices.min() >= min(start_price, end_price) - 2


def test_scripted_day_when_the_line_moves_then_the_noise_still_leaves_the_line():
    session = _scripted(0, 0.2)
    minutes = np.arange(60, 200)

    closes = [_minute_trades(session, int(m))["price_ticks"][-1] for m in minutes]
    off_line = np.abs(np.array(closes) - SCRIPT.line_ticks(minutes + 1.0))

    assert (off_line >= 1).mean() > 0.3


@pytest.mark.parametrize("seed", [0, 1])
def test_scripted_day_when_overnight_ends_then_the_bid_stands_at_the_first_waypoint(seed):
    session = _scripted(seed)
    quotes = session.quotes

    overnight = quotes[quotes["ts_ns"] < _rth_open_ns(session)]
    first_sell = _minute_trades(session, 0)
    first_sell = first_sell[first_sell["side"] < 0][0]

    assert overnight["bid_ticks"][-1] == WAYPOINTS[0][1]
    assert first_sell["price_ticks"] == WAYPOINTS[0][1]
    assert overnight["bid_ticks"][0] == session.start_price_ticks


def test_scripted_day_when_overnight_read_then_it_still_trades_like_an_overnight():
    session = _scripted(1)
    trades = session.trades
    overnight = trades[trades["ts_ns"] < _rth_open_ns(session)]

    assert overnight.size > 0.1 * trades.size
    assert np.ptp(overnight["price_ticks"]) >= abs(WAYPOINTS[0][1] - session.start_price_ticks)


# --- realism and determinism --------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_scripted_day_when_generated_then_trades_print_at_the_prevailing_bid_or_ask(seed):
    session = _scripted(seed)
    index = np.searchsorted(session.quotes["ts_ns"], session.trades["ts_ns"], side="left") - 1
    quote = session.quotes[index]
    trades = session.trades
    buys, sells = trades["side"] == 1, trades["side"] == -1

    assert (buys | sells).all()
    assert (trades["price_ticks"][buys] == quote["ask_ticks"][buys]).all()
    assert (trades["price_ticks"][sells] == quote["bid_ticks"][sells]).all()


def test_scripted_day_when_validated_then_nothing_rejected_or_flagged():
    session = _scripted(2)

    _, trade_report = validate_trades(session.trades, tick_size=0.25, strict=True)
    _, quote_report = validate_quotes(session.quotes, tick_size=0.25, strict=True)

    assert trade_report.rows_rejected == 0 and trade_report.ok
    assert quote_report.rows_rejected == 0 and quote_report.ok


def test_scripted_day_when_falling_then_sellers_lead_and_when_rising_buyers_lead():
    session = _scripted(4, 0.2)

    def buy_share(first: int, last: int) -> float:
        trades = np.concatenate([_minute_trades(session, m) for m in range(first, last)])
        return float(trades["size"][trades["side"] > 0].sum() / trades["size"].sum())

    assert buy_share(60, 200) < 0.5 < buy_share(200, 300)


def test_scripted_day_when_same_seed_date_and_script_then_byte_identical():
    first = generate_in_windows(standard_windows(DAY), 7, scale=SMALL, script=SCRIPT)
    second = generate_in_windows(standard_windows(DAY), 7, scale=SMALL, script=SCRIPT)

    for name in ("trades", "quotes", "depth"):
        assert getattr(first, name).tobytes() == getattr(second, name).tobytes()
    assert first.script == SCRIPT


def test_scripted_day_when_script_differs_then_the_session_differs():
    other = PriceScript(((0, 20_000), (120, 20_060)))

    assert _scripted(7).trades.tobytes() != _scripted(7, script=other).trades.tobytes()


def test_scripted_day_when_script_given_then_no_planned_absorption():
    assert all(_scripted(seed).absorptions == () for seed in range(4))


# --- chaining -----------------------------------------------------------------------------------


def test_generate_sessions_when_script_last_then_earlier_days_unchanged_and_last_follows_it():
    plain = generate_sessions(date(2024, 5, 14), date(2024, 5, 16), 3, scale=SMALL)
    prior_close = plain[1].last_bid_ticks
    script = PriceScript(((0, prior_close + 10), (90, prior_close - 20)))

    chain = generate_sessions(
        date(2024, 5, 14), date(2024, 5, 16), 3, scale=SMALL, script_last=script
    )

    for before, after in zip(plain[:2], chain[:2], strict=True):
        assert before.trades.tobytes() == after.trades.tobytes()
        assert after.script is None
    last = chain[-1]
    assert last.script == script
    assert last.start_price_ticks == prior_close
    assert prior_close + 10 in _minute_trades(last, 0)["price_ticks"]
    assert prior_close - 20 in _minute_trades(last, 90)["price_ticks"]


def test_generate_sessions_when_script_last_is_a_function_then_it_gets_the_prior_session():
    seen: list[SyntheticSession] = []

    def from_prior(prior: SyntheticSession) -> PriceScript:
        seen.append(prior)
        return PriceScript(((0, prior.last_bid_ticks + 8),))

    chain = generate_sessions(
        date(2024, 5, 15), date(2024, 5, 16), 3, scale=SMALL, script_last=from_prior
    )

    assert seen == [chain[0]]
    assert chain[1].script == PriceScript(((0, chain[0].last_bid_ticks + 8),))


def test_generate_sessions_when_script_function_without_a_prior_day_then_refused():
    with pytest.raises(SyntheticMarketError, match="at least two trade dates"):
        generate_sessions(
            date(2024, 5, 15),
            date(2024, 5, 15),
            3,
            scale=SMALL,
            script_last=lambda prior: PriceScript(((0, 20_000),)),
        )


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waypoints", "deviation", "message"),
    [
        ((), 2, "at least one"),
        (((5, 20_000),), 2, "first waypoint must be at minute 0"),
        (((0, 20_000), (30, 20_010), (30, 20_020)), 2, "increase strictly"),
        (((0, 20_000),), 1, "max_deviation_ticks must be >= 2"),
    ],
)
def test_price_script_when_malformed_then_refused(waypoints, deviation, message):
    with pytest.raises(SyntheticMarketError, match=message):
        PriceScript(waypoints, max_deviation_ticks=deviation)


def test_scripted_day_when_a_waypoint_is_past_the_rth_close_then_refused():
    script = PriceScript(((0, 20_000), (390, 20_010)))

    with pytest.raises(SyntheticMarketError, match="must be < 390"):
        generate_in_windows(standard_windows(DAY), 1, scale=SMALL, script=script)


def test_scripted_day_when_the_session_has_no_rth_then_refused():
    windows = standard_windows(DAY, rth=False)

    with pytest.raises(SyntheticMarketError, match="needs an RTH session"):
        generate_in_windows(windows, 1, scale=SMALL, script=SCRIPT)


def test_scripted_day_when_a_waypoint_is_not_on_a_minute_bucket_then_refused():
    rth_open_ns = ny_to_ns(DAY, time(9, 30, 30))
    windows = SessionLayout(
        DAY,
        ny_to_ns(date(2024, 3, 4), time(18, 0)),
        ny_to_ns(DAY, time(17, 0)),
        rth_open_ns,
        ny_to_ns(DAY, time(16, 0)),
    )

    with pytest.raises(SyntheticMarketError, match="must start RTH minute buckets"):
        generate_in_windows(windows, 1, scale=SMALL, script=PriceScript(((0, 20_000), (5, 20_010))))


def test_scripted_day_when_a_waypoint_price_is_too_low_then_refused():
    with pytest.raises(SyntheticMarketError, match="waypoint prices must be >= 2000"):
        generate_in_windows(
            standard_windows(DAY), 1, scale=SMALL, script=PriceScript(((0, 1_500),))
        )
