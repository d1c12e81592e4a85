"""Active strategy family (spec §5.3): precedence of regime, acceptance, failed breakouts, open
drives and the VWAP rhythm."""

from orderflow_lib.auction.open_type import OpenStage, OpenType, OpenTypeCall
from orderflow_lib.auction.vef import VefEvent, VefStatus
from orderflow_lib.flow.rhythm import RhythmCondition as Rhythm
from orderflow_lib.plan.kinds import Family
from orderflow_lib.strategy.family import select_family


def _vef(directional=0):
    return VefStatus((), None, directional, None, False, False)


def _event(code, direction, ts=0):
    return VefEvent(ts, code, direction, None, "")


def _drive(direction):
    return OpenTypeCall(OpenType.OPEN_DRIVE, direction, "", OpenStage.FINAL, 0, 8)


def test_family_when_regime_unknown_then_unknown_family_setting():
    call = select_family("UNKNOWN")
    assert call.family == Family.NONE
    assert call.reason == "too little history to call the day: levels only, no trades"
    assert select_family("UNKNOWN", unknown_family="ROTATIONAL").family == Family.ROTATIONAL


def test_family_when_regime_only_then_regime_family():
    assert select_family("TREND_UP").family == Family.DIRECTIONAL_BULLISH
    assert select_family("TREND_DOWN").family == Family.DIRECTIONAL_BEARISH
    assert select_family("BALANCE").family == Family.ROTATIONAL
    assert select_family("BREAKOUT_PENDING").family == Family.ROTATIONAL
    assert select_family("TREND_UP").reason == "the day is called trend up: trade with the buyers"
    assert select_family("BREAKOUT_PENDING").reason == (
        "a breakout may be coming but has not started: trade rotations inside value"
    )


def test_family_when_value_accepted_above_the_composite_then_bullish_even_in_balance():
    call = select_family("BALANCE", vef=_vef(1))
    assert call.family == Family.DIRECTIONAL_BULLISH
    assert call.reason == (
        "price is accepted above the composite value area: trade with the buyers"
    )


def test_family_when_trend_up_breakout_fails_then_reverse_to_bearish():
    events = (_event("VEF4", 1, 1), _event("VEF4", 0, 2))
    call = select_family("TREND_UP", vef=_vef(0), vef_events=events)
    assert call.family == Family.DIRECTIONAL_BEARISH
    assert call.reason == (
        "the breakout above value failed and price is back inside: the trend has failed, "
        "reverse and trade with the sellers"
    )


def test_family_when_balance_breakout_fails_then_rotational():
    events = (_event("VEF6", -1, 1), _event("VEF4", 0, 2))
    call = select_family("BALANCE", vef=_vef(0), vef_events=events)
    assert call.family == Family.ROTATIONAL
    assert call.reason == (
        "the breakout below value failed and price is back inside: "
        "back to trading rotations inside value"
    )


def test_family_when_open_drive_down_then_bearish_before_the_regime():
    call = select_family("BALANCE", open_call=_drive(-1))
    assert call.family == Family.DIRECTIONAL_BEARISH
    assert call.reason == "the open drove down without looking back: trade with the sellers"


def test_family_when_trend_and_rhythm_reverses_then_rotational():
    call = select_family("TREND_UP", rhythm=Rhythm.REVERSAL)
    assert call.family == Family.ROTATIONAL
    assert call.reason.startswith("price turned back through VWAP against the trend")
