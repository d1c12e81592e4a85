"""Databento DBN files as node events: trades, best bid/offer and 10-level depth by position.

Market-by-order (mbo) and market-by-price (mbp-10) books are rebuilt event by event (each event
applied atomically up to its F_LAST message) and every change of the top 10 levels becomes IB-style
depth updates (update where a row changed, delete where the book got shorter, insert where it got
longer) plus a quote when the best bid or offer changed. So a replayed Databento session reaches
the node in the same form as IB live data, and one code path serves both. mbp-1 / tbbo give trades
and quotes, trades files trades only.
"""

from __future__ import annotations

import os
from typing import Final

import numpy as np

from orderflow_lib.core.config import ES_TICK_SIZE, DataSettings
from orderflow_lib.core.errors import DataError, OffGridPriceError
from orderflow_lib.feeds.events import (
    KIND_DEPTH,
    KIND_QUOTE,
    MARKET_EVENT_DTYPE,
    empty_events,
)
from orderflow_lib.flow.book import BookFrames, frames_from_mbp10
from orderflow_lib.flow.mbo import replay_mbo_messages
from orderflow_lib.kernels.depth_ops import OPS_PER_LEVEL, _depth_ops
from orderflow_lib.market.events import BOOK_ASK, BOOK_BID, TRADE_DTYPE, trade_events
from orderflow_lib.market.readers import dbn_mbo_array, dbn_trades_array, load_dbn_records
from orderflow_lib.market.readers.dbn import MBO_TRADE, PRICE_SCALE, UNDEF_PRICE
from orderflow_lib.market.readers.limits import DEFAULT_LIMITS

NO_PRICE: Final = int(np.iinfo(np.int64).min)
LEVELS: Final = 10
_SUB: Final = 64
"""Sub-positions per source record when ordering the rows one record produced."""


def dbn_events(
    path: str | os.PathLike[str],
    tick_size: float = ES_TICK_SIZE,
    *,
    limits: DataSettings = DEFAULT_LIMITS,
) -> tuple[np.ndarray, str]:
    """(events in file order, the contract's raw symbol) of a one-instrument DBN file.

    A damaged file or a record outside `limits` is a DataError naming the file.
    """
    loaded = load_dbn_records(path, limits=limits)
    symbols = list(loaded.metadata.symbols or [])
    contract = symbols[0] if len(symbols) == 1 else ""
    schema = loaded.schema
    if schema == "mbo":
        return _mbo_events(path, tick_size, limits), contract
    if schema == "mbp-10":
        return _mbp_events(path, loaded.records, tick_size, levels=LEVELS), contract
    if schema in ("mbp-1", "tbbo"):
        return _mbp_events(path, loaded.records, tick_size, levels=1), contract
    if schema == "trades":
        trades = dbn_trades_array(path, tick_size, limits=limits)
        return _order(_trade_rows(trades, np.arange(trades.shape[0]) * _SUB)), contract
    raise DataError(
        f"{path}: schema {schema!r} cannot be replayed; use mbo, mbp-10, mbp-1, tbbo or trades"
    )


