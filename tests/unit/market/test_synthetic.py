"""Tests of the synthetic ES market: determinism, quote/trade/depth consistency, auction shapes,
calendar following, validation, streaming and the summary."""

from __future__ import annotations

import functools
import itertools
from datetime import date, time

import numpy as np
import pytest

import orderflow_lib.market.synthetic as synthetic
from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import CalendarError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ny_to_ns
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    DEPTH_DELETE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    DepthUpdate,
    Quote,
    Trade,
)
from orderflow_lib.market.synthetic import (
    SessionLayout,
    SyntheticDayType,
    SyntheticMarketError,
    generate_in_windows,
    generate_session,
    generate_sessions,
    iter_events,
    paced_events,
    session_summary,
    standard_windows,
)
from orderflow_lib.market.synthetic.regimes import choose_day_type
from orderflow_lib.market.synthetic.sizes import (
    DEEP_STEP,
    RESTING_DRIFT_NS,
    TOP_SIZE_RTH,
    resting_sizes,
    trade_sizes,
)
from orderflow_lib.market.validation import validate_quotes, validate_trades

DAY = date(2024, 3, 5)
SMALL = 0.02


@functools.cache
def _session(
    seed: int, day_type: str | None = None, scale: float = SMALL
) -> synthetic.SyntheticSession:
    return generate_in_windows(standard_windows(DAY), seed, scale=scale, day_type=day_type)


@functools.cache
def _calendar_session(trade_date: date, seed: int = 3) -> synthetic.SyntheticSession:
    return generate_session(trade_date, seed, scale=SMALL)


def _rth(session: synthetic.SyntheticSession) -> np.ndarray:
    w = session.windows
    ts = session.trades["ts_ns"]
    return session.trades[(ts >= w.rth_open_ns) & (ts < w.rth_close_ns)]


def _prevailing_quotes(session: synthetic.SyntheticSession) -> np.ndarray:
    """The latest quote with ts strictly before each trade (spec §7.1 quote rule)."""
    index = np.searchsorted(session.quotes["ts_ns"], session.trades["ts_ns"], side="left") - 1
    assert (index >= 0).all()
    return session.quotes[index]


def _replay_depth(session: synthetic.SyntheticSession) -> None:
    """Apply every depth update by position and check the book against each quote."""
    books: dict[int, list[list[int]]] = {BOOK_BID: [], BOOK_ASK: []}
    depth = session.depth.tolist()
    d = 0
    for ts, bid, bid_size, ask, ask_size in session.quotes.tolist():
        while d < len(depth) and depth[d][0] <= ts:
            _, side, position, operation, price, size = depth[d]
            book = books[side]
            if operation == DEPTH_INSERT:
                book.insert(position, [price, size])
            elif operation == DEPTH_UPDATE:
                assert book[position][0] == price, f"update at a different price, row {d}"
                book[position][1] = size
            else:
                assert operation == DEPTH_DELETE
                assert book[position][0] == price, f"delete at a different price, row {d}"
                del book[position]
            d += 1
        bids, asks = books[BOOK_BID], books[BOOK_ASK]
        assert len(bids) == 10 and len(asks) == 10
        assert bids[0] == [bid, bid_size] and asks[0] == [ask, ask_size]
        assert [p for p, _ in bids] == list(range(bid, bid - 10, -1))
        assert [p for p, _ in asks] == list(range(ask, ask + 10))


# --- determinism -------------------------------------------------------------------------------


def test_generate_when_same_seed_then_arrays_are_byte_identical():
    first = generate_in_windows(standard_windows(DAY), 11, scale=SMALL)
    second = generate_in_windows(standard_windows(DAY), 11, scale=SMALL)

    for name in ("trades", "quotes", "depth"):
        assert getattr(first, name).tobytes() == getattr(second, name).tobytes()
    assert first.day_type == second.day_type
    assert first.absorptions == second.absorptions


