"""The synthetic market as a feed: same events as the generator, sessions chained in price, and a
history that leads into the first day."""

from __future__ import annotations

import itertools

import numpy as np
from feeds_support import TRADE_DATE, FakeWall

from orderflow_lib.feeds.events import KIND_QUOTE, KIND_TRADE
from orderflow_lib.feeds.synthetic import SyntheticFeed, session_chunks, session_events
from orderflow_lib.market.synthetic import generate_session


async def _all(feed: SyntheticFeed) -> list[np.ndarray]:
    return [b async for b in feed.items()]


async def test_feed_when_max_speed_then_batches_concatenate_to_the_session_events():
    feed = SyntheticFeed(TRADE_DATE, 5, speed=None, scale=0.01, history_days=0, max_batch=997)

    batches = await _all(feed)

    expected = session_events(generate_session(TRADE_DATE, 5, scale=0.01))
    assert np.array_equal(np.concatenate(batches), expected)
    assert max(b.shape[0] for b in batches) <= 997
    assert feed.state == "ended"


def test_session_chunks_when_joined_then_equal_the_whole_session_in_time_order():
    session = generate_session(TRADE_DATE, 5, scale=0.01)

    joined = np.concatenate(list(session_chunks(session, chunk_ns=7 * 60 * 1_000_000_000)))

    assert np.array_equal(joined, session_events(session))
    assert (np.diff(joined["ts_ns"]) >= 0).all()
    assert (joined["kind"] == KIND_TRADE).sum() == session.trades.shape[0]
    assert (joined["kind"] == KIND_QUOTE).sum() == session.quotes.shape[0]


async def test_history_when_generated_then_prior_trade_dates_chain_into_today():
    feed = SyntheticFeed(
        TRADE_DATE, 5, speed=None, scale=0.01, history_days=3, history_scale=0.01, days=1
    )

    history = await feed.history()
    first = (await _all(feed))[0]

    assert [s.trade_date.isoformat() for s in history] == ["2026-11-19", "2026-11-20", "2026-11-23"]
    for before, after in itertools.pairwise(history):
        assert after.start_price_ticks == before.last_bid_ticks
    assert first["ts_ns"][0] >= history[-1].windows.close_ns
    quotes = first[first["kind"] == KIND_QUOTE]
    assert quotes["bid_ticks"][0] == history[-1].last_bid_ticks


async def test_feed_when_two_days_then_second_day_follows_the_first():
    feed = SyntheticFeed(TRADE_DATE, 5, speed=None, scale=0.01, history_days=0, days=2)

    events = np.concatenate(await _all(feed))

    assert events["ts_ns"][-1] > generate_session(TRADE_DATE, 5, scale=0.01).windows.close_ns


async def test_feed_when_closed_then_no_more_batches():
    wall = FakeWall()
    feed = SyntheticFeed(
        TRADE_DATE, 5, speed=1.0, scale=0.01, history_days=0, sleep=wall.sleep, wall_ns=wall
    )
    got = []
    async for batch in feed.items():
        got.append(batch)
        if len(got) == 3:
            await feed.close()

    assert len(got) == 3
    assert feed.state == "closed"
