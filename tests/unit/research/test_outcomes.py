"""Forward returns, MFE/MAE and value location of signals, against hand-worked trade tapes."""

from __future__ import annotations

import numpy as np
import pytest

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.research.outcomes import signal_outcomes, value_location

M = NS_PER_MINUTE
TS = np.array([0, 1, 2, 3, 4, 5], dtype=np.int64) * M
PX = np.array([100, 102, 97, 104, 101, 99], dtype=np.int64)


def test_outcomes_when_long_signal_then_signed_returns_and_excursions() -> None:
    out = signal_outcomes(TS, PX, np.array([0]), np.array([1]), [1 * M, 3 * M])

    assert out["entry"].tolist() == [100.0]
    assert out["fwd_0"].tolist() == [2.0]
    assert out["fwd_1"].tolist() == [4.0]
    assert (out["mfe"][0], out["mae"][0]) == (4.0, 3.0)


def test_outcomes_when_short_signal_then_sign_flipped() -> None:
    out = signal_outcomes(TS, PX, np.array([M]), np.array([-1]), [2 * M])

    assert out["entry"].tolist() == [102.0]
    assert out["fwd_0"].tolist() == [-2.0]
    assert (out["mfe"][0], out["mae"][0]) == (5.0, 2.0)


def test_outcomes_when_signal_between_trades_then_entry_is_last_trade_before() -> None:
    out = signal_outcomes(TS, PX, np.array([M + M // 2]), np.array([1]), [M])

    assert out["entry"].tolist() == [102.0]
    assert out["fwd_0"].tolist() == [-5.0]


def test_outcomes_when_horizon_past_last_trade_then_nan() -> None:
    out = signal_outcomes(TS, PX, np.array([4 * M]), np.array([1]), [M, 2 * M])

    assert out["fwd_0"].tolist() == [-2.0]
    assert np.isnan(out["fwd_1"][0]) and np.isnan(out["mfe"][0]) and np.isnan(out["mae"][0])


def test_outcomes_when_neutral_or_before_first_trade_then_nan() -> None:
    out = signal_outcomes(TS + M, PX, np.array([M, 0]), np.array([0, 1]), [M])

    assert out["entry"][0] == 100.0 and np.isnan(out["fwd_0"][0]) and np.isnan(out["mfe"][0])
    assert np.isnan(out["entry"][1]) and np.isnan(out["fwd_0"][1])


def test_outcomes_when_no_trades_then_all_nan() -> None:
    empty = np.empty(0, dtype=np.int64)

    out = signal_outcomes(empty, empty, np.array([0]), np.array([1]), [M])

    assert np.isnan(out["entry"][0]) and np.isnan(out["fwd_0"][0])


def test_outcomes_when_trades_out_of_order_then_refused() -> None:
    with pytest.raises(ValidationError, match="time order"):
        signal_outcomes(TS[::-1], PX, np.array([0]), np.array([1]), [M])


def test_outcomes_when_horizon_not_positive_then_refused() -> None:
    with pytest.raises(ValidationError, match=r"horizons must be > 0 ns, were \[0\]"):
        signal_outcomes(TS, PX, np.array([0]), np.array([1]), [0])


def test_value_location_when_edges_then_inside_and_unknown_marked() -> None:
    where = value_location(
        np.array([10, 20, 21, 9, 15]),
        np.full(5, 10),
        np.full(5, 20),
        np.array([True, True, True, True, False]),
    )

    assert where.tolist() == ["IN_VALUE", "IN_VALUE", "ABOVE_VALUE", "BELOW_VALUE", "NO_VALUE"]