def test_generate_when_seeds_differ_then_sessions_differ():
    first, second = _session(0), _session(1)

    assert first.trades.size != second.trades.size or (
        first.trades.tobytes() != second.trades.tobytes()
    )
    assert first.start_price_ticks != second.start_price_ticks


def test_generate_when_trade_dates_differ_with_same_seed_then_sessions_differ():
    first = generate_in_windows(standard_windows(date(2024, 3, 5)), 5, scale=SMALL)
    second = generate_in_windows(standard_windows(date(2024, 3, 6)), 5, scale=SMALL)

    assert first.trades["price_ticks"].tobytes() != second.trades["price_ticks"].tobytes()


def test_generate_when_fields_read_then_session_is_labelled_synthetic():
    session = _session(2)

    assert session.source == "synthetic"
    assert session.seed == 2
    assert session.trade_date == DAY
    assert isinstance(session.day_type, SyntheticDayType)


# --- trades, quotes and depth are consistent ----------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trades_when_generated_then_buys_at_prevailing_ask_and_sells_at_prevailing_bid(seed):
    session = _session(seed)
    quote = _prevailing_quotes(session)
    trades = session.trades

    buys, sells = trades["side"] == 1, trades["side"] == -1
    assert (buys | sells).all()
    assert (trades["price_ticks"][buys] == quote["ask_ticks"][buys]).all()
    assert (trades["price_ticks"][sells] == quote["bid_ticks"][sells]).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_events_when_generated_then_times_strictly_increase_inside_the_window(seed):
    session = _session(seed)
    w = session.windows

    for array in (session.trades, session.quotes):
        ts = array["ts_ns"]
        assert (np.diff(ts) > 0).all()
        assert ts[0] >= w.open_ns and ts[-1] < w.close_ns
    assert (np.diff(session.depth["ts_ns"]) >= 0).all()
    assert not np.isin(session.trades["ts_ns"], session.quotes["ts_ns"]).any()


def test_quotes_when_generated_then_bid_below_ask_and_one_tick_spread_nearly_always():
    quotes = _session(0, scale=0.1).quotes

    spread = quotes["ask_ticks"] - quotes["bid_ticks"]
    assert (spread >= 1).all()
    assert (spread == 1).mean() >= 0.99
    assert (quotes["bid_size"] >= 1).all() and (quotes["ask_size"] >= 1).all()


@pytest.mark.parametrize("seed", [0, 1, 4])
def test_depth_when_replayed_then_ten_contiguous_levels_whose_top_equals_the_quote(seed):
    _replay_depth(_session(seed))


def test_depth_when_session_opens_then_twenty_inserts_at_the_open():
    session = _session(0)

    opening = session.depth[session.depth["ts_ns"] == session.windows.open_ns]
    assert opening.size == 20
    assert (opening["operation"] == DEPTH_INSERT).all()
    assert session.quotes["ts_ns"][0] == session.windows.open_ns


def test_depth_when_generated_then_deeper_levels_also_change():
    depth = _session(0).depth

    deep_updates = depth[(depth["operation"] == DEPTH_UPDATE) & (depth["position"] > 0)]
    assert set(np.unique(deep_updates["position"]).tolist()) == set(range(1, 10))


def _sizes_by_price(session: synthetic.SyntheticSession):
    """After each batch of same-time depth updates: (ts, {(side, price): size}, best bid, ask)."""
    books: dict[int, list[list[int]]] = {BOOK_BID: [], BOOK_ASK: []}
    depth = session.depth.tolist()
    for i, (ts, side, position, operation, price, size) in enumerate(depth):
        book = books[side]
        if operation == DEPTH_INSERT:
            book.insert(position, [price, size])
        elif operation == DEPTH_UPDATE:
            book[position][1] = size
        else:
            del book[position]
        if i + 1 == len(depth) or depth[i + 1][0] != ts:
            sizes = {(s, p): q for s in (BOOK_BID, BOOK_ASK) for p, q in books[s]}
            yield ts, sizes, books[BOOK_BID][0][0], books[BOOK_ASK][0][0]


