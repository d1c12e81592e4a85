"""Aggressor classification (spec §7.1): exchange flag, quote rule, Lee-Ready midpoint, tick test."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.flow.aggressor import (
    AggressorClassifier,
    classify_aggressor,
    unknown_share,
    unknown_share_too_high,
)
from orderflow_lib.kernels.flow_aggressor import (
    METHOD_EXCHANGE,
    METHOD_LR_MID,
    METHOD_QUOTE,
    METHOD_TICK,
    NO_PRICE,
)

P = 20000


def test_quote_rule_when_spec_sequence_then_buy_sell_then_sell_after_quote_moves():
    quotes_ts, bid, ask = [0, 30], [P, P + 1], [P + 1, P + 2]

    result = classify_aggressor([10, 20, 40], [P + 1, P, P + 1], quotes_ts, bid, ask)

    assert result.side.tolist() == [1, -1, -1]
    assert result.method.tolist() == [METHOD_QUOTE] * 3


def test_tick_test_when_no_quotes_then_unknown_uptick_zero_uptick_downtick():
    result = classify_aggressor([1, 2, 3, 4], [P, P + 1, P + 1, P], [], [], [])

    assert result.side.tolist() == [0, 1, 1, -1]
    assert result.method.tolist() == [METHOD_TICK] * 4


def test_midpoint_when_inside_spread_then_lee_ready_and_tick_at_mid():
    result = classify_aggressor([1, 2, 3, 4], [P + 3, P + 1, P + 2, P + 2], [0], [P], [P + 4])

    assert result.side.tolist() == [1, -1, 1, 1]
    assert result.method.tolist() == [METHOD_LR_MID, METHOD_LR_MID, METHOD_TICK, METHOD_TICK]


def test_quote_when_crossed_or_locked_then_tick_test_and_counted():
    result = classify_aggressor([1, 2, 11], [P, P + 1, P + 1], [0, 10], [P + 1, P], [P, P])

    assert result.method.tolist() == [METHOD_TICK] * 3
    assert result.side.tolist() == [0, 1, 1]
    assert (result.crossed_quotes, result.locked_quotes, result.unusable_quote_trades) == (1, 1, 3)


def test_quote_when_one_sided_then_tick_test():
    result = classify_aggressor([1], [P], [0], [NO_PRICE], [P + 1])

    assert result.method.tolist() == [METHOD_TICK]
    assert result.unusable_quote_trades == 1


def test_quote_when_same_timestamp_then_sequence_decides_prevalence():
    without = classify_aggressor([5], [P], [5], [P], [P + 1])
    earlier = classify_aggressor([5], [P], [5], [P], [P + 1], trade_seq=[2], quote_seq=[1])

    assert without.method.tolist() == [METHOD_TICK]
    assert earlier.side.tolist() == [-1]


def test_quote_lag_when_quote_too_recent_then_older_quote_prevails():
    result = classify_aggressor(
        [6_000_000], [P + 1], [0, 5_000_000], [P, P + 1], [P + 1, P + 2], quote_lag_ms=2
    )

    assert result.side.tolist() == [1]


def test_exchange_flag_when_present_then_decides_even_unknown():
    result = classify_aggressor([1, 2], [P, P], [0], [P], [P + 1], exchange_side=np.array([1, 0]))

    assert result.side.tolist() == [1, 0]
    assert result.method.tolist() == [METHOD_EXCHANGE, METHOD_EXCHANGE]


def test_methods_when_quote_step_disabled_then_tick_test_decides():
    result = classify_aggressor([1, 2], [P, P + 1], [0], [P], [P + 1], methods=("TICK",))

    assert result.method_counts() == {"TICK": 2}


def test_methods_when_unknown_name_then_value_error():
    with pytest.raises(ValueError, match="aggressor methods must be among"):
        classify_aggressor([1], [P], [], [], [], methods=("GUESS",))


def test_classify_when_sequence_not_increasing_then_value_error():
    with pytest.raises(ValueError, match="feed sequence numbers must increase"):
        classify_aggressor([1, 2], [P, P], [0], [P], [P + 1], trade_seq=[5, 5], quote_seq=[1])


def test_classify_when_trades_out_of_order_then_value_error():
    with pytest.raises(ValueError, match="trade times must be in time order"):
        classify_aggressor([2, 1], [P, P], [], [], [])


def test_incremental_when_random_stream_then_equals_batch():
    rng = np.random.default_rng(3)
    n = 4000
    kinds = rng.integers(0, 2, n)
    ts = np.cumsum(rng.integers(0, 3, n))
    bid = P + rng.integers(-3, 3, n)
    ask = bid + rng.integers(-1, 4, n)
    price = P + rng.integers(-4, 5, n)
    seq = np.arange(n)
    q, t = kinds == 0, kinds == 1
    batch = classify_aggressor(
        ts[t], price[t], ts[q], bid[q], ask[q], trade_seq=seq[t], quote_seq=seq[q], quote_lag_ms=0
    )
    live = AggressorClassifier()
    sides, methods = [], []
    for i in range(n):
        if kinds[i] == 0:
            live.on_quote(int(ts[i]), int(bid[i]), int(ask[i]))
        else:
            s, m = live.on_trade(int(ts[i]), int(price[i]))
            sides.append(s)
            methods.append(m)

    assert sides == batch.side.tolist()
    assert methods == batch.method.tolist()
    assert (live.crossed_quotes, live.locked_quotes) == (batch.crossed_quotes, batch.locked_quotes)
    assert live.unusable_quote_trades == batch.unusable_quote_trades


def test_unknown_share_when_above_one_percent_then_warned_exactly():
    share = unknown_share(np.array([99, 1, 1]), np.array([1, 0, 0]))

    assert share == Fraction(2, 101)
    assert unknown_share_too_high(share)
    assert not unknown_share_too_high(Fraction(1, 100))
