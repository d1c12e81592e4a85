"""Evidence weighting (spec §6): exact 9/10 threshold, the static gate, and the component scores."""

from fractions import Fraction

import pytest

from orderflow_lib.core.config import WeightSettings
from orderflow_lib.flow.rhythm import RhythmCondition as Rhythm
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.plan.kinds import Family
from orderflow_lib.strategy.scoring import HALF, dynamic_score, orderflow_score, score_entry

H = Fraction(1, 2)


@pytest.mark.parametrize(
    ("components", "score", "entry"),
    [
        ((1, H, 1), Fraction(9, 10), True),
        ((1, H, H), Fraction(85, 100), False),
        ((1, 1, 0), Fraction(9, 10), True),
        ((0, 1, 1), Fraction(3, 10), False),
    ],
)
def test_score_entry_when_spec_cases_then_exact_scores(components, score, entry):
    result = score_entry(*components)
    assert result.score == score
    assert result.entry is entry


def test_score_entry_when_float_half_given_then_read_exactly():
    assert score_entry(1, 0.5, 1).entry


def test_score_entry_when_course_weights_then_normalised_by_their_sum():
    result = score_entry(1, 1, 0, WeightSettings(static=0.70, dynamic=0.20, orderflow=0.05))
    assert result.score == Fraction(18, 19)
    assert result.entry


def test_score_entry_when_component_not_a_third_value_then_refused():
    with pytest.raises(ValueError, match="s_dynamic must be 0, 1/2 or 1"):
        score_entry(1, 0.3, 1)


def test_score_entry_when_weights_all_zero_then_refused():
    with pytest.raises(ValueError, match="must be > 0"):
        score_entry(1, 1, 1, WeightSettings(static=0, dynamic=0, orderflow=0))


def test_dynamic_score_when_directional_long_and_imbalanced_up_then_in_favour():
    assert dynamic_score(1, Family.DIRECTIONAL_BULLISH, Rhythm.IMBALANCED_UP, 0) == 1
    assert dynamic_score(1, Family.DIRECTIONAL_BULLISH, Rhythm.IMBALANCED_DOWN, 0) == 0
    assert dynamic_score(1, Family.DIRECTIONAL_BULLISH, None, 0) == HALF
    assert dynamic_score(1, Family.DIRECTIONAL_BULLISH, None, 3) == 1
    assert dynamic_score(-1, Family.DIRECTIONAL_BEARISH, Rhythm.REVERSAL, 0) == 0


def test_dynamic_score_when_rotational_fade_then_balance_favours_and_breakout_opposes():
    assert dynamic_score(-1, Family.ROTATIONAL, Rhythm.BALANCED, 0) == 1
    assert dynamic_score(-1, Family.ROTATIONAL, Rhythm.BREAKOUT, 0) == 0
    assert dynamic_score(-1, Family.ROTATIONAL, Rhythm.IMBALANCED_UP, 0) == 0
    assert dynamic_score(-1, Family.ROTATIONAL, Rhythm.IMBALANCED_DOWN, 0) == HALF


def _sig(kind, ts, price=100, direction=1):
    return Signal(ts, kind, direction, price, 1.0)


def test_orderflow_score_when_confirming_event_at_the_zone_in_time_then_one():
    sig = _sig(SignalKind.BID_ABSORPTION, 1_000)
    assert orderflow_score(1, [sig], (98, 102), 2_000, 5_000) == (1, 1, 0)


def test_orderflow_score_when_one_confirms_and_one_opposes_then_half_not_the_latest():
    sigs = [
        _sig(SignalKind.STACKED_BUY_IMBALANCE, 1_000),
        _sig(SignalKind.ASK_ABSORPTION, 1_500, direction=-1),
    ]
    assert orderflow_score(1, sigs, (98, 102), 2_000, 5_000) == (HALF, 1, 1)


def test_orderflow_score_when_more_events_oppose_then_zero_whatever_came_last():
    sigs = [
        _sig(SignalKind.ASK_ABSORPTION, 1_000, direction=-1),
        _sig(SignalKind.BEARISH_DIVERGENCE, 1_200, direction=-1),
        _sig(SignalKind.BID_ABSORPTION, 1_900),
    ]
    assert orderflow_score(1, sigs, (98, 102), 2_000, 5_000) == (0, 1, 2)
    assert orderflow_score(-1, sigs, (98, 102), 2_000, 5_000) == (1, 2, 1)


def test_orderflow_score_when_event_too_old_beyond_the_level_or_unrelated_then_half():
    sigs = [
        _sig(SignalKind.BID_ABSORPTION, 1_000),
        _sig(SignalKind.BID_ABSORPTION, 9_000, price=107),
        _sig(SignalKind.BUY_PRESSURE, 9_500),
    ]
    assert orderflow_score(1, sigs, (98, 102), 10_000, 5_000) == (HALF, 0, 0)
    near = [_sig(SignalKind.BID_ABSORPTION, 9_000, price=106)]
    assert orderflow_score(1, near, (98, 102), 10_000, 5_000, level_ticks=4) == (1, 1, 0)
