"""L2 books: IB depth by position and MBP-10; the MBO book's bad-input handling and atomic events.

Data (MBP-10 sample): databento-python test data (ESH1, 2020-12-28), Apache-2.0; see
../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.flow.book import frames_from_mbp10, replay_depth
from orderflow_lib.flow.mbo import replay_mbo
from orderflow_lib.kernels.book import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_CLEAR,
    ACTION_FILL,
    ACTION_MODIFY,
    ACTION_TRADE,
    F_LAST,
    F_SNAPSHOT,
    NO_PRICE,
    STATUS_BAD_INPUT,
    STATUS_CROSSED,
    STATUS_RESET,
)
from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    DEPTH_DELETE,
    DEPTH_DTYPE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    DepthUpdate,
)
from orderflow_lib.market.readers.dbn import load_dbn_records
from tests.reference.book import Mbp10Book, OrderBook
from tests.reference.mbo import MboBook

UNDEF_PRICE = np.iinfo(np.int64).max
SCHEMAS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "databento-schemas"


def depth(*rows):
    return [
        DepthUpdate(i, side, pos, op, price, size)
        for i, (side, pos, op, price, size) in enumerate(rows)
    ]


def replay_both(updates, levels=10):
    arr = np.array(
        [(u.ts_ns, u.book_side, u.position, u.operation, u.price_ticks, u.size) for u in updates],
        dtype=DEPTH_DTYPE,
    )
    frames, bad = replay_depth(arr, levels)
    book = OrderBook(levels)
    live = [book.apply(u) for u in updates]
    assert live == [frames.frame(i) for i in range(len(frames))]
    assert book.bad_updates == bad
    return frames, bad


def test_position_book_when_insert_update_delete_then_levels_shift():
    frames, bad = replay_both(
        depth(
            (BOOK_BID, 0, DEPTH_INSERT, 100, 5),
            (BOOK_BID, 0, DEPTH_INSERT, 101, 7),
            (BOOK_BID, 1, DEPTH_UPDATE, 100, 9),
            (BOOK_ASK, 0, DEPTH_INSERT, 102, 3),
            (BOOK_BID, 0, DEPTH_DELETE, 101, 0),
        )
    )

    assert frames.frame(3).bids == ((101, 7), (100, 9))
    assert frames.frame(4).bids == ((100, 9),)
    assert frames.frame(4).asks == ((102, 3),)
    assert bad == 0


def test_position_book_when_position_does_not_exist_then_counted_ignored_and_flagged():
    frames, bad = replay_both(
        depth(
            (BOOK_BID, 0, DEPTH_INSERT, 100, 5),
            (BOOK_BID, 3, DEPTH_UPDATE, 99, 1),
            (BOOK_BID, 1, DEPTH_DELETE, 99, 0),
            (BOOK_ASK, 2, DEPTH_INSERT, 103, 1),
            (7, 0, DEPTH_INSERT, 1, 1),
        )
    )

    assert bad == 4
    assert [frames.frame(i).bids for i in range(5)] == [((100, 5),)] * 5
    assert frames.frame(3).asks == ()
    assert all(frames.status[1:] & STATUS_BAD_INPUT)


def test_position_book_when_negative_size_or_no_price_then_counted_ignored_and_flagged():
    frames, bad = replay_both(
        depth(
            (BOOK_BID, 0, DEPTH_INSERT, 100, 5),
            (BOOK_BID, 0, DEPTH_UPDATE, 100, -5),
            (BOOK_BID, 1, DEPTH_INSERT, 99, -1),
            (BOOK_ASK, 0, DEPTH_INSERT, NO_PRICE, 4),
            (BOOK_BID, 0, DEPTH_UPDATE, NO_PRICE, 4),
            (BOOK_BID, 0, DEPTH_DELETE, NO_PRICE, -1),
        )
    )

    assert bad == 4
    assert [frames.frame(i).bids for i in range(5)] == [((100, 5),)] * 5
    assert frames.frame(4).asks == () and frames.frame(5).bids == ()
    assert all(frames.status[1:5] & STATUS_BAD_INPUT) and not frames.status[5] & STATUS_BAD_INPUT


def test_position_book_when_insert_at_full_depth_then_last_level_drops():
    frames, _ = replay_both(
        depth(
            (BOOK_ASK, 0, DEPTH_INSERT, 102, 1),
            (BOOK_ASK, 1, DEPTH_INSERT, 103, 1),
            (BOOK_ASK, 0, DEPTH_INSERT, 101, 1),
        ),
        levels=2,
    )

    assert frames.frame(2).asks == ((101, 1), (102, 1))


def test_position_book_when_crossed_then_flagged_not_repaired():
    frames, _ = replay_both(
        depth(
            (BOOK_BID, 0, DEPTH_INSERT, 105, 5),
            (BOOK_ASK, 0, DEPTH_INSERT, 104, 5),
        )
    )

    assert frames.status[1] & STATUS_CROSSED
    assert frames.frame(1).bids == ((105, 5),)


def test_position_book_when_reset_then_empty_and_next_frame_flagged():
    book = OrderBook()
    book.apply(DepthUpdate(0, BOOK_BID, 0, DEPTH_INSERT, 100, 1))
    book.reset()

    frame = book.apply(DepthUpdate(1, BOOK_ASK, 0, DEPTH_INSERT, 101, 1))

    assert frame.bids == () and frame.status & STATUS_RESET


def test_position_book_when_random_updates_then_batch_equals_incremental():
    rng = np.random.default_rng(1)
    updates = depth(
        *[
            (
                int(rng.choice([BOOK_BID, BOOK_ASK])),
                int(rng.integers(0, 6)),
                int(rng.integers(0, 3)),
                int(rng.integers(90, 110)),
                int(rng.integers(1, 50)),
            )
            for _ in range(3000)
        ]
    )

    _, bad = replay_both(updates, levels=5)

    assert bad > 0


def ticks_of(raw: np.ndarray) -> np.ndarray:
    """ES ticks of DBN fixed-point prices (1e-9 units); undefined prices become NO_PRICE."""
    return np.where(raw == UNDEF_PRICE, NO_PRICE, raw // 250_000_000).astype(np.int64)


def test_mbp10_when_schema_file_then_frames_at_event_ends_and_incremental_agrees():
    path = SCHEMAS / "test_data.mbp-10.dbn.zst"
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    rec = load_dbn_records(path).records
    bid = np.stack([ticks_of(rec[f"bid_px_{k:02d}"]) for k in range(10)], axis=1)
    ask = np.stack([ticks_of(rec[f"ask_px_{k:02d}"]) for k in range(10)], axis=1)
    bsz = np.stack([rec[f"bid_sz_{k:02d}"] for k in range(10)], axis=1).astype(np.int64)
    asz = np.stack([rec[f"ask_sz_{k:02d}"] for k in range(10)], axis=1).astype(np.int64)

    frames = frames_from_mbp10(rec["ts_event"].astype(np.int64), rec["flags"], bid, bsz, ask, asz)
    book = Mbp10Book()
    live = []
    for i in range(len(rec)):
        bids = tuple((int(p), int(s)) for p, s in zip(bid[i], bsz[i], strict=True) if p != NO_PRICE)
        asks = tuple((int(p), int(s)) for p, s in zip(ask[i], asz[i], strict=True) if p != NO_PRICE)
        frame = book.apply(int(rec["ts_event"][i]), int(rec["flags"][i]), bids, asks)
        if frame is not None:
            live.append(frame)

    assert frames.frame(0).best_bid * 0.25 == 3702.25
    assert frames.frame(0).best_ask * 0.25 == 3702.75
    assert live == [frames.frame(i) for i in range(len(frames))]


def mbo(*rows):
    """Messages (action, side, price, size, order_id, flags) at ts = index."""
    n = len(rows)
    cols = list(zip(*rows, strict=True))
    return dict(
        ts_ns=np.arange(n, dtype=np.int64),
        action=np.array(cols[0], dtype=np.uint8),
        side=np.array(cols[1], dtype=np.int8),
        price_ticks=np.array(cols[2], dtype=np.int64),
        size=np.array(cols[3], dtype=np.int64),
        order_id=np.array(cols[4], dtype=np.int64),
        flags=np.array(cols[5], dtype=np.uint8),
    )


def replay_mbo_both(messages):
    batch = replay_mbo(**messages)
    book = MboBook()
    frames, checks = [], []
    for i in range(messages["ts_ns"].shape[0]):
        frame = book.apply(
            *(
                int(messages[k][i])
                for k in ("ts_ns", "action", "side", "price_ticks", "size", "order_id", "flags")
            )
        )
        if frame is not None:
            frames.append(frame)
            checks += book.last_trades
    assert frames == [batch.frames.frame(i) for i in range(len(batch.frames))]
    assert checks == batch.trade_checks()
    counters = dict(book.counters, pending_messages=book.pending_messages)
    assert counters == batch.counters
    return batch


L = F_LAST


def test_mbo_when_event_spans_messages_then_one_frame_at_last_flag():
    batch = replay_mbo_both(
        mbo(
            (ACTION_ADD, 1, 100, 5, 1, 0),
            (ACTION_ADD, -1, 101, 4, 2, L),
            (ACTION_ADD, 1, 99, 2, 3, 0),
        )
    )

    assert len(batch.frames) == 1
    assert batch.frames.frame(0).bids == ((100, 5),)
    assert batch.counters["pending_messages"] == 1


def test_mbo_when_unknown_ids_duplicates_and_over_cancel_then_counted_and_flagged():
    batch = replay_mbo_both(
        mbo(
            (ACTION_ADD, 1, 100, 5, 1, L),
            (ACTION_CANCEL, 1, 100, 5, 99, L),
            (ACTION_ADD, 1, 100, 3, 1, L),
            (ACTION_CANCEL, 1, 100, 9, 1, L),
            (ACTION_MODIFY, -1, 102, 4, 7, L),
            (ACTION_ADD, 0, 100, 3, 8, L),
        )
    )

    assert batch.counters == {
        "unknown_cancel": 1,
        "unknown_modify": 1,
        "duplicate_add": 1,
        "over_cancel": 1,
        "bad_message": 1,
        "pending_messages": 0,
        "crossed_frames": 0,
        "locked_frames": 0,
    }
    assert all(batch.frames.status[1:] & STATUS_BAD_INPUT)
    assert batch.frames.frame(3).bids == ()
    assert batch.frames.frame(5).asks == ((102, 4),)


def test_mbo_when_snapshot_starts_then_book_rebuilt_from_empty():
    batch = replay_mbo_both(
        mbo(
            (ACTION_ADD, 1, 100, 5, 1, L),
            (ACTION_ADD, 1, 98, 1, 2, F_SNAPSHOT),
            (ACTION_ADD, -1, 101, 1, 3, F_SNAPSHOT | L),
        )
    )

    assert batch.frames.frame(1).bids == ((98, 1),)
    assert batch.frames.status[1] & STATUS_RESET


def test_mbo_when_clear_message_then_book_empty_and_frame_reset():
    batch = replay_mbo_both(
        mbo(
            (ACTION_ADD, 1, 100, 5, 1, L),
            (ACTION_CLEAR, 0, NO_PRICE, 0, 0, 0),
            (ACTION_ADD, -1, 103, 2, 2, L),
            (ACTION_CANCEL, 1, 100, 5, 1, L),
        )
    )

    assert batch.frames.frame(1).bids == ()
    assert batch.frames.frame(1).asks == ((103, 2),)
    assert batch.frames.status[1] & STATUS_RESET
    assert batch.counters["unknown_cancel"] == 1


def test_mbo_when_sweep_then_each_trade_at_accessible_touch():
    batch = replay_mbo_both(
        mbo(
            (ACTION_ADD, -1, 101, 2, 1, 0),
            (ACTION_ADD, -1, 102, 5, 2, 0),
            (ACTION_ADD, 1, 100, 5, 3, L),
            (ACTION_TRADE, 1, 101, 2, 9, 0),
            (ACTION_FILL, -1, 101, 2, 1, 0),
            (ACTION_TRADE, 1, 102, 1, 9, 0),
            (ACTION_FILL, -1, 102, 1, 2, 0),
            (ACTION_CANCEL, -1, 101, 2, 1, 0),
            (ACTION_MODIFY, -1, 102, 4, 2, L),
        )
    )

    checks = batch.trade_checks()
    assert [(c.price_ticks, c.touch, c.ask_before) for c in checks] == [
        (101, 101, 101),
        (102, 102, 101),
    ]
    assert batch.frames.frame(1).asks == ((102, 4),)


def test_mbo_when_random_messages_then_batch_equals_incremental():
    rng = np.random.default_rng(8)
    rows = []
    live_ids: list[int] = []
    for i in range(4000):
        r = rng.random()
        flags = L if rng.random() < 0.6 else 0
        if r < 0.45 or not live_ids:
            oid = 1000 + i
            live_ids.append(oid)
            side = int(rng.choice([1, -1]))
            price = 100 + int(rng.integers(0, 6)) if side < 0 else 99 - int(rng.integers(0, 6))
            rows.append((ACTION_ADD, side, price, int(rng.integers(1, 20)), oid, flags))
        elif r < 0.7:
            oid = live_ids[int(rng.integers(0, len(live_ids)))]
            rows.append((ACTION_CANCEL, 1, 99, int(rng.integers(1, 25)), oid, flags))
        elif r < 0.85:
            oid = live_ids[int(rng.integers(0, len(live_ids)))]
            rows.append(
                (
                    ACTION_MODIFY,
                    int(rng.choice([1, -1])),
                    95 + int(rng.integers(0, 10)),
                    int(rng.integers(1, 20)),
                    oid,
                    flags,
                )
            )
        else:
            rows.append(
                (
                    ACTION_TRADE,
                    int(rng.choice([1, -1, 0])),
                    97 + int(rng.integers(0, 6)),
                    int(rng.integers(1, 5)),
                    0,
                    flags,
                )
            )

    batch = replay_mbo_both(mbo(*rows))

    assert batch.counters["over_cancel"] > 0
    assert batch.frames.count(STATUS_CROSSED) > 0
