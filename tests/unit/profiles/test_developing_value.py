"""Developing POC/VA (spec §3.2): the incremental form equals the batch value area after every
trade, on synthetic walks and on real ESH4 trades.

Real data: Databento GLBX.MDP3 extract (ESH4, 2023-12-25), published as a test fixture by the
NautilusTrader project (LGPL-3.0 repository).
"""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.readers import dbn_trades_array, read_dbn
from orderflow_lib.profiles import (
    DevelopingValueArea,
    ValueAreaRules,
    VolumeProfile,
    developing_value_areas,
)
from orderflow_lib.profiles.developing import developing_at

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4 = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"


def batch_rows(ticks, sizes, rules, row_ticks=1):
    rows = []
    for i in range(len(ticks)):
        va = VolumeProfile.from_ticks(
            ticks[: i + 1], sizes[: i + 1], row_ticks=row_ticks
        ).value_area(rules=rules)
        rows.append((va.poc_ticks, va.val_ticks, va.vah_ticks, va.volume, va.total))
    return rows


def developing_rows(developing):
    return [
        tuple(int(r[k]) for k in ("poc_ticks", "val_ticks", "vah_ticks", "volume", "total"))
        for r in developing
    ]


@pytest.mark.parametrize("method", ["dual", "single"])
@pytest.mark.parametrize("row_ticks", [1, 3])
def test_developing_when_random_walk_then_equals_batch_after_every_trade(method, row_ticks):
    rng = np.random.default_rng(11 + row_ticks)
    ticks = np.cumsum(rng.integers(-3, 4, 400)) + 20000
    sizes = rng.integers(1, 20, 400)
    rules = ValueAreaRules.make(0.7, method)
    developing = developing_value_areas(ticks, sizes, rules=rules, row_ticks=row_ticks)
    assert developing_rows(developing) == batch_rows(ticks, sizes, rules, row_ticks)


@pytest.mark.realdata
def test_developing_when_real_esh4_hour_then_equals_batch_after_each_of_2973_trades():
    if not ESH4.exists():
        pytest.skip(f"real data missing: {ESH4}")
    trades = dbn_trades_array(ESH4)
    ticks, sizes = trades["price_ticks"], trades["size"]
    developing = developing_value_areas(ticks, sizes, trades["ts_ns"])
    assert len(developing) == 2973
    assert developing_rows(developing) == batch_rows(ticks, sizes, ValueAreaRules())
    final = VolumeProfile.from_trade_array(trades).value_area()
    assert (developing["poc_ticks"][-1], developing["total"][-1]) == (final.poc_ticks, 9892)


@pytest.mark.realdata
def test_developing_live_updates_when_real_esh4_then_same_as_batch_form():
    if not ESH4.exists():
        pytest.skip(f"real data missing: {ESH4}")
    trades = dbn_trades_array(ESH4)[:600]
    live = DevelopingValueArea(capacity_rows=8)
    seen = []
    for ts, tick, size in zip(trades["ts_ns"], trades["price_ticks"], trades["size"], strict=True):
        seen.append(tuple(live.update(int(tick), int(size), int(ts))))
    assert seen == developing_rows(developing_value_areas(trades["price_ticks"], trades["size"]))
    assert live.profile() == VolumeProfile.from_ticks(
        trades["price_ticks"], trades["size"], ts_ns=trades["ts_ns"]
    )
    assert live.value_area().as_of_ns == int(trades["ts_ns"][-1])


def test_developing_when_ladder_must_grow_both_ways_then_results_unchanged():
    ticks = np.array([100, 90, 130, 60, 200, 100, 100, 61])
    sizes = np.array([5, 1, 2, 1, 1, 9, 1, 3])
    live = DevelopingValueArea(capacity_rows=1)
    chunks = [live.update_many(ticks[i : i + 3], sizes[i : i + 3]) for i in range(0, 8, 3)]
    assert developing_rows(np.concatenate(chunks)) == batch_rows(ticks, sizes, ValueAreaRules())


def test_developing_when_no_trade_yet_then_none_and_empty_profile():
    live = DevelopingValueArea()
    assert live.value_area() is None
    assert live.profile().is_empty
    assert len(live.update_many([], [])) == 0


def test_developing_when_trades_out_of_time_order_then_value_error():
    live = DevelopingValueArea()
    live.update(100, 1, 50)
    with pytest.raises(ValueError, match="time order"):
        live.update(100, 1, 40)
    with pytest.raises(ValueError, match="size"):
        live.update(100, 0)


def test_developing_at_when_bar_closes_then_uses_only_earlier_trades():
    m = NS_PER_MINUTE
    developing = developing_value_areas([10, 11, 11], [1, 1, 5], [1 * m, 1 * m + 5, 2 * m])
    frame = developing_at(developing, [1 * m, 2 * m, 3 * m])
    assert frame["trades"].tolist() == [0, 2, 3]
    assert frame["poc_ticks"].isna().tolist() == [True, False, False]
    assert frame["total"].tolist()[1:] == [2, 7]


def test_developing_when_same_trades_replayed_then_identical_sequence():
    rng = np.random.default_rng(3)
    ticks = np.cumsum(rng.integers(-2, 3, 200)) + 500
    sizes = rng.integers(1, 5, 200)
    first = developing_value_areas(ticks, sizes)
    assert np.array_equal(first, developing_value_areas(ticks, sizes))


ESH4_GOLDEN_SHA256 = "094fa6805ad3ff8b48f58731fbc0b5444a6c11bffcdc85283559f08c2ab6fc38"


@pytest.mark.realdata
def test_developing_when_esh4_replayed_then_matches_golden_sequence():
    if not ESH4.exists():
        pytest.skip(f"real data missing: {ESH4}")
    trades = dbn_trades_array(ESH4)
    developing = developing_value_areas(trades["price_ticks"], trades["size"], trades["ts_ns"])
    columns = np.stack(
        [developing[k] for k in ("poc_ticks", "val_ticks", "vah_ticks", "volume", "total")]
    ).astype("<i8")
    assert hashlib.sha256(columns.tobytes()).hexdigest() == ESH4_GOLDEN_SHA256
    last = developing[-1]
    assert (last["poc_ticks"] * 0.25, last["val_ticks"] * 0.25, last["vah_ticks"] * 0.25) == (
        4810.00,
        4807.50,
        4811.00,
    )
    assert (last["volume"], last["total"]) == (7526, 9892)


@pytest.mark.realdata
def test_from_trades_when_read_dbn_decimal_frame_then_same_profile_as_tick_array():
    if not ESH4.exists():
        pytest.skip(f"real data missing: {ESH4}")
    frame = read_dbn(ESH4)
    trades = frame[frame["action"] == "T"]
    decimal = VolumeProfile.from_trades(
        trades["price"], trades["size"], tick_size=0.25, sides=trades["side"], ts_ns=trades["ts"]
    )
    assert decimal == VolumeProfile.from_trade_array(dbn_trades_array(ESH4))
    assert (decimal.buy_volume.sum(), decimal.sell_volume.sum(), decimal.total) == (
        int(trades.loc[trades["side"] == "B", "size"].sum()),
        int(trades.loc[trades["side"] == "A", "size"].sum()),
        9892,
    )
