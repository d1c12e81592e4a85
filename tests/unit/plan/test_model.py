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


def test_condition_when_described_then_spec_notation():
    assert accept_above(tk(5012)).describe() == "ACCEPT_ABOVE(5012.00)"
    assert reject_at(tk(5000), -1).describe() == "REJECT_AT(5000.00, below)"
    assert (
        enter_value_from(1, tk(5003), tk(5012)).describe()
        == "ENTER_VALUE_FROM(above) on 5003.00-5012.00"
    )
    assert open_type_is("OPEN_DRIVE", 1).describe() == "OPEN_TYPE(OPEN_DRIVE up)"
    both = all_of(
        inventory_is("NET_LONG"), any_of(accept_above(tk(5001)), open_type_is("OPEN_AUCTION"))
    )
    assert (
        both.describe()
        == "(INVENTORY(NET_LONG) AND (ACCEPT_ABOVE(5001.00) OR OPEN_TYPE(OPEN_AUCTION)))"
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
    assert "**Regime** TREND_UP" in text
    assert "| prior_vah | 5012.00 |" in text
    assert "### S1 · BVP · DIRECTIONAL_BULLISH · long" in text
    assert "- **Targets** 5021.00, 5030.00" in text
    assert "Line in the sand: 5000.00" in text


def test_plan_scenario_when_unknown_id_then_key_error():
    with pytest.raises(KeyError, match="S9"):
        build_plan(example_context()).scenario("S9")
