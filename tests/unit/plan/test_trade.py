"""Trade management arithmetic (spec §5.6): TM1 and TM2, stop floor, reward:risk, size, skips."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from orderflow_lib.core.config import Settings
from orderflow_lib.market.events import price_to_ticks
from orderflow_lib.plan.trade import Bracket, Skip, SkipReason, TradeRules, bracket_for

RULES = TradeRules.from_settings(Settings(), None)
GBP = Fraction(79, 100)


def tk(price: float) -> int:
    return price_to_ticks(price, 0.25)


ZONE = (tk(5010.00), tk(5012.00))
TARGETS = (tk(5021.00), tk(5030.00))


def test_tm1_when_long_in_the_zone_then_stop_target_and_one_contract():
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), TARGETS, RULES, GBP)
    assert isinstance(made, Bracket)
    assert (RULES.buffer_ticks, RULES.floor_stop_ticks, RULES.max_stop_ticks(GBP)) == (2, 6, 24)
    assert made.stop_tick == tk(5009.50)
    assert made.risk_ticks == 8
    assert (made.target1_tick, made.target2_tick) == (tk(5021.00), tk(5030.00))
    assert made.reward_risk == Fraction(38, 8)
    assert made.quantity == 1
    assert made.risk_gbp == Fraction(79, 10)
    assert made.split() == [(1, tk(5021.00))]


def test_tm2_when_the_visit_dipped_far_below_the_zone_then_stop_too_wide():
    made = bracket_for(1, tk(5012.00), ZONE, tk(5004.00), TARGETS, RULES, GBP)
    assert isinstance(made, Skip)
    assert made.reason == SkipReason.STOP_TOO_WIDE
    assert (made.numbers["S"], made.numbers["R"]) == (tk(5003.50), 34)


def test_stop_when_closer_than_the_floor_then_moved_out_to_six_ticks():
    short = bracket_for(-1, tk(5010.00), ZONE, tk(5010.00), (tk(5000.00),), RULES, GBP)
    assert isinstance(short, Bracket)
    assert short.stop_tick == tk(5012.50)
    tight_zone = (tk(5010.00), tk(5010.25))
    long = bracket_for(1, tk(5010.25), tight_zone, tk(5010.25), (tk(5030.00),), RULES, GBP)
    assert isinstance(long, Bracket)
    assert long.risk_ticks == 6
    assert long.stop_tick == tk(5010.25) - 6


def test_target_when_the_nearest_is_under_one_and_a_half_r_then_the_next_one_is_t1():
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), (tk(5014.00), tk(5021.00)), RULES, GBP)
    assert isinstance(made, Bracket)
    assert (made.target1_tick, made.target2_tick) == (tk(5021.00), None)


def test_target_when_none_is_far_enough_then_reward_too_small():
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), (tk(5014.00),), RULES, GBP)
    assert isinstance(made, Skip) and made.reason == SkipReason.REWARD_TOO_SMALL


def test_size_when_no_rate_then_no_fx_rate_and_a_small_budget_caps_the_stop():
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), TARGETS, RULES, None)
    assert isinstance(made, Skip) and made.reason == SkipReason.NO_FX_RATE
    small = TradeRules.from_settings(Settings.model_validate({"trade": {"max_risk_gbp": 5}}), None)
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), TARGETS, small, GBP)
    assert isinstance(made, Skip) and made.reason == SkipReason.STOP_TOO_WIDE
    wide = TradeRules.from_settings(
        Settings.model_validate({"trade": {"max_risk_gbp": 7, "min_stop_ticks": 1}}), None
    )
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), TARGETS, wide, GBP)
    assert isinstance(made, Skip) and made.reason == SkipReason.STOP_TOO_WIDE


def test_size_when_four_contracts_allowed_then_two_brackets_to_t1_and_t2():
    rules = TradeRules.from_settings(
        Settings.model_validate({"trade": {"max_contracts": 4, "max_risk_gbp": 40}}), None
    )
    made = bracket_for(1, tk(5011.50), ZONE, tk(5010.50), TARGETS, rules, GBP)
    assert isinstance(made, Bracket)
    assert made.quantity == 4  # floor(40 / 7.90) = 5, capped at 4
    assert made.split() == [(2, tk(5021.00)), (2, tk(5030.00))]


@given(
    direction=st.sampled_from([1, -1]),
    entry_off=st.integers(0, 8),
    adverse_off=st.integers(0, 60),
    scale=st.integers(1, 200),
)
def test_bracket_when_taken_then_stop_within_limits_beyond_entry_and_reward_risk_at_least_1_5(
    direction: int, entry_off: int, adverse_off: int, scale: int
) -> None:
    rules = TradeRules.from_settings(Settings(), Fraction(scale))
    low, high = ZONE
    entry = low + entry_off
    adverse = (min(entry, low) - adverse_off) if direction > 0 else (max(entry, high) + adverse_off)
    targets = tuple(entry + direction * k for k in (10, 30, 60, 120))
    made = bracket_for(direction, entry, ZONE, adverse, targets, rules, GBP)
    if isinstance(made, Skip):
        return
    assert direction * (entry - made.stop_tick) == made.risk_ticks
    assert rules.floor_stop_ticks <= made.risk_ticks <= rules.max_stop_ticks(GBP)
    assert made.reward_risk >= Fraction(3, 2)
    assert made.quantity >= 1 and made.risk_gbp <= 40