def test_depth_when_the_best_price_moves_then_levels_behind_the_touch_keep_their_size():
    moves = unchanged = 0
    previous = None
    for _, sizes, bid, ask in _sizes_by_price(_session(0)):
        if previous is not None and (bid, ask) != previous[1:]:
            before = previous[0]
            kept = [
                key
                for key in sizes.keys() & before.keys()
                if key[1] not in (bid, ask, previous[1], previous[2])
            ]
            moves += 1
            unchanged += all(sizes[key] == before[key] for key in kept)
        previous = (sizes, bid, ask)

    assert moves > 100
    assert unchanged == moves


def test_resting_size_when_same_price_and_time_then_same_size_and_it_drifts_slowly():
    prices = np.arange(18_000, 28_000, dtype=np.int64)
    at = np.full(prices.size, 10 * RESTING_DRIFT_NS + 7, dtype=np.int64)
    position = np.full(prices.size, 3)
    rth = np.ones(prices.size, dtype=bool)

    now = resting_sizes(prices, at, position, rth, 11)
    again = resting_sizes(prices, at.copy(), position, rth, 11)
    five_s_later = resting_sizes(prices, at + 5 * 10**9, position, rth, 11)
    an_hour_later = resting_sizes(prices, at + 3600 * 10**9, position, rth, 11)

    assert (now == again).all() and (now >= 1).all()
    assert np.abs(five_s_later - now).max() <= 0.1 * now.max()
    assert np.corrcoef(np.log(now), np.log(an_hour_later))[0, 1] < 0.1
    assert 0.8 < np.median(now) / (TOP_SIZE_RTH * (1 + 3 * DEEP_STEP)) < 1.2


# --- realistic shapes ---------------------------------------------------------------------------


def test_trade_sizes_when_drawn_then_mostly_one_to_five_lots_with_rare_large_prints():
    sizes = trade_sizes(np.random.default_rng(0), np.ones(200_000))

    assert sizes.min() == 1
    assert 0.88 <= (sizes <= 5).mean() <= 0.97
    assert 0.002 <= (sizes >= 25).mean() <= 0.012
    assert sizes.max() <= 250
    assert 2.0 <= sizes.mean() <= 3.5


def test_volume_when_full_day_then_u_shaped_and_light_overnight():
    session = _session(0, scale=0.1)
    trades = session.trades
    rth_open = session.windows.rth_open_ns
    rth_close = session.windows.rth_close_ns

    def per_minute(start_ns: int, end_ns: int) -> float:
        ts = trades["ts_ns"]
        inside = (ts >= start_ns) & (ts < end_ns)
        return trades["size"][inside].sum() / ((end_ns - start_ns) / NS_PER_MINUTE)

    opening = per_minute(rth_open, rth_open + 15 * NS_PER_MINUTE)
    midday = per_minute(ny_to_ns(DAY, time(12, 0)), ny_to_ns(DAY, time(13, 30)))
    closing = per_minute(rth_close - 15 * NS_PER_MINUTE, rth_close)
    overnight = per_minute(ny_to_ns(DAY, time(0, 0)), ny_to_ns(DAY, time(3, 0)))
    assert opening > 2 * midday
    assert closing > 1.5 * midday
    assert midday > 4 * overnight
    rth_share = _rth(session)["size"].sum() / trades["size"].sum()
    assert 0.65 <= rth_share <= 0.9


def test_generate_when_scale_is_one_hundredth_then_about_one_hundredth_of_half_a_million_trades():
    trades = [generate_in_windows(standard_windows(DAY), s, scale=0.01).trades.size for s in (0, 1)]

    assert all(3_500 <= n <= 7_000 for n in trades)


