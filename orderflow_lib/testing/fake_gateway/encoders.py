"""One function per server-to-client TWS message; each returns the message's fields (id first).

Layouts follow ib_async 2.1's Decoder for server versions 157..178 (see spec/ibkr.md §3.2); the
unit tests feed every encoder's output back through that Decoder.
"""

from __future__ import annotations

from collections.abc import Sequence

from orderflow_lib.testing.fake_gateway.state import (
    ContractSpec,
    ExecutionRecord,
    OrderRecord,
    Position,
)

Fields = list[object]
UNSET_DOUBLE_TEXT = "1.7976931348623157E308"


def _contract11(c: ContractSpec, sec_type: str | None = None) -> Fields:
    """The 11-field contract block of server messages (no primaryExchange)."""
    return [
        c.con_id,
        c.symbol,
        sec_type or c.sec_type,
        c.last_trade_date,
        0.0,
        "",
        c.multiplier,
        c.exchange,
        c.currency,
        c.local_symbol,
        c.trading_class,
    ]


def tick_price(
    req_id: int, tick_type: int, price: float, size: float, attr_mask: int = 0
) -> Fields:
    """msg 1: an L1 price (1 bid, 2 ask, 4 last, 6 high, 7 low, 9 close, 14 open) with its size."""
    return [1, 6, req_id, tick_type, price, size, attr_mask]


def tick_size(req_id: int, tick_type: int, size: float) -> Fields:
    """msg 2: an L1 size (0 bid, 3 ask, 5 last, 8 volume)."""
    return [2, 6, req_id, tick_type, size]


def order_status(order: OrderRecord) -> Fields:
    """msg 3: status, filled/remaining and prices of an order (keyed by clientId + orderId)."""
    return [
        3,
        order.order_id,
        order.status,
        order.filled,
        order.remaining,
        order.avg_fill_price,
        order.perm_id,
        order.parent_id,
        order.last_fill_price,
        order.client_id,
        "",
        0.0,
    ]


def error(server_version: int, req_id: int, code: int, message: str) -> Fields:
    """msg 4: an error or system message; reqId -1 means not tied to a request."""
    fields: Fields = [4, 2, req_id, code, message]
    if server_version >= 166:
        fields.append("")
    return fields


def open_order(server_version: int, order: OrderRecord) -> Fields:
    """msg 5: the full order description with its state (layout of ib_async's Decoder.openOrder)."""
    f: Fields = [5, order.order_id, *_contract11(order.contract)]
    f += [
        order.action,
        order.quantity,
        order.order_type,
        order.lmt_price,
        order.aux_price,
        order.tif,
        order.oca_group,
        order.account,
        "",
        0,
        order.order_ref,
        order.client_id,
        order.perm_id,
        order.outside_rth,
        0,
        0.0,
        "",
        "",
        "",
        "",
        "",
    ]
    if server_version < 177:
        f.append("")
    f += [
        "",
        "",
        "",
        "",
        "",
        0,
        "",
        -1,
        0,
        "",
        "",
        "",
        "",
        "",
        0,
        0,
        0,
        0,
        "",
        order.oca_type,
        0,
        0,
        "",
        order.parent_id,
        0,
        "",
        0,
        "",
        "",
    ]
    f += [0, 0, "", "", "", "", ""]
    f += [0, 0, 0]
    f += ["", "", ""]
    f += [""]
    f += [0, "", "", 0, 0]
    f += [""]
    f += [0, 0, order.status, "", "", "", "", "", "", "", "", "", "", "", "", "", "", 0, 0]
    f += [0]
    f += ["", "", "", "", "", "", "", 0, "", "", "", "", 0, 0, "", 0]
    if server_version >= 159:
        f.append("")
    if server_version >= 160:
        f.append("")
    if server_version >= 162:
        f.append(0)
    if server_version >= 170:
        f += ["", "", "", "", ""]
    return f


