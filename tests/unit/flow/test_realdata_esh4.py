"""Proof on real CME data: the ESH4 2023-12-25 hour and the ESM4 snapshot.

Data: Databento GLBX.MDP3 extracts (ESH4, ESM4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); see ../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.flow.aggressor import AggressorClassifier, classify_aggressor
from orderflow_lib.flow.anchors import session_anchors
from orderflow_lib.flow.book import crossed_outside_auction, frames_from_mbp10, replay_depth
from orderflow_lib.flow.candles import volumetric_candles
from orderflow_lib.flow.cd_table import cd_table
from orderflow_lib.flow.delta import cumulative_delta
from orderflow_lib.flow.detect import BarSignalEngine, detect_bar_signals
from orderflow_lib.flow.dom import dom_metrics
from orderflow_lib.flow.footprint import footprint
from orderflow_lib.flow.mbo import replay_mbo_messages
from orderflow_lib.flow.signals import count_by_kind, sort_signals
from orderflow_lib.flow.tape import tape_pressure, tape_signals
from orderflow_lib.flow.trades import trade_arrays
from orderflow_lib.flow.vwap import vwap_bands
from orderflow_lib.kernels.book import NO_PRICE, STATUS_CROSSED
from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    DEPTH_DELETE,
    DEPTH_DTYPE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    DepthUpdate,
)
from orderflow_lib.market.readers.dbn import dbn_trades_array
from tests.reference.book import Mbp10Book, OrderBook
from tests.reference.candles import CandleBuilder
from tests.reference.cd_table import CdTableTracker
from tests.reference.delta import CumulativeDelta
from tests.reference.dom import DomEngine
from tests.reference.mbo import MboBook
from tests.reference.tape import TapePressure
from tests.reference.vwap import VwapEngine

pytestmark = pytest.mark.realdata

DATA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4_HOUR = DATA_DIR / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"

TICK = 0.25
GLOBEX_OPEN = 1_703_545_200_000_000_000
"""2023-12-25 18:00 ET (23:00 UTC): Globex reopens after Christmas (trade date 2023-12-26)."""
AUCTION_END = 1_703_545_200_000_069_000
"""README: the ESH4 book is crossed only during the pre-open auction, until 23:00:00.000069 UTC."""


@pytest.fixture(scope="module")
def replay(esh4):
    return replay_mbo_messages(esh4)


@pytest.fixture(scope="module")
def trades(esh4):
    """Trades read on their own path (the esh4 fixture skips when the data is absent)."""
    records = dbn_trades_array(ESH4_HOUR, tick_size=TICK)
    return trade_arrays(records["ts_ns"], records["price_ticks"], records["size"], records["side"])


@pytest.fixture(scope="module")
def candles(trades):
    return volumetric_candles(trades, "1min", [GLOBEX_OPEN])


def trades_frame(trades) -> pd.DataFrame:
    letters = np.array(["A", "N", "B"])[trades.side + 1]
    return pd.DataFrame(
        {
            "ts": trades.ts_ns,
            "price": trades.price_ticks * TICK,
            "size": trades.size,
            "side": letters,
        }
    )


def test_anchors_when_esh4_hour_then_globex_open_of_trade_date_and_no_rth_open_yet(trades):
    first, last = int(trades.ts_ns[0]), int(trades.ts_ns[-1])

    assert session_anchors(first, last).tolist() == [GLOBEX_OPEN]
    assert session_anchors(first, last, "rth_open").tolist() == []


def test_footprint_when_esh4_hour_then_total_volume_is_traded_volume(trades):
    fp = footprint(trades_frame(trades), bar="1min", tick_size=TICK)

    assert len(trades) == 2973
    assert int(fp["volume"].sum()) == 9892
    assert int(fp["trades"].sum()) == 2973
    assert fp["price"].min() == 4800.25 and fp["price"].max() == 4811.75


def test_footprint_when_esh4_hour_then_aggressor_volume_per_price_matches_groupby(trades):
    frame = trades_frame(trades)
    fp = footprint(frame, bar="1min", tick_size=TICK)
    frame["bar"] = pd.to_datetime(frame["ts"], unit="ns", utc=True).dt.floor("1min")

    expected = frame.groupby(["bar", "price", "side"])["size"].sum().unstack(fill_value=0)
    got = fp.set_index(["bar", "price"])[["ask_volume", "bid_volume", "unknown_volume"]]
    per_price = fp.groupby("price")[["ask_volume", "bid_volume"]].sum()
    by_price = frame.groupby(["price", "side"])["size"].sum().unstack(fill_value=0)

    assert got.index.tolist() == expected.index.tolist()
    assert got["ask_volume"].tolist() == expected["B"].tolist()
    assert got["bid_volume"].tolist() == expected["A"].tolist()
    assert got["unknown_volume"].tolist() == expected["N"].tolist()
    assert per_price["ask_volume"].tolist() == by_price["B"].tolist()
    assert per_price["bid_volume"].tolist() == by_price["A"].tolist()
    assert (int((trades.side == 1).sum()), int((trades.side == -1).sum())) == (1542, 1430)


def test_book_when_rebuilt_from_mbo_then_every_sided_trade_at_best_opposite_price(replay):
    checks = replay.trades
    sided = checks[:, 4] != 0
    at_touch = checks[sided, 7] == checks[sided, 2]
    buys = checks[:, 4] > 0
    sells = checks[:, 4] < 0
    at_pre_event_touch = int((checks[buys, 2] == checks[buys, 6]).sum()) + int(
        (checks[sells, 2] == checks[sells, 5]).sum()
    )

    assert (int(at_touch.sum()), int(sided.sum())) == (2972, 2972)
    assert at_pre_event_touch == 2890
    assert {k: v for k, v in replay.counters.items() if k != "crossed_frames"} == dict.fromkeys(
        [
            "unknown_cancel",
            "unknown_modify",
            "duplicate_add",
            "over_cancel",
            "bad_message",
            "pending_messages",
            "locked_frames",
        ],
        0,
    )


def test_book_when_crossed_then_only_during_pre_open_auction(replay):
    crossed = replay.frames.status & STATUS_CROSSED != 0
    pre_open = [(int(replay.frames.ts_ns[0]), AUCTION_END)]

    assert (
        crossed.sum()
        == replay.counters["crossed_frames"]
        == crossed_outside_auction(replay.frames, [])
    )
    assert crossed.sum() == 891
    assert crossed_outside_auction(replay.frames, pre_open) == 0
    assert replay.frames.ts_ns[crossed].max() < AUCTION_END
    assert replay.frames.frame(len(replay.frames) - 1).best_bid * TICK == 4810.00


def test_quote_rule_when_run_on_rebuilt_bbo_then_agrees_with_exchange_flag(replay):
    checks = replay.trades
    frames = replay.frames
    result = classify_aggressor(
        checks[:, 1],
        checks[:, 2],
        frames.ts_ns,
        frames.best_bid,
        frames.best_ask,
        trade_seq=checks[:, 0],
        quote_seq=frames.seq,
        methods=("QUOTE", "LR_MID", "TICK"),
    )
    sided = checks[:, 4] != 0

    agree = int((result.side[sided] == checks[sided, 4]).sum())

    assert (agree, int(sided.sum())) == (2972, 2972)
    assert result.method_counts() == {"QUOTE": 2972, "TICK": 1}


def test_aggressor_when_incremental_on_rebuilt_bbo_then_equals_batch(replay):
    checks, frames = replay.trades, replay.frames
    batch = classify_aggressor(
        checks[:, 1],
        checks[:, 2],
        frames.ts_ns,
        frames.best_bid,
        frames.best_ask,
        trade_seq=checks[:, 0],
        quote_seq=frames.seq,
    )
    live = AggressorClassifier()
    events = sorted(
        [(int(s), 0, i) for i, s in enumerate(frames.seq)]
        + [(int(s), 1, i) for i, s in enumerate(checks[:, 0])]
    )
    sides = []
    for _, kind, i in events:
        if kind == 0:
            live.on_quote(int(frames.ts_ns[i]), int(frames.best_bid[i]), int(frames.best_ask[i]))
        else:
            sides.append(live.on_trade(int(checks[i, 1]), int(checks[i, 2]))[0])

    assert sides == batch.side.tolist()


def test_mbo_book_when_incremental_then_same_frames_and_checks(esh4, replay):
    book = MboBook()
    frames, checks = [], []
    columns = [
        esh4[name].astype(np.int64).tolist()
        for name in ("ts_ns", "action", "side", "price_ticks", "size", "order_id", "flags")
    ]
    for row in zip(*columns, strict=True):
        frame = book.apply(*row)
        if frame is not None:
            frames.append(frame)
            checks += book.last_trades

    assert len(frames) == len(replay.frames) == 47022
    assert all(f == replay.frames.frame(i) for i, f in enumerate(frames))
    assert checks == replay.trade_checks()


def _depth_updates(frames) -> list[DepthUpdate]:
    """IB-style position updates that turn each frame into the next."""
    updates = []
    old = {BOOK_BID: (), BOOK_ASK: ()}
    for i in range(len(frames)):
        frame = frames.frame(i)
        for side, new in ((BOOK_BID, frame.bids), (BOOK_ASK, frame.asks)):
            prev = old[side]
            for k in range(min(len(prev), len(new))):
                if prev[k] != new[k]:
                    updates.append(DepthUpdate(frame.ts_ns, side, k, DEPTH_UPDATE, *new[k]))
            for k in range(len(prev), len(new)):
                updates.append(DepthUpdate(frame.ts_ns, side, k, DEPTH_INSERT, *new[k]))
            for _ in range(len(new), len(prev)):
                updates.append(DepthUpdate(frame.ts_ns, side, len(new), DEPTH_DELETE, 0, 0))
            old[side] = new
    return updates


def test_position_book_when_fed_ib_style_updates_from_real_frames_then_reproduces_them(replay):
    frames = replay.frames
    updates = _depth_updates(frames)[:60000]
    arr = np.array(
        [(u.ts_ns, u.book_side, u.position, u.operation, u.price_ticks, u.size) for u in updates],
        dtype=DEPTH_DTYPE,
    )

    batch, bad = replay_depth(arr)
    book = OrderBook()
    live = [book.apply(u) for u in updates]

    assert bad == 0 == book.bad_updates
    assert all(f == batch.frame(i) for i, f in enumerate(live))
    last_ts = int(arr["ts_ns"][-1])
    done = int(np.searchsorted(frames.ts_ns, last_ts, side="right")) - 1
    final = batch.frame(len(batch) - 1)
    assert (final.bids, final.asks) == (frames.frame(done).bids, frames.frame(done).asks)


def test_mbp10_when_real_frames_as_records_then_batch_and_incremental_agree(replay):
    frames = replay.frames
    flags = np.full(len(frames), 0x80, dtype=np.uint8)

    batch = frames_from_mbp10(
        frames.ts_ns, flags, frames.bid_ticks, frames.bid_size, frames.ask_ticks, frames.ask_size
    )
    book = Mbp10Book()
    live = [
        book.apply(int(frames.ts_ns[i]), 0x80, frames.frame(i).bids, frames.frame(i).asks)
        for i in range(len(frames))
    ]

    assert np.array_equal(batch.bid_ticks, frames.bid_ticks)
    assert all(f == batch.frame(i) for i, f in enumerate(live))


def test_dom_when_incremental_on_real_book_then_equals_batch(replay):
    frames, checks = replay.frames, replay.trades
    batch = dom_metrics(
        frames, checks[:, 1], checks[:, 2], checks[:, 3], checks[:, 4], trade_seq=checks[:, 0]
    )
    engine = DomEngine()
    signals, imbalance = [], []
    events = sorted(
        [(int(s), 1, i) for i, s in enumerate(frames.seq)]
        + [(int(s), 0, i) for i, s in enumerate(checks[:, 0])]
    )
    for _, kind, i in events:
        if kind == 1:
            value, _, found = engine.on_frame(frames.frame(i))
            imbalance.append(value)
            signals += found
        else:
            signals += engine.on_trade(*(int(v) for v in checks[i, 1:5]))

    assert signals == batch.signals
    assert np.array_equal(np.array(imbalance), batch.imbalance, equal_nan=True)
    assert count_by_kind(batch.signals) == {"DOM_IMBALANCE": 4, "PULLING": 9, "STACKING": 9}


def test_candles_and_signals_when_incremental_then_equal_batch(trades, candles):
    batch = detect_bar_signals(trades, candles, anchors_ns=[GLOBEX_OPEN])
    builder = CandleBuilder("1min", [GLOBEX_OPEN])
    engine = BarSignalEngine(anchors_ns=[GLOBEX_OPEN])
    live_candles, live_signals = [], []
    for t, p, q, s in zip(
        trades.ts_ns.tolist(),
        trades.price_ticks.tolist(),
        trades.size.tolist(),
        trades.side.tolist(),
        strict=True,
    ):
        for closed in builder.on_trade(t, p, q, s):
            live_candles.append(closed)
            live_signals += engine.on_candle(closed)
        engine.on_trade(t, p)
    for closed in builder.flush():
        live_candles.append(closed)
        live_signals += engine.on_candle(closed)

    assert live_candles == candles.candles()
    assert sort_signals(live_signals) == batch.signals
    assert engine.all_zones() == batch.zones
    assert engine.all_magnets() == batch.magnets
    assert count_by_kind(batch.signals) == {
        "BEARISH_DIVERGENCE": 2,
        "BULLISH_DIVERGENCE": 1,
        "EXHAUSTION_HIGH": 7,
        "EXHAUSTION_LOW": 6,
        "FP_UNFINISHED_HIGH": 22,
        "FP_UNFINISHED_LOW": 25,
        "LACK_OF_PARTICIPATION": 2,
        "STACKED_BUY_IMBALANCE": 3,
    }


def test_tape_vwap_delta_and_cd_table_when_incremental_then_equal_batch(trades, candles):
    readings = tape_pressure(trades)
    tape_batch = tape_signals(readings, trades.price_ticks)
    vwap = vwap_bands(trades, [GLOBEX_OPEN])
    cd = cumulative_delta(trades, [GLOBEX_OPEN])
    tape, vw, delta = TapePressure(), VwapEngine([GLOBEX_OPEN]), CumulativeDelta([GLOBEX_OPEN])
    tape_live, vwap_live, cd_live = [], [], []
    for t, p, q, s in zip(
        trades.ts_ns.tolist(),
        trades.price_ticks.tolist(),
        trades.size.tolist(),
        trades.side.tolist(),
        strict=True,
    ):
        signal = tape.on_trade(t, p, q, s)
        if signal is not None:
            tape_live.append(signal)
        vwap_live.append(vw.on_trade(t, p, q))
        cd_live.append(delta.on_trade(t, q, s))
    tracker = CdTableTracker(window=5)
    cd_rows = [
        tracker.on_bar(int(c), int(d))
        for c, d in zip(candles["close_ticks"], candles["delta"], strict=True)
    ]

    assert tape_live == tape_batch
    assert count_by_kind(tape_batch) == {"BUY_PRESSURE": 13, "SELL_PRESSURE": 3}
    assert np.array_equal(np.array(vwap_live)[:, 0], vwap.vwap_ticks)
    assert np.array_equal(np.array(vwap_live)[:, 1], vwap.sigma_ticks)
    assert cd_live == cd.tolist()
    assert cd[-1] == candles["cd_close"][-1]
    assert [r for r in cd_rows if r is not None] == cd_table(
        candles["close_ticks"], candles["delta"], window=5
    )


def test_esm4_snapshot_when_replayed_then_full_depth_and_final_bbo(esm4):
    replay = replay_mbo_messages(esm4, levels=3000)
    first = replay.frames.frame(0)
    last = replay.frames.frame(len(replay.frames) - 1)

    assert (len(first.bids), len(first.asks)) == (975, 572)
    assert (last.best_bid * TICK, last.best_ask * TICK) == (5214.00, 5214.25)
    assert last.best_bid != NO_PRICE
    assert all(v == 0 for v in replay.counters.values())
