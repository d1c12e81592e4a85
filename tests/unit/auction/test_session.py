"""Session state of a moment (phase, trade date, TPO period) from the calendar."""

import datetime as dt

import pytest

from orderflow_lib.auction.session import SessionPhase, session_state
from orderflow_lib.core.timeconv import ny_to_ns


@pytest.mark.parametrize(
    ("day", "clock", "trade_date", "phase", "period"),
    [
        (
            dt.date(2024, 3, 5),
            dt.time(9, 45),
            dt.date(2024, 3, 5),
            SessionPhase.INITIAL_BALANCE,
            "A",
        ),
        (dt.date(2024, 3, 5), dt.time(10, 45), dt.date(2024, 3, 5), SessionPhase.RTH, "C"),
        (dt.date(2024, 3, 5), dt.time(8, 0), dt.date(2024, 3, 5), SessionPhase.OVERNIGHT, None),
        (dt.date(2024, 3, 4), dt.time(20, 0), dt.date(2024, 3, 5), SessionPhase.OVERNIGHT, None),
        (dt.date(2024, 3, 5), dt.time(16, 30), dt.date(2024, 3, 5), SessionPhase.POST_RTH, None),
        (dt.date(2024, 3, 9), dt.time(12, 0), dt.date(2024, 3, 11), SessionPhase.CLOSED, None),
        (dt.date(2013, 10, 14), dt.time(16, 20), dt.date(2013, 10, 14), SessionPhase.HALTED, None),
    ],
)
def test_session_state_when_moment_given_then_phase_and_period(
    day, clock, trade_date, phase, period
):
    state = session_state(ny_to_ns(day, clock))
    assert (state.trade_date, state.phase, state.period) == (trade_date, phase, period)


def test_session_state_when_in_rth_then_minutes_since_open():
    state = session_state(ny_to_ns(dt.date(2024, 3, 5), dt.time(11, 7)))
    assert state.minutes_into_rth == 97