def account_value(key: str, value: str, currency: str, account: str) -> Fields:
    """msg 6: one reqAccountUpdates value."""
    return [6, 2, key, value, currency, account]


def portfolio_value(position: Position, market_price: float, account: str) -> Fields:
    """msg 7: one portfolio line (position, market price/value, average cost, P&L)."""
    c = position.contract
    market_value = position.quantity * market_price * float(c.multiplier)
    unrealized = market_value - position.quantity * position.avg_cost
    return [
        7,
        8,
        c.con_id,
        c.symbol,
        c.sec_type,
        c.last_trade_date,
        0.0,
        "",
        c.multiplier,
        "",
        c.currency,
        c.local_symbol,
        c.trading_class,
        position.quantity,
        market_price,
        market_value,
        position.avg_cost,
        unrealized,
        0.0,
        account,
    ]


def account_update_time(hhmm: str) -> Fields:
    """msg 8: time of the last account update."""
    return [8, 1, hhmm]


def next_valid_id(order_id: int) -> Fields:
    """msg 9: the next order id the client may use."""
    return [9, 1, order_id]


def contract_details(
    server_version: int,
    req_id: int,
    c: ContractSpec,
    *,
    sec_type: str | None,
    trading_hours: str,
    liquid_hours: str,
) -> Fields:
    """msg 10: full contract details of one contract (``sec_type`` overrides e.g. as CONTFUT)."""
    f: Fields = [10]
    if server_version < 164:
        f.append(8)
    f += [
        req_id,
        c.symbol,
        sec_type or c.sec_type,
        c.last_trade_date,
        0.0,
        "",
        c.exchange,
        c.currency,
        c.local_symbol,
        c.symbol,
        c.trading_class,
        c.con_id,
        c.min_tick,
    ]
    if server_version < 164:
        f.append(1)
    f += [
        c.multiplier,
        "ACTIVETIM,ADJUST,ALERT,LMT,MKT,STP,STPLMT,TRAIL",
        "CME,QBALGO",
        1,
        0,
        c.long_name,
        "",
        c.contract_month,
        "",
        "",
        "",
        c.time_zone_id,
        trading_hours,
        liquid_hours,
        "",
        "",
        0,
        1,
        c.symbol,
        "IND",
        "67,67",
        c.last_trade_date,
        "",
    ]
    if server_version == 163:
        f.append(1)
    if server_version >= 164:
        f += [1, 1, 1]
    return f


def exec_details(server_version: int, req_id: int, ex: ExecutionRecord) -> Fields:
    """msg 11: one execution (reqId -1 for live fills, the request's id for reqExecutions)."""
    o = ex.order
    f: Fields = [
        11,
        req_id,
        o.order_id,
        *_contract11(o.contract),
        ex.exec_id,
        ex.time_text,
        o.account,
        o.contract.exchange,
        ex.side,
        ex.shares,
        ex.price,
        o.perm_id,
        o.client_id,
        0,
        ex.cum_qty,
        ex.avg_price,
        o.order_ref,
        "",
        "",
        "",
        1,
    ]
    if server_version >= 178:
        f.append(0)
    return f


def update_mkt_depth(
    req_id: int, position: int, operation: int, side: int, price: float, size: float
) -> Fields:
    """msg 12: one L2 row change (operation 0 insert/1 update/2 delete; side 0 ask/1 bid)."""
    return [12, 1, req_id, position, operation, side, price, size]


def update_mkt_depth_l2(
    req_id: int,
    position: int,
    market_maker: str,
    operation: int,
    side: int,
    price: float,
    size: float,
    is_smart_depth: bool,
) -> Fields:
    """msg 13: one L2 row change with market maker (always used for smart depth)."""
    return [13, 1, req_id, position, market_maker, operation, side, price, size, is_smart_depth]


def managed_accounts(accounts: Sequence[str]) -> Fields:
    """msg 15: the accounts this login manages."""
    return [15, 1, ",".join(accounts)]


