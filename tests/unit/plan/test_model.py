"""Conditions and the plan document: text, dict round trips and Markdown."""

import pytest
from plan_builders import example_context, tk

from orderflow_lib.plan.build import build_plan
from orderflow_lib.plan.conditions import (
    Condition,
    accept_above,
    all_of,
    any_of,
    enter_value_from,
    inventory_is,
    open_type_is,
    reject_at,
)
from orderflow_lib.plan.model import Plan


def test_condition_when_described_then_plain_words():
    assert accept_above(tk(5012)).describe() == "price holds above 5012.00"
    assert reject_at(tk(5000), -1).describe() == "price pokes below 5000.00 and is pushed back"
    assert enter_value_from(1, tk(5003), tk(5012)).describe() == (
        "price comes back down into the value area 5003.00-5012.00 and stays there for two "
        "half-hours"
    )
    assert open_type_is("OPEN_DRIVE", 1).describe() == "the open is an open drive up"
    both = all_of(
        inventory_is("NET_LONG"), any_of(accept_above(tk(5001)), open_type_is("OPEN_AUCTION"))
    )
    assert both.describe() == (
        "the overnight inventory is net long and "
        "(price holds above 5001.00 or the open is an open auction)"
    )


def test_condition_when_round_tripped_then_equal():
    cond = all_of(reject_at(tk(5000), 1), enter_value_from(-1, tk(4990), tk(5000)))
    assert Condition.from_dict(cond.to_dict()) == cond


def test_condition_when_side_not_plus_or_minus_one_then_refused():
    with pytest.raises(ValueError, match="side must be"):
        reject_at(tk(5000), 0)
    with pytest.raises(ValueError, match="side must be"):
        enter_value_from(2, 1, 2)


def test_plan_when_round_tripped_through_dict_then_equal():
    plan = build_plan(example_context())
    again = Plan.from_dict(plan.to_dict())
    assert again == plan


def test_plan_when_rendered_then_markdown_has_context_levels_and_each_scenario():
    text = build_plan(example_context()).to_markdown()
    assert text.startswith("# Pre-market plan: ES 2024-03-05 (ESH24)")
    assert "**The call: trend up, bullish bias, high confidence.**" in text
    assert (
        "- The prior session built its value entirely above the 5-day value area: buyers in control"
    ) in text
    assert "| prior VAH | 5012.00 | prior RTH 2024-03-04 |" in text
    assert "| next balance area above | 5030.00 | an older value-area level |" in text
    assert "### S1 · Buy the pullback after a breakout · long · high confidence" in text
    assert (
        "If price holds above 5012.00, buy between 5010.00 and 5012.00; stop a little below "
        "5010.00, or below the low of the pullback if that is lower; targets 5021.00 then "
        "5030.00. Wrong if price holds below 5003.00."
    ) in text
    assert "### S2 · 80% rule: across the prior value area · short · low confidence" in text
    assert "### S3 · Return to value after a failed breakout · short · low confidence" in text
    assert "Line in the sand: 5000.00" in text
    assert "the 80% rule points to the VAL" in text


def test_plan_when_rendered_then_no_internal_codes_are_shown():
    text = build_plan(example_context()).to_markdown()
    codes = ("BVP", "EIGHTY", "RTV", "ROTATE", "DRIVE", "_ref", "VEF", "§", "TREND_UP", "BULLISH")
    assert [c for c in codes if c in text] == []
    assert "rule 2" not in text and "ACCEPT_" not in text and "DIRECTIONAL" not in text


def test_plan_scenario_when_unknown_id_then_key_error():
    with pytest.raises(KeyError, match="S9"):
        build_plan(example_context()).scenario("S9")
