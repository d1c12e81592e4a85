"""One-line facts about a synthetic session, for the demo, notebooks and acceptance checks."""

from __future__ import annotations

from datetime import time
from typing import Any

import numpy as np

from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.market.synthetic.generator import SyntheticSession

RTH_OPEN = time(9, 30)


def session_summary(session: SyntheticSession) -> dict[str, Any]:
    """Counts, aggressor volumes and price extremes (ticks) of the session, its RTH and its ON part.

    ON is `[Globex open, RTH open)`; without RTH it ends at 09:30 ET or the Globex close, whichever
    is first (as the calendar's ETH window). RTH fields are None without an RTH session, and price
    fields None when their part has no trades.
    """
    trades = session.trades
    windows = session.windows
    on_end = (
        windows.rth_open_ns
        if windows.rth_open_ns is not None
        else min(ny_to_ns(session.trade_date, RTH_OPEN), windows.close_ns)
    )
    ts = trades["ts_ns"]
    on = trades[ts < on_end]
    rth = (
        trades[(ts >= windows.rth_open_ns) & (ts < windows.rth_close_ns)]
        if windows.rth_open_ns is not None and windows.rth_close_ns is not None
        else trades[:0]
    )
    buy = trades["side"] > 0
    sell = trades["side"] < 0
    summary: dict[str, Any] = {
        "trade_date": session.trade_date,
        "day_type": str(session.day_type),
        "source": session.source,
        "seed": session.seed,
        "trades": int(trades.size),
        "contracts": int(trades["size"].sum()),
        "buy_volume": int(trades["size"][buy].sum()),
        "sell_volume": int(trades["size"][sell].sum()),
        "quote_updates": int(session.quotes.size),
        "depth_updates": int(session.depth.size),
        "absorption_episodes": len(session.absorptions),
    }
    summary.update(_ohlc("", trades))
    summary.update(_range("rth_", rth))
    summary["rth_volume"] = int(rth["size"].sum()) if windows.has_rth else None
    summary.update({k: v for k, v in _range("on_", on).items() if k != "on_range_ticks"})
    summary["on_volume"] = int(on["size"].sum())
    return summary


def _ohlc(prefix: str, trades: np.ndarray) -> dict[str, int | None]:
    prices = trades["price_ticks"]
    if prices.size == 0:
        return {f"{prefix}{name}_ticks": None for name in ("open", "high", "low", "close")}
    return {
        f"{prefix}open_ticks": int(prices[0]),
        f"{prefix}high_ticks": int(prices.max()),
        f"{prefix}low_ticks": int(prices.min()),
        f"{prefix}close_ticks": int(prices[-1]),
    }


def _range(prefix: str, trades: np.ndarray) -> dict[str, int | None]:
    prices = trades["price_ticks"]
    if prices.size == 0:
        return {f"{prefix}{name}_ticks": None for name in ("high", "low", "range")}
    high, low = int(prices.max()), int(prices.min())
    return {
        f"{prefix}high_ticks": high,
        f"{prefix}low_ticks": low,
        f"{prefix}range_ticks": high - low,
    }