def test_day_type_when_not_given_then_the_seed_chooses_every_type_over_many_seeds():
    chosen = {choose_day_type(np.random.default_rng(seed)) for seed in range(300)}

    assert chosen == set(SyntheticDayType)


def test_day_type_when_given_as_text_then_used():
    assert _session(3, "trend_up").day_type is SyntheticDayType.TREND_UP


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("day_type", ["open_drive_up", "open_drive_down"])
def test_open_drive_when_a_period_ends_then_moved_eight_ticks_with_two_ticks_adverse_at_most(
    seed, day_type
):
    session = _session(seed, day_type)
    rth = _rth(session)
    a_period = rth[rth["ts_ns"] < session.windows.rth_open_ns + 30 * NS_PER_MINUTE]
    direction = 1 if day_type.endswith("up") else -1
    prices = direction * a_period["price_ticks"]
    open_price = prices[0]

    assert prices.min() >= open_price - 2
    assert prices[-1] >= open_price + 8


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("day_type", ["trend_up", "trend_down"])
def test_trend_day_when_rth_ends_then_opened_near_one_extreme_and_closed_near_the_other(
    seed, day_type
):
    prices = _rth(_session(seed, day_type))["price_ticks"]
    direction = 1 if day_type.endswith("up") else -1
    high, low = prices.max(), prices.min()
    day_range = high - low
    start_extreme, end_extreme = (low, high) if direction > 0 else (high, low)

    assert abs(prices[0] - start_extreme) * 5 <= day_range
    assert abs(prices[-1] - end_extreme) * 5 <= day_range
    assert day_range >= 120


@pytest.mark.parametrize("seed", range(4))
def test_balance_day_when_rth_ends_then_price_rotated_around_a_central_poc(seed):
    rth = _rth(_session(seed, "balance"))
    prices = rth["price_ticks"]
    levels, index = np.unique(prices, return_inverse=True)
    poc = levels[np.bincount(index, weights=rth["size"]).argmax()]
    high, low = prices.max(), prices.min()
    zone = np.select(
        [prices >= low + 0.75 * (high - low), prices <= low + 0.25 * (high - low)], [1, -1]
    )
    visits = zone[zone != 0]

    assert low + 0.1 * (high - low) <= poc <= high - 0.1 * (high - low)
    assert (np.diff(visits) != 0).sum() >= 3
    assert high - low <= 160


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("day_type", ["breakout_up", "breakout_down"])
def test_breakout_day_when_last_hour_then_trades_beyond_the_first_half_range(seed, day_type):
    session = _session(seed, day_type)
    rth = _rth(session)
    middle = session.windows.rth_open_ns + 195 * NS_PER_MINUTE
    last_hour = rth["ts_ns"] >= session.windows.rth_close_ns - 60 * NS_PER_MINUTE
    first_half = rth["price_ticks"][rth["ts_ns"] < middle]

    if day_type.endswith("up"):
        assert (rth["price_ticks"][last_hour] > first_half.max()).all()
    else:
        assert (rth["price_ticks"][last_hour] < first_half.min()).all()


def test_delta_when_open_drive_up_then_a_period_buyers_dominate():
    session = _session(1, "open_drive_up", scale=0.1)
    rth = _rth(session)
    a_period = rth[rth["ts_ns"] < session.windows.rth_open_ns + 30 * NS_PER_MINUTE]

    assert (a_period["size"] * a_period["side"]).sum() > 0.05 * a_period["size"].sum()


