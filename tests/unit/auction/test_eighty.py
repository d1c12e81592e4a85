"""80% rule state machine (spec §4.3, EX8) in its three acceptance modes and edge cases (§8)."""

import pytest
from auction_builders import ny, prints, rth_periods, tk

from orderflow_lib.auction.eighty import (
    EightyPercentRule,
    EightyState,
    first_hour_traverse,
    overnight_eighty,
    run_eighty,
)
from orderflow_lib.core.config import EightySettings

VAL, VAH = tk(5000), tk(5010)
EX8_AB = [
    (ny(9, 30), 5014.00),
    (ny(9, 35), 5015.00),
    (ny(9, 45), 5008.00),
    (ny(9, 59), 5009.50),
    (ny(10, 0), 5009.50),
    (ny(10, 10), 5011.00),
    (ny(10, 20), 5006.00),
    (ny(10, 29), 5007.00),
]


def _run(rows, **settings):
    return run_eighty(
        prints(rows), rth_periods(), VAL, VAH, EightySettings(**settings), expire_at_end=False
    )


def _state_at(rule, state):
    return next(e.ts_ns for e in rule.events if e.state == state)


def test_eighty_when_ex8_tpo_prints_then_triggered_at_1030():
    rule = _run(EX8_AB)
    assert rule.state == EightyState.TRIGGERED
    assert _state_at(rule, EightyState.ARMED) == ny(10, 0)
    assert rule.triggered_ns == ny(10, 30)
    assert rule.target_tick == tk(5000)
    assert rule.invalidation_tick == tk(5015)
    assert rule.entry_edge_tick == tk(5010)


def test_eighty_when_ex8_both_close_then_triggered_at_1030():
    rule = _run(EX8_AB, mode="BOTH_CLOSE")
    assert rule.triggered_ns == ny(10, 30)
    assert rule.invalidation_tick == tk(5015)


def test_eighty_when_ex8_close_open_then_triggered_at_1000_and_a_high_stays_the_limit():
    rule = _run(EX8_AB, mode="CLOSE_OPEN")
    assert rule.triggered_ns == ny(10, 0)
    assert rule.state == EightyState.TRIGGERED
    assert rule.invalidation_tick == tk(5015)


def test_eighty_when_settings_say_both_close_then_rule_uses_it():
    assert EightyPercentRule(VAL, VAH, EightySettings(mode="BOTH_CLOSE")).mode == "BOTH_CLOSE"


def test_eighty_when_target_trades_after_trigger_then_done():
    rule = _run([*EX8_AB, (ny(10, 40), 5004.00), (ny(10, 50), 5000.00)])
    assert rule.state == EightyState.DONE
    assert _state_at(rule, EightyState.DONE) == ny(10, 50)


def test_eighty_when_trade_beyond_trigger_extreme_then_failed():
    rule = _run([*EX8_AB, (ny(10, 40), 5015.25)])
    assert rule.state == EightyState.FAILED


def test_eighty_when_period_closes_back_above_vah_then_failed_at_period_end():
    rule = _run([*EX8_AB, (ny(10, 31), 5009.00), (ny(10, 59), 5010.25), (ny(11, 1), 5010.00)])
    assert rule.state == EightyState.FAILED
    assert _state_at(rule, EightyState.FAILED) == ny(11, 0)


def test_eighty_when_close_open_and_second_period_trades_higher_then_limit_extends_not_fails():
    rows = [*EX8_AB[:4], (ny(10, 0), 5009.50), (ny(10, 10), 5016.00), (ny(10, 20), 5009.00)]
    rule = _run(rows, mode="CLOSE_OPEN")
    assert rule.state == EightyState.TRIGGERED
    assert rule.invalidation_tick == tk(5016)


def test_eighty_when_second_period_prints_outside_then_back_to_outside():
    rows = [*EX8_AB[:4], (ny(10, 0), 5011.00), (ny(10, 29), 5013.00)]
    rule = _run(rows)
    assert rule.state == EightyState.OUTSIDE
    assert rule.side == 1


def test_eighty_when_open_exactly_at_vah_then_not_outside():
    rule = _run([(ny(9, 30), 5010.00), (ny(9, 40), 5009.00)], allow_reentry_after_excursion=False)
    assert rule.state == EightyState.IDLE


def test_eighty_when_open_inside_and_reentry_disallowed_then_excursion_ignored():
    rule = _run([(ny(9, 30), 5005.00), (ny(9, 40), 5012.00)], allow_reentry_after_excursion=False)
    assert rule.state == EightyState.IDLE


def test_eighty_when_open_inside_then_later_excursion_sets_up_from_below():
    rows = [
        (ny(9, 30), 5005.00),
        (ny(9, 40), 4998.00),
        (ny(9, 59), 4999.00),
        (ny(10, 5), 5001.00),
        (ny(10, 29), 4999.50),
        (ny(10, 35), 5002.00),
        (ny(10, 59), 5003.00),
    ]
    rule = _run(rows)
    assert rule.side == -1
    assert rule.target_tick == VAH
    assert rule.triggered_ns == ny(11, 0)


def test_eighty_when_va_narrower_than_four_ticks_then_skipped():
    rule = EightyPercentRule(tk(5000), tk(5000.50))
    assert rule.state == EightyState.SKIPPED
    rule.on_print(ny(9, 30), tk(5003))
    rule.expire(ny(16, 0))
    assert rule.state == EightyState.SKIPPED


def test_eighty_when_session_closes_before_target_then_expired():
    rule = run_eighty(prints(EX8_AB), rth_periods(2), VAL, VAH)
    assert rule.state == EightyState.EXPIRED


def test_eighty_when_rearm_after_fail_then_idle_again():
    rule = _run([*EX8_AB, (ny(10, 40), 5015.25)], rearm_after_fail=True)
    assert rule.state == EightyState.IDLE
    assert [e.state for e in rule.events][-2:] == [EightyState.FAILED, EightyState.IDLE]


def test_eighty_when_val_above_vah_then_refused():
    with pytest.raises(ValueError, match="must not be above"):
        EightyPercentRule(tk(5010), tk(5000))


def test_overnight_eighty_when_triggered_and_target_open_then_pending():
    result = overnight_eighty(prints(EX8_AB), rth_periods(2), VAL, VAH)
    assert result.pending and not result.complete
    assert result.target_tick == VAL


def test_overnight_eighty_when_target_traded_overnight_then_complete():
    rows = [*EX8_AB, (ny(10, 45), 5000.00)]
    result = overnight_eighty(prints(rows), rth_periods(3), VAL, VAH)
    assert result.complete and not result.pending


def test_first_hour_traverse_when_open_in_top_fifth_and_travels_80_percent_then_true():
    assert first_hour_traverse(tk(5009), VAL, VAH, tk(5001), tk(5010))
    assert not first_hour_traverse(tk(5009), VAL, VAH, tk(5002), tk(5010))
    assert not first_hour_traverse(tk(5005), VAL, VAH, tk(4990), tk(5020))
