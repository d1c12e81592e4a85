"""A tap on ib_async's wrapper callbacks that hands raw values, keyed by request id, to our streams.

ib_async stamps tick-by-tick ticks with the local arrival time; the exchange time IB sends (epoch
seconds) is only passed to the wrapper callback. The tap wraps those callbacks on the one `IB`
instance (the original still runs first), so timestamps are converted once, from the wire value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ib_async import IB

AllLastHandler = Callable[[int, float, float], None]
BidAskHandler = Callable[[int, float, float, float, float], None]
PriceHandler = Callable[[int, float, float], None]
SizeHandler = Callable[[int, float], None]
DepthHandler = Callable[[int, int, int, float, float], None]


class WireTap:
    """Routes wrapper callbacks by reqId: AllLast/Last trades, BidAsk quotes, L1 ticks and depth."""

    def __init__(self, ib: IB) -> None:
        self.all_last: dict[int, AllLastHandler] = {}
        self.bid_ask: dict[int, BidAskHandler] = {}
        self.price: dict[int, PriceHandler] = {}
        self.size: dict[int, SizeHandler] = {}
        self.depth: dict[int, DepthHandler] = {}
        wrapper = ib.wrapper
        self._wrap(wrapper, "tickByTickAllLast", self._on_all_last)
        self._wrap(wrapper, "tickByTickBidAsk", self._on_bid_ask)
        self._wrap(wrapper, "priceSizeTick", self._on_price)
        self._wrap(wrapper, "tickSize", self._on_size)
        self._wrap(wrapper, "updateMktDepthL2", self._on_depth)

    @staticmethod
    def _wrap(wrapper: Any, name: str, tap: Callable[..., None]) -> None:
        original = getattr(wrapper, name)

        def tapped(*args: Any, **kwargs: Any) -> None:
            original(*args, **kwargs)
            tap(*args, **kwargs)

        setattr(wrapper, name, tapped)

    def forget(self, req_id: int) -> None:
        """Stop routing a request id (after a cancel or a reconnect)."""
        for routes in (self.all_last, self.bid_ask, self.price, self.size, self.depth):
            routes.pop(req_id, None)

    def _on_all_last(
        self, req_id: int, _tick_type: int, time: int, price: float, size: float, *_rest: Any
    ) -> None:
        handler = self.all_last.get(req_id)
        if handler is not None:
            handler(time, price, size)

    def _on_bid_ask(
        self,
        req_id: int,
        time: int,
        bid: float,
        ask: float,
        bid_size: float,
        ask_size: float,
        *_rest: Any,
    ) -> None:
        handler = self.bid_ask.get(req_id)
        if handler is not None:
            handler(time, bid, ask, bid_size, ask_size)

    def _on_price(self, req_id: int, tick_type: int, price: float, size: float) -> None:
        handler = self.price.get(req_id)
        if handler is not None:
            handler(tick_type, price, size)

    def _on_size(self, req_id: int, tick_type: int, size: float) -> None:
        handler = self.size.get(req_id)
        if handler is not None:
            handler(tick_type, size)

    def _on_depth(
        self,
        req_id: int,
        position: int,
        _market_maker: str,
        operation: int,
        side: int,
        price: float,
        size: float,
        *_rest: Any,
    ) -> None:
        handler = self.depth.get(req_id)
        if handler is not None:
            handler(position, operation, side, price, size)


_TAP_ATTRIBUTE = "_orderflow_wire_tap"


def tap_for(ib: IB) -> WireTap:
    """The one WireTap of an IB instance (installed on first use, kept on its wrapper)."""
    tap = getattr(ib.wrapper, _TAP_ATTRIBUTE, None)
    if not isinstance(tap, WireTap):
        tap = WireTap(ib)
        setattr(ib.wrapper, _TAP_ATTRIBUTE, tap)
    return tap
