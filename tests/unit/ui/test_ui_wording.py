"""Plain words for engine codes, and one 0-1 strength scale for every signal kind."""

import math

import pytest

from orderflow_lib.auction.regime import Bias, Regime
from orderflow_lib.plan.kinds import Expectation
from orderflow_lib.plan.review import Outcome
from orderflow_lib.plan.trade import SkipReason
from orderflow_lib.ui.strength import HALF, score
from orderflow_lib.ui.wording import (
    GRADES,
    REGIMES,
    SETUP_KINDS,
    SKIPS,
    condition_words,
    counts_words,
    grade_words,
    level_words,
    plain,
    regime_words,
    setup_kind_words,
    setup_name,
    side_words,
    signal_words,
    skip_words,
)


@pytest.mark.parametrize(
    ("kind", "direction", "name"),
    [
        ("BVP", 1, "buy the pullback"),
        ("BVP", -1, "sell the pullback"),
        ("EIGHTY", 1, "80% rule (long)"),
        ("RTV", -1, "return to value (short)"),
        ("NEW_KIND", 1, "new kind (long)"),
    ],
)
def test_setup_name_when_code_then_trader_words(kind, direction, name):
    assert setup_name(kind, direction) == name


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("ACCEPT_BELOW(4490.75)", "price holds below 4490.75"),
        ("REJECT_AT(5390.00, above)", "price pokes above 5390.00 and is pushed back"),
        (
            "ENTER_VALUE_FROM(below) on 4490.75-4542.25",
            "price gets back into value from below (4490.75–4542.25)",
        ),
        (
            "(ACCEPT_ABOVE(5012.00) AND OPEN_TYPE(OPEN_DRIVE up))",
            "price holds above 5012.00 and the open drives up",
        ),
        ("price comes back into value", "price comes back into value"),
    ],
)
def test_condition_words_when_coded_then_sentence(code, words):
    assert condition_words(code) == words


@pytest.mark.parametrize(
    "text",
    [
        "rule 3: DVA overlapping lower and composites MIGRATING_DOWN",
        "no settlement in the source: prior settlement = last RTH trade (spec §0.2)",
        "VEF7 applies: the day's main objective is done",
        "ACCOUNT_UNAVAILABLE: no valid account values",
    ],
)
def test_plain_when_internal_codes_then_none_left(text):
    cleaned = plain(text)
    for code in ("rule 3", "MIGRATING_DOWN", "spec §", "VEF7", "ACCOUNT_UNAVAILABLE", "DVA "):
        assert code not in cleaned, (code, cleaned)
    assert cleaned[0].isupper()


def test_words_when_unknown_codes_then_lower_case_words():
    assert regime_words("TREND_DOWN") == "Trending down"
    assert regime_words(None) == "Not called yet"
    assert signal_words("STACKING") == "orders stacked"
    assert level_words("AT_ON_HIGH") == "at ON high"
    assert level_words("AT_PRIOR_LOW") == "at the prior low"
    assert level_words(None) == ""


@pytest.mark.parametrize("kind", ["BUY_PRESSURE", "DOM_IMBALANCE", "EXHAUSTION_HIGH", "PULLING"])
def test_score_when_kind_already_zero_to_one_then_clamped(kind):
    assert score(kind, 0.42) == pytest.approx(0.42)
    assert score(kind, 1.7) == 1.0


@pytest.mark.parametrize("kind", sorted(HALF))
def test_score_when_unbounded_kind_then_half_maps_to_half_and_stays_below_one(kind):
    assert score(kind, HALF[kind]) == pytest.approx(0.5)
    assert score(kind, 2 * HALF[kind]) == pytest.approx(0.75)
    assert 0.99 < score(kind, 100 * HALF[kind]) <= 1.0
    assert score(kind, 0) == 0.0


def test_score_when_unknown_then_zero():
    assert score("STACKING", None) == 0.0
    assert score("STACKING", math.nan) == 0.0
    assert score("ICEBERG", "x") == 0.0


@pytest.mark.parametrize(
    ("codes", "table"),
    [
        (Regime, REGIMES),
        (Expectation, SETUP_KINDS),
        (Outcome, GRADES),
        (SkipReason, SKIPS),
    ],
)
def test_word_tables_when_engine_adds_a_code_then_it_has_words(codes, table):
    assert {str(code) for code in codes} <= set(table)


@pytest.mark.parametrize(
    ("bias", "side"),
    [
        (Bias.BULLISH, "buyers"),
        (Bias.BEARISH, "sellers"),
        (Bias.NEUTRAL, "no side"),
        (-1, "sellers"),
    ],
)
def test_side_words_when_bias_then_short_side(bias, side):
    assert side_words(bias) == side


def test_setup_grade_and_skip_words_when_unknown_code_then_lower_case_words():
    assert setup_kind_words("EIGHTY") == "80% rule"
    assert setup_kind_words("NEW_KIND") == "new kind"
    assert grade_words("NO_TRIGGER") == "never triggered"
    assert skip_words("STOP_TOO_WIDE") == "stop too far"
    assert skip_words("SOME_NEW_REASON") == "some new reason"


def test_counts_words_when_counts_then_most_first_in_words_and_empty_word_when_none():
    assert counts_words({"WIN": 1, "NO_TRIGGER": 3, "LOSS": 1}, grade_words, "none") == (
        "3 never triggered, 1 lost, 1 won"
    )
    assert counts_words({}, grade_words, "no plan") == "no plan"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("S1 ROTATE short: price holds", "S1 rotation (short): price holds"),
        ("BVP long: join them", "Buy the pullback: join them"),
        ("an EIGHTY traverse", "An 80% rule traverse"),
        ("RTV and DRIVE", "Return to value and opening drive"),
    ],
)
def test_plain_when_setup_codes_then_setup_words(text, said):
    assert plain(text) == said