def historical_data(
    req_id: int,
    start_text: str,
    end_text: str,
    bars: Sequence[tuple[str, float, float, float, float, float, float, int]],
) -> Fields:
    """msg 17: historical bars (date, open, high, low, close, volume, WAP, count) of a request."""
    f: Fields = [17, req_id, start_text, end_text, len(bars)]
    for bar in bars:
        f += list(bar)
    return f


def current_time(epoch_s: int) -> Fields:
    """msg 49: the server clock in epoch seconds."""
    return [49, 1, epoch_s]


def contract_details_end(req_id: int) -> Fields:
    """msg 52: end of contract details for a request."""
    return [52, 1, req_id]


def open_order_end() -> Fields:
    """msg 53: end of the open-order list."""
    return [53, 1]


def account_download_end(account: str) -> Fields:
    """msg 54: end of the account-updates download."""
    return [54, 1, account]


def exec_details_end(req_id: int) -> Fields:
    """msg 55: end of the executions of a reqExecutions."""
    return [55, 1, req_id]


def market_data_type(req_id: int, data_type: int) -> Fields:
    """msg 58: which data a market-data request gets (1 live, 2 frozen, 3 delayed, 4 delayed-frozen)."""
    return [58, 1, req_id, data_type]


def commission_report(ex: ExecutionRecord) -> Fields:
    """msg 59: commission of one execution (yield fields unset)."""
    return [
        59,
        1,
        ex.exec_id,
        ex.commission,
        ex.commission_currency,
        UNSET_DOUBLE_TEXT,
        UNSET_DOUBLE_TEXT,
        "",
    ]


def position(account: str, pos: Position) -> Fields:
    """msg 61: one position with IB's average cost (price times multiplier)."""
    return [61, 3, account, *_contract11(pos.contract), pos.quantity, pos.avg_cost]


def position_end() -> Fields:
    """msg 62: end of the position list."""
    return [62, 1]


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> Fields:
    """msg 63: one account-summary row."""
    return [63, 1, req_id, account, tag, value, currency]


def account_summary_end(req_id: int) -> Fields:
    """msg 64: end of an account-summary request."""
    return [64, 1, req_id]


def account_update_multi(req_id: int, account: str, key: str, value: str, currency: str) -> Fields:
    """msg 73: one reqAccountUpdatesMulti value."""
    return [73, 1, req_id, account, "", key, value, currency]


def account_update_multi_end(req_id: int) -> Fields:
    """msg 74: end of a reqAccountUpdatesMulti download."""
    return [74, 1, req_id]


def tick_req_params(
    req_id: int, min_tick: float, bbo_exchange: str = "", permissions: int = 3
) -> Fields:
    """msg 81: tick parameters sent right after a market-data request."""
    return [81, req_id, min_tick, bbo_exchange, permissions]


def pnl(req_id: int, daily: float, unrealized: float, realized: float) -> Fields:
    """msg 94: account P&L (base currency)."""
    return [94, req_id, daily, unrealized, realized]


def tick_by_tick_last(
    req_id: int,
    tick_type: int,
    epoch_s: int,
    price: float,
    size: float,
    exchange: str = "CME",
    mask: int = 0,
    special: str = "",
) -> Fields:
    """msg 99 type 1 (Last) or 2 (AllLast): one trade print with its exchange time in seconds."""
    return [99, req_id, tick_type, epoch_s, price, size, mask, exchange, special]


def tick_by_tick_bid_ask(
    req_id: int,
    epoch_s: int,
    bid: float,
    ask: float,
    bid_size: float,
    ask_size: float,
    mask: int = 0,
) -> Fields:
    """msg 99 type 3 (BidAsk): one best bid/offer change with its exchange time in seconds."""
    return [99, req_id, 3, epoch_s, bid, ask, bid_size, ask_size, mask]


def completed_orders_end() -> Fields:
    """msg 102: end of the completed-order list."""
    return [102]