def test_absorption_when_episode_then_heavy_aggression_at_a_level_that_holds():
    episodes = [
        (s, e) for s in (_session(seed, scale=0.05) for seed in range(8)) for e in s.absorptions
    ]
    assert {e.book_side for _, e in episodes} == {BOOK_BID, BOOK_ASK}

    for session, episode in episodes:
        trades, quotes = session.trades, session.quotes
        in_trades = (trades["ts_ns"] >= episode.start_ns) & (trades["ts_ns"] < episode.end_ns)
        in_quotes = (quotes["ts_ns"] >= episode.start_ns) & (quotes["ts_ns"] < episode.end_ns)
        held, aggressor = ("bid_ticks", -1) if episode.book_side == BOOK_BID else ("ask_ticks", 1)
        window = trades[in_trades]
        hitting = window[window["side"] == aggressor]
        other = window[window["side"] == -aggressor]
        minutes = (episode.end_ns - episode.start_ns) / NS_PER_MINUTE
        rth = _rth(session)
        minute_volume = np.bincount(
            (rth["ts_ns"] - session.windows.rth_open_ns) // NS_PER_MINUTE, weights=rth["size"]
        )

        assert (quotes[held][in_quotes] == episode.price_ticks).all()
        assert (hitting["price_ticks"] == episode.price_ticks).all()
        assert hitting["size"].sum() >= 3 * other["size"].sum()
        assert window["size"].sum() / minutes >= 2 * np.median(minute_volume)


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0.0}, "scale must be in"),
        ({"scale": 50.0}, "scale must be in"),
        ({"day_type": "sideways"}, "day_type must be one of"),
        ({"start_price_ticks": 100}, "start_price_ticks must be >= 2000"),
    ],
)
def test_generate_when_argument_invalid_then_error_names_it(kwargs, message):
    with pytest.raises(SyntheticMarketError, match=message):
        generate_in_windows(standard_windows(DAY), 1, **kwargs)


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_generate_when_seed_invalid_then_error_names_it(seed):
    with pytest.raises(SyntheticMarketError, match="seed must be an integer >= 0"):
        generate_in_windows(standard_windows(DAY), seed, scale=SMALL)


def test_generate_when_start_price_given_then_first_bid_is_it():
    session = generate_in_windows(standard_windows(DAY), 1, scale=SMALL, start_price_ticks=16_000)

    assert session.quotes["bid_ticks"][0] == 16_000
    assert session.start_price_ticks == 16_000


def test_windows_when_rth_outside_globex_then_refused():
    w = standard_windows(DAY)

    with pytest.raises(SyntheticMarketError, match="RTH must lie inside"):
        SessionLayout(DAY, w.open_ns, w.close_ns, w.open_ns - 1, w.close_ns, ())


def test_windows_when_halts_overlap_then_refused():
    w = standard_windows(DAY)
    halt = (w.open_ns + NS_PER_MINUTE, w.open_ns + 3 * NS_PER_MINUTE)

    with pytest.raises(SyntheticMarketError, match="halts must be sorted"):
        SessionLayout(DAY, w.open_ns, w.close_ns, None, None, (halt, halt))


def test_windows_when_a_halt_covers_the_whole_session_then_generation_refused():
    w = standard_windows(DAY, rth=False)
    windows = SessionLayout(DAY, w.open_ns, w.close_ns, None, None, ((w.open_ns, w.close_ns),))

    with pytest.raises(SyntheticMarketError, match="no trading time"):
        generate_in_windows(windows, 1, scale=SMALL)


def test_windows_when_halt_given_then_no_event_inside_it():
    w = standard_windows(DAY)
    halt = (ny_to_ns(DAY, time(1, 0)), ny_to_ns(DAY, time(2, 30)))
    session = generate_in_windows(
        SessionLayout(DAY, w.open_ns, w.close_ns, w.rth_open_ns, w.rth_close_ns, (halt,)),
        4,
        scale=SMALL,
    )

    for array in (session.trades, session.quotes, session.depth):
        ts = array["ts_ns"]
        assert not ((ts >= halt[0]) & (ts < halt[1])).any()


# --- calendar -----------------------------------------------------------------------------------


