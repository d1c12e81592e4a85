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
    assert any(r.startswith("rule 4") for r in call.reasons)
    assert any(r.startswith("rule 5") for r in call.reasons)


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


def test_regime_when_overlap_higher_and_migrating_up_then_trend_up_med():
    call = _call(_dva(4995, 5008), character="MIGRATING_UP")
    assert (call.regime, call.bias, call.confidence) == (
        Regime.TREND_UP,
        Bias.BULLISH,
        Confidence.MED,
    )


def test_regime_when_two_days_included_then_unknown_neutral_low():
    call = _call(_dva(5003, 5012), days_included=2)
    assert (call.regime, call.bias, call.confidence) == (
        Regime.UNKNOWN,
        Bias.NEUTRAL,
        Confidence.LOW,
    )


def test_regime_when_no_prior_dva_then_unknown():
    assert classify_regime(None, C, days_included=5).regime == Regime.UNKNOWN


def test_regime_when_dva_lower_then_trend_down_bearish_high():
    call = _call(_dva(4960, 4975))
    assert (call.regime, call.bias, call.confidence) == (
        Regime.TREND_DOWN,
        Bias.BEARISH,
        Confidence.HIGH,
    )


def test_regime_when_prior_day_short_then_confidence_capped_at_med():
    call = _call(_dva(5003, 5012), prior_short=True)
    assert call.confidence == Confidence.MED
    assert "short" in call.reasons[-1]


def test_regime_when_narrow_inside_dva_then_breakout_pending():
    call = _call(_dva(4986, 4995))
    assert call.regime == Regime.BREAKOUT_PENDING


def test_regime_when_contracting_character_then_breakout_pending():
    assert _call(_dva(4984, 4998), character="CONTRACTING").regime == Regime.BREAKOUT_PENDING