def price_ticks(raw: np.ndarray, tick_size: float, path: str | os.PathLike[str]) -> np.ndarray:
    """Ticks of raw DBN prices (1e-9 units); undefined prices become NO_PRICE, an off-grid price
    raises OffGridPriceError naming the record."""
    units = round(tick_size * PRICE_SCALE)
    if units <= 0 or abs(units - tick_size * PRICE_SCALE) > 1e-6:
        raise DataError(f"tick_size {tick_size} is not a whole number of 1e-9 price units")
    prices = np.asarray(raw).astype(np.int64)
    undefined = prices == UNDEF_PRICE
    off = (prices % units != 0) & ~undefined
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise OffGridPriceError(
            f"{path}: record {row} price {prices[row] / PRICE_SCALE} is not a multiple of tick_size {tick_size}"
        )
    return np.where(undefined, NO_PRICE, prices // units)


def _trade_rows(trades: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return trade_events(trades), keys


def _order(*parts: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    events = np.concatenate([p[0] for p in parts]) if parts else empty_events()
    keys = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, dtype=np.int64)
    return events[np.argsort(keys, kind="stable")]


def _mbo_events(path: str | os.PathLike[str], tick_size: float, limits: DataSettings) -> np.ndarray:
    messages = dbn_mbo_array(path, tick_size, limits=limits)
    replay = replay_mbo_messages(messages, levels=LEVELS)
    is_trade = np.flatnonzero(messages["action"] == MBO_TRADE)
    trades = np.empty(is_trade.shape[0], dtype=TRADE_DTYPE)
    for name in ("ts_ns", "price_ticks", "size", "side"):
        trades[name] = messages[name][is_trade]
    return _order(_trade_rows(trades, is_trade.astype(np.int64) * _SUB), frame_rows(replay.frames))


def _mbp_events(
    path: str | os.PathLike[str], records: np.ndarray, tick_size: float, *, levels: int
) -> np.ndarray:
    ids = np.unique(records["instrument_id"])
    if ids.shape[0] > 1:
        raise DataError(
            f"{path}: records of {ids.shape[0]} instruments {ids.tolist()}; replay one instrument"
        )
    n = records.shape[0]
    bid_px = np.full((n, levels), NO_PRICE, dtype=np.int64)
    ask_px = np.full((n, levels), NO_PRICE, dtype=np.int64)
    bid_sz = np.zeros((n, levels), dtype=np.int64)
    ask_sz = np.zeros((n, levels), dtype=np.int64)
    for k in range(levels):
        bid_px[:, k] = price_ticks(records[f"bid_px_{k:02d}"], tick_size, path)
        ask_px[:, k] = price_ticks(records[f"ask_px_{k:02d}"], tick_size, path)
        bid_sz[:, k] = records[f"bid_sz_{k:02d}"]
        ask_sz[:, k] = records[f"ask_sz_{k:02d}"]
    frames = frames_from_mbp10(
        records["ts_event"].astype(np.int64), records["flags"], bid_px, bid_sz, ask_px, ask_sz
    )
    action = records["action"].view(np.uint8)
    is_trade = np.flatnonzero(action == MBO_TRADE)
    trades = np.empty(is_trade.shape[0], dtype=TRADE_DTYPE)
    trades["ts_ns"] = records["ts_event"][is_trade].astype(np.int64)
    trades["price_ticks"] = price_ticks(records["price"][is_trade], tick_size, path)
    trades["size"] = records["size"][is_trade]
    side = records["side"][is_trade].view(np.uint8)
    trades["side"] = np.where(side == ord("B"), 1, np.where(side == ord("A"), -1, 0))
    depth = levels > 1
    return _order(
        _trade_rows(trades, is_trade.astype(np.int64) * _SUB), frame_rows(frames, depth=depth)
    )


def frame_rows(frames: BookFrames, *, depth: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(events, ordering keys) turning consecutive book frames into depth updates and quotes.

    Each frame's depth updates are the IB-style operations of `kernels.depth_ops` (deletes, then
    inserts, then size updates, every intermediate book sorted), then a QUOTE when the best bid or
    offer changed and both sides are present. Applied in order to an IB-style position book, the
    updates reproduce every frame exactly.
    """
    parts = [_depth_rows(frames)] if depth else []
    parts.append(_quote_rows(frames))
    events = np.concatenate([p[0] for p in parts])
    keys = np.concatenate([p[1] for p in parts])
    return events, keys


def _depth_rows(frames: BookFrames) -> tuple[np.ndarray, np.ndarray]:
    if frames.levels * OPS_PER_LEVEL + 1 >= _SUB:
        raise DataError(f"books of {frames.levels} levels are deeper than a replay can order")
    ops = _depth_ops(frames.bid_ticks, frames.bid_size, frames.ask_ticks, frames.ask_size)
    f = ops[:, 0]
    out = empty_events(f.shape[0])
    out["ts_ns"] = frames.ts_ns[f]
    out["kind"] = KIND_DEPTH
    out["side"] = np.where(ops[:, 2] == 0, BOOK_BID, BOOK_ASK)
    out["operation"] = ops[:, 3]
    out["position"] = ops[:, 4]
    out["price_ticks"] = ops[:, 5]
    out["size"] = ops[:, 6]
    return out, frames.seq[f] * _SUB + 1 + ops[:, 1]


def _quote_rows(frames: BookFrames) -> tuple[np.ndarray, np.ndarray]:
    bid, ask = frames.bid_ticks[:, 0], frames.ask_ticks[:, 0]
    bid_sz, ask_sz = frames.bid_size[:, 0], frames.ask_size[:, 0]
    both = (bid != NO_PRICE) & (ask != NO_PRICE)
    top = np.stack((bid, bid_sz, ask, ask_sz), axis=1)
    prev = np.vstack((np.full((1, 4), NO_PRICE, dtype=np.int64), top[:-1])) if len(frames) else top
    changed = both & (top != prev).any(axis=1)
    idx = np.flatnonzero(changed)
    out = np.zeros(idx.shape[0], dtype=MARKET_EVENT_DTYPE)
    out["ts_ns"] = frames.ts_ns[idx]
    out["kind"] = KIND_QUOTE
    out["bid_ticks"], out["bid_size"] = bid[idx], bid_sz[idx]
    out["ask_ticks"], out["ask_size"] = ask[idx], ask_sz[idx]
    return out, frames.seq[idx] * _SUB + (_SUB - 1)