def test_calendar_session_when_holiday_halt_then_nothing_trades_in_the_halt():
    session = _calendar_session(date(2025, 1, 21))
    (halt,) = session.windows.halts

    for array in (session.trades, session.quotes, session.depth):
        ts = array["ts_ns"]
        assert not ((ts >= halt[0]) & (ts < halt[1])).any()
    assert ((session.trades["ts_ns"] < halt[0]).any()) and (
        session.trades["ts_ns"] >= halt[1]
    ).any()
    assert session.windows.open_ns == ny_to_ns(date(2025, 1, 19), time(18, 0))


def test_calendar_session_when_early_close_then_stops_at_1315_with_rth_ending_1300():
    session = _calendar_session(date(2024, 12, 24))
    trades = session.trades

    assert trades["ts_ns"][-1] < ny_to_ns(date(2024, 12, 24), time(13, 15))
    assert session.windows.rth_close_ns == ny_to_ns(date(2024, 12, 24), time(13, 0))
    summary = session_summary(session)
    assert summary["rth_volume"] > summary["on_volume"]


def test_calendar_session_when_no_rth_then_no_rth_volume():
    session = _calendar_session(date(2025, 1, 9))
    summary = session_summary(session)

    assert not session.windows.has_rth
    assert summary["rth_volume"] is None and summary["rth_range_ticks"] is None
    assert session.trades["ts_ns"][-1] < ny_to_ns(date(2025, 1, 9), time(9, 30))
    assert summary["on_volume"] == summary["contracts"]


def test_calendar_session_when_date_is_not_a_trade_date_then_calendar_error():
    with pytest.raises(CalendarError):
        generate_session(date(2024, 11, 28), 1, scale=SMALL)


def test_generate_sessions_when_consecutive_dates_then_each_opens_at_the_previous_last_bid():
    sessions = generate_sessions(date(2024, 3, 4), date(2024, 3, 10), 9, scale=0.01)

    assert [s.trade_date for s in sessions] == default_calendar().trade_dates(
        date(2024, 3, 4), date(2024, 3, 10)
    )
    for previous, current in itertools.pairwise(sessions):
        assert current.start_price_ticks == previous.last_bid_ticks
        assert current.quotes["bid_ticks"][0] == previous.quotes["bid_ticks"][-1]
    again = generate_session(
        sessions[2].trade_date, 9, scale=0.01, start_price_ticks=sessions[1].last_bid_ticks
    )
    assert again.trades.tobytes() == sessions[2].trades.tobytes()


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_validate_when_generated_session_then_nothing_rejected_or_flagged(seed):
    session = _session(seed)

    _, trade_report = validate_trades(session.trades, tick_size=0.25, strict=True)
    _, quote_report = validate_quotes(session.quotes, tick_size=0.25, strict=True)

    assert trade_report.rows_rejected == 0 and trade_report.ok
    assert quote_report.rows_rejected == 0 and quote_report.ok


# --- streaming ----------------------------------------------------------------------------------


def test_iter_events_when_whole_session_then_every_row_once_in_time_order():
    session = _session(0, scale=0.01)

    events = list(iter_events(session))

    kinds = [type(e) for e in events]
    assert kinds.count(Trade) == session.trades.size
    assert kinds.count(Quote) == session.quotes.size
    assert kinds.count(DepthUpdate) == session.depth.size
    ts = [e.ts_ns for e in events]
    assert ts == sorted(ts)
    rank = {DepthUpdate: 1, Quote: 2, Trade: 0}
    for before, after in itertools.pairwise(events):
        if before.ts_ns == after.ts_ns:
            assert rank[type(before)] <= rank[type(after)]
    first_trade = next(e for e in events if isinstance(e, Trade))
    assert first_trade == Trade(*session.trades[0].tolist())


def test_iter_events_when_window_given_then_only_events_inside_it():
    session = _session(0, scale=0.01)
    start, end = session.windows.rth_open_ns, session.windows.rth_open_ns + 5 * NS_PER_MINUTE

    events = list(iter_events(session, start_ns=start, end_ns=end))

    assert events and all(start <= e.ts_ns < end for e in events)
    trades = [e for e in events if isinstance(e, Trade)]
    in_window = (session.trades["ts_ns"] >= start) & (session.trades["ts_ns"] < end)
    assert len(trades) == int(in_window.sum())


