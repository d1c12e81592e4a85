"""Hypothesis review (spec §5.7): grades, hypothetical brackets, bias verdict, day facts,
Markdown and hit rates."""

from fractions import Fraction

import pytest
from plan_builders import example_context, session_bars, tk

from orderflow_lib.plan.build import build_plan
from orderflow_lib.plan.render import bias_sentence, bracket_words
from orderflow_lib.plan.review import (
    Hypothetical,
    Outcome,
    TakenTrade,
    bias_verdict,
    hit_rates,
    review_plan,
)

PLAN = build_plan(example_context(5013.00))
UP_DAY = session_bars(
    [
        (9, 30, 5013.00),
        (9, 45, 5014.50),
        (10, 0, 5013.50),
        (10, 15, 5011.50),
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


def test_review_when_s1_pulls_back_and_runs_then_hypothetical_bracket_wins_and_not_taken():
    review = review_plan(PLAN, bars=UP_DAY)
    outcomes = {o.id: o.outcome for o in review.outcomes}
    assert outcomes == {
        "S1": Outcome.NOT_TAKEN,
        "S2": Outcome.NO_TRIGGER,
        "S3": Outcome.NO_TRIGGER,
    }
    s1 = review.outcomes[0]
    h = s1.hypothetical
    assert h is not None and h.bracket is not None and h.run is not None
    # A = 48 ticks in this plan, so buf = max(2, ceil(48 / 12)) = 4 ticks under the zone low.
    assert h.bracket.stop_tick == tk(5010.00) - 4
    assert h.bracket.target1_tick == tk(5021.00)
    assert (h.run.exit_tick, h.run.exit_reason, h.grade) == (tk(5021.00), "target", Outcome.WIN)
    assert (review.grade, review.score, review.hypothetical_score) == (
        "NO_TRADE",
        None,
        Fraction(1),
    )


def test_review_when_a_trade_was_taken_then_win_with_its_r_multiple():
    taken = [TakenTrade("S1", 1, tk(5012.00), tk(5009.50), tk(5021.00))]
    review = review_plan(PLAN, bars=UP_DAY, taken=taken)
    s1 = review.outcomes[0]
    assert s1.outcome == Outcome.WIN
    assert s1.r_multiple == Fraction(36, 10)
    assert (review.grade, review.score) == ("WON", Fraction(1))


def test_review_when_exit_within_two_ticks_of_the_fill_then_scratch():
    taken = [TakenTrade("S1", 1, tk(5012.00), tk(5009.50), tk(5011.50))]
    s1 = review_plan(PLAN, bars=UP_DAY, taken=taken).outcomes[0]
    assert s1.outcome == Outcome.SCRATCH


def test_review_when_day_value_migrates_up_with_price_then_bullish_bias_was_right():
    review = review_plan(PLAN, bars=UP_DAY)
    assert review.facts.vs_prior_dva is not None
    assert (review.price_direction, review.value_direction) == (1, 1)
    assert review.bias_verdict == "RIGHT"


def test_review_when_price_falls_through_the_zone_then_hypothetical_loss_and_wrong_bias():
    review = review_plan(PLAN, bars=FAIL_DAY, not_taken={"S1": "score 0.85 below 0.90"})
    s1 = next(o for o in review.outcomes if o.id == "S1")
    assert s1.outcome == Outcome.NOT_TAKEN
    assert s1.reason == "score 0.85 below 0.90"
    assert s1.hypothetical is not None and s1.hypothetical.grade == Outcome.LOSS
    assert s1.hypothetical.run is not None and s1.hypothetical.run.exit_reason == "stop"
    assert review.hypothetical_score == Fraction(0)
    assert review.bias_verdict == "WRONG"


def test_review_when_target_passed_before_the_zone_trades_then_missed_never_a_hit():
    bars = session_bars(
        [(9, 30, 5013.00), (9, 45, 5014.50), (10, 0, 5013.50), (11, 0, 5031.00), (16, 0, 5011.00)]
    )
    s1 = review_plan(PLAN, bars=bars).outcomes[0]
    assert s1.outcome == Outcome.MISSED
    assert s1.target_hits_ns == (None, None)
    assert s1.hypothetical is None


def test_bias_verdict_when_price_and_value_agree_or_oppose():
    assert bias_verdict("BULLISH", 1, 1) == "RIGHT"
    assert bias_verdict("BULLISH", -1, -1) == "WRONG"
    assert bias_verdict("BULLISH", 1, -1) == "MIXED"
    assert bias_verdict("NEUTRAL", 0, 0) == "RIGHT"
    assert bias_verdict("NEUTRAL", 1, -1) == "WRONG"
    assert bias_verdict("NEUTRAL", 1, 0) == "MIXED"


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
    assert "**Result: no trade taken.** Trades won: none taken." in text
    assert "Hypothetical brackets won: 1 of 1." in text
    assert "**Bias:** Right: price and value both went up, as the bullish bias expected." in text
    assert (
        "| S1 buy the pullback after a breakout (long) | price holds above 5012.00 | "
        "not taken: no entry signal while it was tradable |"
    ) in text
    assert (
        "bought 5012.25, stop 5009.00, target 5021.00; target hit at 5021.00, +2.69 R: won"
    ) in text
    assert "| S2 80% rule: across the prior value area (short) |" in text
    assert "| no trigger |" in text
    assert "10:00 accepted above it, so buy pullbacks" in text


def test_review_when_rendered_after_a_loss_then_wrong_bias_and_stopped_out_in_words():
    text = review_plan(PLAN, bars=FAIL_DAY, not_taken={"S1": "score 0.85 below 0.90"}).to_markdown()
    assert "**Bias:** Wrong: price and value both went down, against the bullish bias." in text
    assert "| not taken: score 0.85 below 0.90 |" in text
    assert "stopped out at 5008.75, -1.08 R: lost" in text
    assert "missed: price never came back to the entry zone after the trigger" in text
    codes = ("NOT_TAKEN", "NO_TRIGGER", "MISSED", "BVP", "EIGHTY", "RTV", "VEF", "BULLISH")
    assert [c for c in codes if c in text] == []


def test_review_when_trades_taken_then_result_and_grades_in_words():
    taken = [TakenTrade("S1", 1, tk(5012.00), tk(5009.50), tk(5021.00))]
    text = review_plan(PLAN, bars=UP_DAY, taken=taken).to_markdown()
    assert "**Result: every trade won.** Trades won: 1 of 1." in text
    assert "| won, +3.60 R |" in text


def test_bracket_words_when_the_rules_skip_the_trade_then_the_reason_in_words():
    skipped = Hypothetical(None, None, None, "STOP_TOO_WIDE", {})
    assert bracket_words(skipped, 1, 0.25) == "no trade: the stop would be too far away"


def test_bias_sentence_when_mixed_then_says_what_the_bias_expected():
    assert bias_sentence("MIXED", "BULLISH", 1, 0) == (
        "Mixed: price went up but value stayed in place; the bullish bias expected both to go up"
    )
    assert bias_sentence("WRONG", "NEUTRAL", 1, -1) == (
        "Wrong: price went up and value moved down, against the neutral bias"
    )


def test_review_when_no_data_or_both_given_then_refused():
    with pytest.raises(ValueError, match="exactly one"):
        review_plan(PLAN)


def test_hit_rates_when_two_reviews_then_rates_per_kind_and_regime():
    rates = hit_rates([review_plan(PLAN, bars=UP_DAY), review_plan(PLAN, bars=FAIL_DAY)])
    bvp = rates["by_expectation"]["BVP"]
    assert (bvp.scenarios, bvp.triggered, bvp.tradable, bvp.wins, bvp.losses) == (2, 2, 2, 1, 1)
    assert bvp.hit_rate == Fraction(1, 2)
    trend = rates["by_regime"]["TREND_UP"]
    assert trend.scenarios == 6
    assert rates["by_expectation"]["RTV"].hit_rate is None


def test_review_when_serialised_then_plain_dict_with_outcomes():
    data = review_plan(PLAN, bars=UP_DAY).to_dict()
    assert data["grade"] == "NO_TRADE"
    assert data["outcomes"][0]["outcome"] == "NOT_TAKEN"
    assert data["outcomes"][0]["hypothetical"]["grade"] == "WIN"
