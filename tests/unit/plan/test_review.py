"""Hypothesis review: outcomes, grade, bias verdict, day facts, Markdown and hit rates."""

from fractions import Fraction

import pytest
from plan_builders import example_context, session_bars, tk

from orderflow_lib.plan.build import build_plan
from orderflow_lib.plan.review import Outcome, hit_rates, review_plan

PLAN = build_plan(example_context(5013.00))
UP_DAY = session_bars(
    [
        (9, 30, 5013.00),
        (9, 45, 5014.50),
        (10, 0, 5013.50),
        (10, 30, 5016.00),
        (11, 0, 5021.25),
        (16, 0, 5018.00),
    ]
)
FAIL_DAY = session_bars(
    [
        (9, 30, 5013.00),
        (9, 59, 5014.00),
        (10, 10, 5013.00),
        (10, 40, 5002.00),
        (12, 0, 5001.00),
        (16, 0, 5001.50),
    ]
)


def test_review_when_s1_hits_target_then_hit_grade_and_outcomes():
    review = review_plan(PLAN, bars=UP_DAY)
    outcomes = {o.id: o.outcome for o in review.outcomes}
    assert outcomes == {
        "S1": Outcome.TARGET_HIT,
        "S2": Outcome.NOT_TRIGGERED,
        "S3": Outcome.NOT_TRIGGERED,
    }
    assert (review.grade, review.score) == ("HIT", Fraction(1))


def test_review_when_day_value_migrates_up_then_bullish_bias_was_correct():
    review = review_plan(PLAN, bars=UP_DAY)
    assert review.facts.vs_prior_dva is not None
    assert review.facts.vs_prior_dva.migration_bias == 1
    assert review.bias_verdict == "CORRECT"


def test_review_when_s1_invalidated_then_miss_and_wrong_bias():
    review = review_plan(PLAN, bars=FAIL_DAY)
    s1 = next(o for o in review.outcomes if o.id == "S1")
    assert s1.outcome == Outcome.INVALIDATED
    assert review.grade in ("MISS", "MIXED")
    assert review.bias_verdict == "WRONG"


def test_review_when_built_then_facts_hold_the_open_range_and_ib():
    facts = review_plan(PLAN, bars=UP_DAY).facts
    assert facts.open_tick == tk(5013.00)
    assert facts.close_tick == tk(5018.00)
    assert facts.high_tick == tk(5021.25)
    assert facts.ib == (int(UP_DAY["low_ticks"][:60].min()), int(UP_DAY["high_ticks"][:60].max()))
    assert facts.open_location == "ABOVE_VALUE_IN_RANGE"


def test_review_when_rendered_then_markdown_has_grade_and_scenario_table():
    text = review_plan(PLAN, bars=UP_DAY).to_markdown()
    assert text.startswith("# Review: ES 2024-03-05 (ESH24)")
    assert "**Grade** HIT" in text
    assert "| S1 BVP long | ACCEPT_ABOVE(5012.00) | TARGET_HIT | 10:00 | 5013.50 |" in text


def test_review_when_no_data_or_both_given_then_refused():
    with pytest.raises(ValueError, match="exactly one"):
        review_plan(PLAN)


def test_hit_rates_when_two_reviews_then_rates_per_kind_and_regime():
    rates = hit_rates([review_plan(PLAN, bars=UP_DAY), review_plan(PLAN, bars=FAIL_DAY)])
    bvp = rates["by_expectation"]["BVP"]
    assert (bvp.scenarios, bvp.triggered, bvp.target_hit, bvp.invalidated) == (2, 2, 1, 1)
    assert bvp.hit_rate == Fraction(1, 2)
    trend = rates["by_regime"]["TREND_UP"]
    assert trend.scenarios == 6
    eighty = rates["by_expectation"]["EIGHTY"]
    assert (eighty.scenarios, eighty.triggered, eighty.target_hit) == (2, 1, 1)
    assert rates["by_expectation"]["RTV"].hit_rate is None


def test_review_when_serialised_then_plain_dict_with_outcomes():
    data = review_plan(PLAN, bars=UP_DAY).to_dict()
    assert data["grade"] == "HIT"
    assert data["outcomes"][0]["outcome"] == "TARGET_HIT"
