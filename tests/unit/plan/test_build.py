"""Plan building (spec §5.5 example): regime, line in the sand, measured moves and scenarios."""

import datetime as dt
from dataclasses import replace
from fractions import Fraction

from plan_builders import EXAMPLE_CVA, EXAMPLE_PRIOR, example_context, tk

from orderflow_lib.core.config import Settings
from orderflow_lib.plan.build import build_plan, dva_measured_move, line_in_sand
from orderflow_lib.plan.conditions import (
    ConditionKind,
    accept_above,
    accept_below,
    enter_value_from,
)
from orderflow_lib.plan.kinds import Expectation, Family


def test_plan_when_spec_example_then_trend_up_with_line_in_sand_at_cva_vah():
    plan = build_plan(example_context())
    assert (plan.regime, plan.bias, plan.confidence) == ("TREND_UP", "BULLISH", "HIGH")
    assert plan.line_in_sand == tk(5000.00)
    assert plan.dva_measured_move == (tk(5021.00), tk(4994.00))


def test_plan_when_spec_example_then_s1_is_bvp_long_to_5021_then_5030():
    s1 = build_plan(example_context()).scenario("S1")
    assert s1.condition == accept_above(tk(5012.00))
    assert (s1.expectation, s1.family, s1.direction) == (
        Expectation.BVP,
        Family.DIRECTIONAL_BULLISH,
        1,
    )
    assert s1.entry_zone == (tk(5010.00), tk(5012.00))
    assert s1.targets == (tk(5021.00), tk(5030.00))
    assert s1.invalidation == accept_below(tk(5003.00))


def test_plan_when_spec_example_opens_above_prior_dva_then_s2_is_the_eighty_rule():
    s2 = build_plan(example_context(5013.00)).scenario("S2")
    assert s2.condition == enter_value_from(1, tk(5003.00), tk(5012.00))
    assert (s2.expectation, s2.family, s2.direction) == (Expectation.EIGHTY, Family.ROTATIONAL, -1)
    assert s2.targets == (tk(5003.00), tk(5000.00))
    assert s2.invalidation == accept_above(tk(5012.00))


def test_plan_when_spec_example_then_s3_is_rtv_to_cva_poc_then_val_with_low_confidence():
    s3 = build_plan(example_context()).scenario("S3")
    assert s3.condition == accept_below(tk(5000.00))
    assert (s3.expectation, s3.family, s3.direction) == (
        Expectation.RTV,
        Family.DIRECTIONAL_BEARISH,
        -1,
    )
    assert s3.targets == (tk(4990.00), tk(4980.00))
    assert s3.invalidation == accept_above(tk(5000.00))
    assert s3.confidence == "LOW"


def test_plan_when_pre_open_price_inside_prior_dva_then_no_eighty_scenario():
    plan = build_plan(example_context(5008.00))
    assert [s.expectation for s in plan.scenarios] == [Expectation.BVP, Expectation.RTV]


def _prior(val, poc, vah):
    return replace(
        EXAMPLE_PRIOR,
        val_ticks=tk(val),
        poc_ticks=tk(poc),
        vah_ticks=tk(vah),
        low_tick=tk(val - 2),
        high_tick=tk(vah + 2),
    )


def test_plan_when_balance_then_rotations_and_breakouts_around_the_cva():
    plan = build_plan(example_context(4991.00, prior=_prior(4984, 4990, 4998)))
    assert plan.regime == "BALANCE"
    kinds = [(s.condition.kind, s.expectation, s.direction) for s in plan.scenarios]
    assert kinds == [
        (ConditionKind.REJECT_AT, Expectation.ROTATE, -1),
        (ConditionKind.REJECT_AT, Expectation.ROTATE, 1),
        (ConditionKind.ACCEPT_ABOVE, Expectation.BVP, 1),
        (ConditionKind.ACCEPT_BELOW, Expectation.BVP, -1),
    ]
    assert plan.scenarios[0].entry_zone == (tk(4998), tk(5000))
    assert plan.scenarios[0].targets == (tk(4990), tk(4980))
    assert plan.scenarios[2].targets == (tk(5020), tk(5030))
    assert plan.scenarios[3].targets == (tk(4960),)


def test_plan_when_breakout_pending_then_breakouts_listed_first():
    plan = build_plan(example_context(4991.00, prior=_prior(4986, 4990, 4994)))
    assert plan.regime == "BREAKOUT_PENDING"
    assert [s.expectation for s in plan.scenarios][:2] == [Expectation.BVP, Expectation.BVP]


def test_plan_when_unknown_regime_then_levels_only_unless_unknown_family_rotational():
    short = example_context(cva=replace(EXAMPLE_CVA, days_included=2, dates=EXAMPLE_CVA.dates[-2:]))
    assert build_plan(short).regime == "UNKNOWN"
    assert build_plan(short).scenarios == ()
    rotational = build_plan(short, Settings(plan={"unknown_family": "ROTATIONAL"}))
    assert {s.family for s in rotational.scenarios} == {
        Family.ROTATIONAL,
        Family.DIRECTIONAL_BULLISH,
        Family.DIRECTIONAL_BEARISH,
    }
    assert {s.confidence for s in rotational.scenarios} == {"LOW"}


def test_plan_when_no_composite_then_unknown_and_no_scenarios():
    plan = build_plan(example_context(cva=None, cva_incl_prior=None))
    assert plan.regime == "UNKNOWN"
    assert plan.scenarios == ()
    assert plan.line_in_sand is None


def test_plan_when_overnight_range_narrow_then_breakout_pending_from_on_ratio():
    ctx = example_context(4991.00, prior=_prior(4984, 4990, 4998))
    narrow = replace(ctx, overnight=replace(ctx.overnight, on_range_ratio=Fraction(2, 5)))
    assert build_plan(narrow).regime == "BREAKOUT_PENDING"


def test_plan_when_plan_cva_incl_prior_then_that_composite_is_the_reference():
    other = replace(EXAMPLE_CVA, vah_ticks=tk(5002))
    plan = build_plan(example_context(cva_incl_prior=other), Settings(plan={"cva": "incl_prior"}))
    assert plan.cva == other
    assert plan.line_in_sand == tk(5002)


def test_line_in_sand_when_price_below_composite_then_val():
    assert line_in_sand(EXAMPLE_CVA, tk(4970)) == tk(4980)
    assert line_in_sand(EXAMPLE_CVA, None) is None
    assert dva_measured_move(None) is None


def test_plan_when_built_then_key_levels_have_names_and_sources_and_open_refs_include_edges():
    plan = build_plan(example_context())
    names = {k.name for k in plan.key_levels}
    assert {"prior_high", "prior_vah", "on_high", "cva_vah", "upside_ref"} <= names
    assert all(k.source for k in plan.key_levels)
    assert tk(5012) in plan.open_refs and tk(5000) in plan.open_refs
    assert plan.expected_open_location == "ABOVE_VALUE_IN_RANGE"
    assert plan.trade_date == dt.date(2024, 3, 5)
