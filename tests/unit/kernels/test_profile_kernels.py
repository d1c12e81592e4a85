"""Profile kernels against plain-Python references: empty, one row, equal prices, gaps, ties."""

from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.kernels.profile_developing import PARAMS_SIZE, STATE_SIZE, _developing
from orderflow_lib.kernels.profile_ladder import (
    _accumulate,
    _accumulate_sided,
    _first_bad_bar,
    _first_below,
    _prices_to_ticks,
    _spread_bars,
    _tick_range,
)
from orderflow_lib.kernels.profile_tpo import _period_ranges, _tpo_counts
from orderflow_lib.kernels.profile_value_area import (
    POC_CENTRE_ROWS,
    POC_CENTRE_TRADES,
    POC_HIGHEST,
    POC_LOWEST,
    TIE_BOTH,
    TIE_DOWN,
    TIE_UP,
    _poc,
    _target,
    _value_area,
)

I64 = np.int64


def a(values):
    return np.asarray(values, dtype=I64)


# ----------------------------------------------------------------- plain references
def ref_poc(v, rule, final_higher, base_row=0, row_ticks=1, low=0, high=0):
    best_value = max(v)
    tied = [i for i, x in enumerate(v) if x == best_value]
    if rule == POC_LOWEST:
        return tied[0]
    if rule == POC_HIGHEST:
        return tied[-1]
    n = len(v)

    def key(i):
        if rule == POC_CENTRE_ROWS:
            return abs(2 * i - (n - 1))
        centre_twice = 2 * (base_row + i) * row_ticks + row_ticks - 1
        return abs(centre_twice - high - low)

    nearest = min(key(i) for i in tied)
    closest = [i for i in tied if key(i) == nearest]
    return closest[-1] if final_higher else closest[0]


def ref_value_area(v, poc, pct, width, tie):
    total = sum(v)
    lo = hi = poc
    acc = v[poc]
    while Fraction(acc) < pct * total and (hi < len(v) - 1 or lo > 0):
        up = v[hi + 1 : min(hi + width, len(v) - 1) + 1]
        down = v[max(lo - width, 0) : lo]
        su = sum(up) if up else None
        sd = sum(down) if down else None
        take_up = sd is None or (su is not None and su > sd)
        take_down = su is None or (sd is not None and sd > su)
        if su is not None and sd is not None and su == sd:
            take_up = tie in (TIE_BOTH, TIE_UP)
            take_down = tie in (TIE_BOTH, TIE_DOWN)
        if take_up:
            hi += len(up)
            acc += su
        if take_down:
            lo -= len(down)
            acc += sd
    return lo, hi, acc, total


LADDERS = [
    [7],
    [3, 3, 3, 3],
    [10, 15, 30, 50, 80, 100, 60, 40, 20, 10, 5],
    [5, 10, 20, 40, 80, 100, 0, 0, 0, 40, 15, 5],
    [5, 0, 0, 0, 0, 0, 5],
    [0, 0, 9, 0, 0],
    [50, 1, 1, 1, 50],
    [10, 25, 15, 100, 20, 20, 10],
]


@pytest.mark.parametrize("ladder", LADDERS)
@pytest.mark.parametrize("pct", [Fraction(7, 10), Fraction(1), Fraction(1, 100), Fraction(17, 25)])
@pytest.mark.parametrize("width", [1, 2])
@pytest.mark.parametrize("tie", [TIE_BOTH, TIE_UP, TIE_DOWN])
def test_value_area_kernel_when_edge_ladders_then_matches_reference(ladder, pct, width, tie):
    v = a(ladder)
    poc = ref_poc(ladder, POC_CENTRE_ROWS, False)
    got = _value_area(v, poc, pct.numerator, pct.denominator, width, tie)
    assert tuple(int(x) for x in got) == ref_value_area(ladder, poc, pct, width, tie)


def test_value_area_kernel_when_random_ladders_then_matches_reference():
    rng = np.random.default_rng(7)
    for _ in range(400):
        ladder = [int(x) for x in rng.integers(0, 6, int(rng.integers(1, 30)))]
        if sum(ladder) == 0:
            continue
        pct = Fraction(int(rng.integers(1, 101)), 100)
        width = int(rng.integers(1, 3))
        tie = int(rng.integers(0, 3))
        poc = ref_poc(ladder, POC_CENTRE_ROWS, False)
        got = _value_area(a(ladder), poc, pct.numerator, pct.denominator, width, tie)
        assert tuple(int(x) for x in got) == ref_value_area(ladder, poc, pct, width, tie)