async def test_paced_events_when_speed_given_then_waits_follow_event_times():
    session = _session(0, scale=0.01)
    start = session.windows.rth_open_ns
    end = start + 2 * NS_PER_MINUTE
    clock = ReplayClock(0)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance_ns(round(seconds * 1e9))

    events = [
        e
        async for e in paced_events(
            session, speed=10.0, start_ns=start, end_ns=end, clock=clock, sleep=sleep
        )
    ]

    assert len(events) == len(list(iter_events(session, start_ns=start, end_ns=end)))
    expected_s = (events[-1].ts_ns - events[0].ts_ns) / 1e9 / 10.0
    assert sum(waits) == pytest.approx(expected_s, abs=1e-3)


async def test_paced_events_when_max_wait_given_then_no_wait_is_longer():
    session = _session(0, scale=0.01)
    clock = ReplayClock(0)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance_ns(round(seconds * 1e9))

    end = session.windows.open_ns + 30 * NS_PER_MINUTE
    count = 0
    async for _ in paced_events(
        session, speed=1.0, end_ns=end, max_wait_s=0.25, clock=clock, sleep=sleep
    ):
        count += 1

    assert count > 0 and waits and max(waits) <= 0.25


async def test_paced_events_when_speed_is_none_then_never_waits():
    session = _session(0, scale=0.01)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    end = session.windows.open_ns + 60 * NS_PER_MINUTE
    events = [e async for e in paced_events(session, speed=None, end_ns=end, sleep=sleep)]

    assert events and all(w == 0 for w in waits)


@pytest.mark.parametrize("speed", [0.0, -2.0])
async def test_paced_events_when_speed_not_positive_then_refused(speed):
    with pytest.raises(SyntheticMarketError, match="speed must be > 0"):
        async for _ in paced_events(_session(0, scale=0.01), speed=speed):
            pass


# --- summary ------------------------------------------------------------------------------------


def test_summary_when_session_then_counts_and_extremes_match_the_arrays():
    session = _session(1)
    trades = session.trades

    summary = session_summary(session)

    assert summary["trade_date"] == DAY
    assert summary["day_type"] == session.day_type.value
    assert summary["trades"] == trades.size
    assert summary["contracts"] == trades["size"].sum()
    assert summary["buy_volume"] + summary["sell_volume"] == summary["contracts"]
    assert summary["quote_updates"] == session.quotes.size
    assert summary["depth_updates"] == session.depth.size
    assert summary["open_ticks"] == trades["price_ticks"][0]
    assert summary["close_ticks"] == trades["price_ticks"][-1]
    assert summary["high_ticks"] == trades["price_ticks"].max()
    assert summary["low_ticks"] == trades["price_ticks"].min()
    rth = _rth(session)
    assert summary["rth_range_ticks"] == rth["price_ticks"].max() - rth["price_ticks"].min()
    on = trades[trades["ts_ns"] < session.windows.rth_open_ns]
    assert (summary["on_high_ticks"], summary["on_low_ticks"]) == (
        on["price_ticks"].max(),
        on["price_ticks"].min(),
    )
    assert summary["rth_volume"] + summary["on_volume"] <= summary["contracts"]


def test_summary_when_session_has_no_trades_then_price_fields_are_none():
    session = generate_in_windows(standard_windows(DAY), 1, scale=1e-6)

    summary = session_summary(session)

    assert summary["trades"] == session.trades.size == 0
    assert summary["open_ticks"] is None and summary["rth_range_ticks"] is None
    assert summary["on_high_ticks"] is None and summary["quote_updates"] >= 1
    assert list(iter_events(session))


def test_public_api_when_imported_then_every_name_in_all_exists():
    for name in synthetic.__all__:
        assert hasattr(synthetic, name), name
