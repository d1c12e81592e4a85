"""Delta and cumulative delta (spec §7.3): delta = sum of side x size (buys +, sells -, unknown 0);
CD restarts at 0 at each anchor (the trade date's Globex open by default, `orderflow.cd_anchor`;
the caller passes anchor times from the session calendar). Per-bar CD candles are in `candles`."""

from __future__ import annotations

import numpy as np

from orderflow_lib.flow.bars import anchor_array
from orderflow_lib.flow.trades import TradeArrays


def trade_delta(trades: TradeArrays) -> np.ndarray:
    """Signed size of each trade: +size buy, -size sell, 0 unknown."""
    return trades.side.astype(np.int64) * trades.size


def cumulative_delta(
    trades: TradeArrays, anchors_ns: np.ndarray | list[int] | None = None
) -> np.ndarray:
    """CD after each trade, restarting at 0 at each anchor (batch form)."""
    delta = trade_delta(trades)
    cd = np.cumsum(delta)
    anchors = anchor_array(anchors_ns)
    if anchors.size == 0 or cd.size == 0:
        return cd
    segment = np.searchsorted(anchors, trades.ts_ns, side="right")
    starts = np.flatnonzero(np.concatenate(([True], segment[1:] != segment[:-1])))
    before = np.concatenate(([0], cd))[starts]
    return cd - np.repeat(before, np.diff(np.concatenate((starts, [cd.size]))))