@pytest.mark.parametrize("ladder", LADDERS)
@pytest.mark.parametrize("rule", [POC_CENTRE_ROWS, POC_LOWEST, POC_HIGHEST])
@pytest.mark.parametrize("final_higher", [False, True])
def test_poc_kernel_when_ties_then_matches_reference(ladder, rule, final_higher):
    v = a(ladder)
    got = _poc(v, v, False, rule, final_higher, 0, 1, 0, 0)
    assert got == ref_poc(ladder, rule, final_higher)


def test_poc_kernel_when_trades_basis_then_measures_row_centre_against_traded_mid():
    v = a([4, 9, 1, 9])
    # rows of 3 ticks from tick 30: centres 31, 34, 37, 40; traded 30..38 -> mid 34
    got = _poc(v, v, False, POC_CENTRE_TRADES, False, 10, 3, 30, 38)
    assert got == ref_poc([4, 9, 1, 9], POC_CENTRE_TRADES, False, 10, 3, 30, 38) == 1


def test_poc_kernel_when_secondary_given_then_it_breaks_primary_ties_first():
    primary = a([2, 5, 1, 5, 2])
    secondary = a([0, 10, 0, 30, 0])
    assert _poc(primary, secondary, True, POC_CENTRE_ROWS, False, 0, 1, 0, 0) == 3
    assert _poc(primary, secondary, False, POC_CENTRE_ROWS, False, 0, 1, 0, 0) == 1


@pytest.mark.parametrize(
    ("total", "pct"),
    [
        (150, Fraction(17, 25)),
        (420, Fraction(7, 10)),
        (0, Fraction(7, 10)),
        (1, Fraction(1, 3)),
        (10**15 + 7, Fraction(123456789, 2**31 - 1)),
    ],
)
def test_target_when_exact_fraction_then_smallest_integer_reaching_it(total, pct):
    target = int(_target(total, pct.numerator, pct.denominator))
    assert target >= pct * total
    assert target - 1 < pct * total


def test_prices_to_ticks_when_on_grid_then_nearest_tick_else_first_bad_index():
    out = np.empty(3, dtype=I64)
    assert _prices_to_ticks(np.array([5000.0, 5000.25, -0.5]), 0.25, 1e-6, out) == -1
    assert out.tolist() == [20000, 20001, -2]
    assert _prices_to_ticks(np.array([1.0, 1.1, np.nan]), 0.25, 1e-6, out) == 1
    assert _prices_to_ticks(np.array([np.nan]), 0.25, 1e-6, out) == 0


def test_tick_range_and_first_below_when_edge_arrays_then_match_python():
    assert tuple(_tick_range(a([5]))) == (5, 5)
    assert tuple(_tick_range(a([3, -2, 9, 9, -2]))) == (-2, 9)
    assert _first_below(a([]), 1) == -1
    assert _first_below(a([2, 1, 0, -1]), 1) == 2


@pytest.mark.parametrize("row_ticks", [1, 2, 3])
def test_accumulate_when_rows_of_several_ticks_then_matches_python_grouping(row_ticks):
    ticks = a([-5, -4, -1, 0, 0, 3, 7, 7])
    sizes = a([1, 2, 3, 4, 5, 6, 7, 8])
    sides = np.array([1, -1, 0, 1, 1, -1, -1, 1], dtype=np.int8)
    base = -5 // row_ticks
    n = 7 // row_ticks - base + 1
    volume, buy, sell, plain = (np.zeros(n, dtype=I64) for _ in range(4))
    _accumulate(ticks, sizes, base, row_ticks, plain)
    _accumulate_sided(ticks, sizes, sides, base, row_ticks, volume, buy, sell)
    expected = [0] * n
    expected_buy = [0] * n
    expected_sell = [0] * n
    for t, s, side in zip(ticks.tolist(), sizes.tolist(), sides.tolist(), strict=True):
        row = t // row_ticks - base
        expected[row] += s
        expected_buy[row] += s if side > 0 else 0
        expected_sell[row] += s if side < 0 else 0
    assert plain.tolist() == volume.tolist() == expected
    assert buy.tolist() == expected_buy
    assert sell.tolist() == expected_sell


def ref_spread(lows, highs, closes, volumes):
    ladder = {}
    for low, high, close, volume in zip(lows, highs, closes, volumes, strict=True):
        ticks = list(range(low, high + 1))
        share, extra = divmod(volume, len(ticks))
        for t in ticks:
            ladder[t] = ladder.get(t, 0) + share
        order = sorted(ticks, key=lambda t: (abs(t - close), t))
        for t in order[:extra]:
            ladder[t] += 1
    return ladder


