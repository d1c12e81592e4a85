"""Pre-market regime (spec §5.2 cases): rules, bias, confidence and reasons."""

from fractions import Fraction

from auction_builders import tk

from orderflow_lib.auction.regime import Bias, Confidence, Regime, classify_regime
from orderflow_lib.profiles.migration import Levels

C = Levels(val_ticks=tk(4980), vah_ticks=tk(5000), poc_ticks=tk(4990))


def _dva(low, high):
    return Levels(val_ticks=tk(low), vah_ticks=tk(high), poc_ticks=(tk(low) + tk(high)) // 2)


def _call(dva, **kw):
    kw.setdefault("days_included", 5)
    kw.setdefault("character", "SIDEWAYS")
    kw.setdefault("on_range_ratio", Fraction(1))
    return classify_regime(dva, C, **kw)


def test_regime_when_dva_higher_then_trend_up_bullish_high():
    call = _call(_dva(5003, 5012))
    assert (call.regime, call.bias, call.confidence) == (
        Regime.TREND_UP,
        Bias.BULLISH,
        Confidence.HIGH,
    )
    assert call.relationship is not None and call.relationship.relation == "HIGHER"
    assert call.rules == (2,)
    assert call.reasons == (
        "The prior session built its value entirely above the 5-day value area: buyers in control",
    )


def test_regime_when_dva_inside_and_wide_then_balance_neutral_med():
    call = _call(_dva(4984, 4998))
    assert (call.regime, call.bias, call.confidence) == (
        Regime.BALANCE,
        Bias.NEUTRAL,
        Confidence.MED,
    )
    assert call.relationship is not None and call.relationship.overlap_pct == 1


def test_regime_when_on_range_ratio_04_then_breakout_pending_beats_balance():
    call = _call(_dva(4984, 4998), on_range_ratio=Fraction(6, 15))
    assert (call.regime, call.bias, call.confidence) == (
        Regime.BREAKOUT_PENDING,
        Bias.NEUTRAL,
        Confidence.MED,
    )
    assert call.rules == (4, 5)
    assert call.reasons == (
        "The overnight range was only 40% of its usual size: a breakout may be coming",
        "The prior session's value stayed inside the 5-day value area: the market is in balance, "
        "buyers and sellers agree on price",
    )


def test_regime_when_overlap_higher_with_39_6_percent_then_balance_low_bullish():
    call = _call(_dva(4995, 5008))
    assert call.relationship is not None
    assert call.relationship.overlap_pct == Fraction(21, 53)
    assert call.relationship.mid_shift_ticks == 46
    assert (call.regime, call.bias, call.confidence) == (
        Regime.BALANCE,
        Bias.BULLISH,
        Confidence.LOW,
    )
    assert call.rules == (6,)
    assert call.reasons == (
        "The prior session's value overlapped the 5-day value area by only 40%, its middle 46 "
        "ticks higher: no clear trend, leaning bullish",
    )


def test_regime_when_overlap_higher_and_migrating_up_then_trend_up_med():
    call = _call(_dva(4995, 5008), character="MIGRATING_UP")
    assert (call.regime, call.bias, call.confidence) == (
        Regime.TREND_UP,
        Bias.BULLISH,
        Confidence.MED,
    )
    assert call.rules == (2,)
    assert call.reasons[0].startswith("Price is building value above the 5-day value area")


def test_regime_when_overlap_lower_and_migrating_down_then_sellers_in_control():
    call = _call(_dva(4972, 4985), character="MIGRATING_DOWN")
    assert (call.regime, call.bias, call.confidence) == (
        Regime.TREND_DOWN,
        Bias.BEARISH,
        Confidence.MED,
    )
    assert call.rules == (3,)
    assert call.reasons == (
        "Price is building value below the 5-day value area and value has been moving down day "
        "after day: sellers in control",
    )


def test_regime_when_two_days_included_then_unknown_neutral_low():
    call = _call(_dva(5003, 5012), days_included=2)
    assert (call.regime, call.bias, call.confidence) == (
        Regime.UNKNOWN,
        Bias.NEUTRAL,
        Confidence.LOW,
    )
    assert call.rules == (1,)
    assert call.reasons == (
        "Only 2 sessions in the composite value area, 3 needed: too little history to call the day",
    )


def test_regime_when_no_prior_dva_then_unknown():
    call = classify_regime(None, C, days_included=5)
    assert call.regime == Regime.UNKNOWN
    assert call.rules == (1,)
    assert call.reasons[0].startswith("No value area for the prior session")


def test_regime_when_dva_lower_then_trend_down_bearish_high():
    call = _call(_dva(4960, 4975))
    assert (call.regime, call.bias, call.confidence) == (
        Regime.TREND_DOWN,
        Bias.BEARISH,
        Confidence.HIGH,
    )
    assert call.rules == (3,)
    assert call.reasons == (
        "The prior session built its value entirely below the 5-day value area: sellers in control",
    )


def test_regime_when_prior_day_short_then_confidence_capped_at_med():
    call = _call(_dva(5003, 5012), prior_short=True)
    assert call.confidence == Confidence.MED
    assert call.reasons[-1] == "The prior session was short, so confidence is capped at medium"
    assert call.rules == (2,)


def test_regime_when_narrow_inside_dva_then_breakout_pending():
    call = _call(_dva(4986, 4995))
    assert call.regime == Regime.BREAKOUT_PENDING
    assert call.rules == (4, 5)
    assert call.reasons[0] == (
        "The prior session's value was narrow, at most 50% as wide as the 5-day value area and "
        "inside it: a breakout may be coming"
    )


def test_regime_when_contracting_character_then_breakout_pending():
    call = _call(_dva(4984, 4998), character="CONTRACTING")
    assert call.regime == Regime.BREAKOUT_PENDING
    assert call.reasons[0] == (
        "Value areas have been getting narrower day after day: a breakout may be coming"
    )


def test_regime_when_overlap_at_least_70_percent_then_balance_reason_gives_the_overlap():
    call = _call(_dva(4982, 5002))
    assert call.relationship is not None and call.relationship.relation == "OVERLAP_HIGHER"
    assert (call.regime, call.rules) == (Regime.BALANCE, (5,))
    assert call.reasons[0].startswith(
        "The prior session's value overlapped the 5-day value area by 90%: the market is in balance"
    )


def test_regime_reasons_never_show_rule_numbers_or_internal_codes():
    calls = [
        _call(_dva(5003, 5012)),
        _call(_dva(4984, 4998), on_range_ratio=Fraction(6, 15), character="CONTRACTING"),
        _call(_dva(4995, 5008)),
        _call(_dva(5003, 5012), days_included=2, prior_short=True),
    ]
    for reason in (r for call in calls for r in call.reasons):
        assert "rule" not in reason and "DVA" not in reason and "_" not in reason, reason