def test_spread_bars_when_remainders_then_go_to_ticks_nearest_close_lower_first():
    lows, highs, closes, volumes = (
        a([10, 10, 12, 11]),
        a([14, 10, 13, 15]),
        a([12, 10, 13, 11]),
        a([13, 4, 7, 0]),
    )
    out = np.zeros(6, dtype=I64)
    _spread_bars(lows, highs, closes, volumes, 10, 1, out)
    expected = ref_spread(lows.tolist(), highs.tolist(), closes.tolist(), volumes.tolist())
    assert out.tolist() == [expected.get(t, 0) for t in range(10, 16)]
    assert out.sum() == volumes.sum()


def test_first_bad_bar_when_close_outside_range_then_its_index():
    opens, highs, lows, closes, volumes = (
        a([5, 5, 5]),
        a([6, 6, 6]),
        a([4, 4, 4]),
        a([5, 7, 5]),
        a([1, 1, 1]),
    )
    assert _first_bad_bar(opens, highs, lows, closes, volumes) == 1
    assert _first_bad_bar(opens, highs, lows, a([5, 5, 5]), a([1, 1, -1])) == 2
    assert _first_bad_bar(opens, highs, lows, a([5, 5, 5]), volumes) == -1


def test_period_ranges_when_prints_inside_outside_and_at_edges_then_half_open():
    starts, ends = a([100, 200, 300]), a([200, 300, 350])
    ts = a([99, 100, 150, 199, 200, 350, 360, 320])
    ticks = a([1, 5, 7, 3, 9, 50, 60, 4])
    low = np.full(3, np.iinfo(I64).max, dtype=I64)
    high = np.full(3, np.iinfo(I64).min, dtype=I64)
    inside = _period_ranges(ts, ticks, ticks, starts, ends, low, high)
    assert inside == 5
    assert low.tolist() == [3, 9, 4]
    assert high.tolist() == [7, 9, 4]


def test_tpo_counts_when_unprinted_period_then_it_adds_nothing():
    out = np.zeros(5, dtype=I64)
    _tpo_counts(a([0, 1, 3, 4]), a([2, 4, 3, 4]), np.array([True, True, False, True]), out)
    expected = [0] * 5
    for lo, hi, printed in [(0, 2, True), (1, 4, True), (3, 3, False), (4, 4, True)]:
        for r in range(lo, hi + 1):
            expected[r] += printed
    assert out.tolist() == expected


def run_developing(ticks, sizes, width, tie, pct=Fraction(7, 10)):
    base = int(ticks.min())
    n_rows = int(ticks.max()) - base + 1
    params = a([base, 1, pct.numerator, pct.denominator, width, tie, POC_CENTRE_ROWS, 0])
    assert params.size == PARAMS_SIZE
    volumes = np.zeros(n_rows, dtype=I64)
    state = np.zeros(STATE_SIZE, dtype=I64)
    path = np.zeros((3, n_rows + 1), dtype=I64)
    out = np.zeros((5, ticks.size), dtype=I64)
    _developing(ticks, sizes, params, volumes, state, path, out)
    return base, out


@pytest.mark.parametrize("width", [1, 2])
@pytest.mark.parametrize("tie", [TIE_BOTH, TIE_UP, TIE_DOWN])
def test_developing_kernel_when_random_walk_then_equals_reference_after_every_trade(width, tie):
    rng = np.random.default_rng(width * 10 + tie)
    ticks = a(np.cumsum(rng.integers(-2, 3, 300)) + 500)
    sizes = a(rng.integers(1, 8, 300))
    base, out = run_developing(ticks, sizes, width, tie)
    for i in range(ticks.size):
        low, high = int(ticks[: i + 1].min()), int(ticks[: i + 1].max())
        ladder = [0] * (high - low + 1)
        for t, s in zip(ticks[: i + 1].tolist(), sizes[: i + 1].tolist(), strict=True):
            ladder[t - low] += s
        poc = ref_poc(ladder, POC_CENTRE_ROWS, False)
        lo, hi, acc, total = ref_value_area(ladder, poc, Fraction(7, 10), width, tie)
        got = [int(x) for x in out[:, i]]
        assert got == [poc + low - base, lo + low - base, hi + low - base, acc, total], i


def test_developing_kernel_when_one_trade_or_equal_prices_then_single_row_value():
    _, out = run_developing(a([42, 42, 42]), a([1, 2, 3]), 2, TIE_BOTH)
    assert out[:, 2].tolist() == [0, 0, 0, 6, 6]
    _, out = run_developing(a([7]), a([5]), 2, TIE_BOTH)
    assert out[:, 0].tolist() == [0, 0, 0, 5, 5]
