"""Acceptance and rejection at a level (spec §5.4): periods, fast mode, value building, rejection."""

from auction_builders import ny, rth_periods, tk

from orderflow_lib.auction.acceptance import AcceptanceKind, LevelAcceptance
from orderflow_lib.auction.tape import PeriodBuilder

X = tk(5000.00)


def _feed(tracker, rows, periods=None):
    builder = PeriodBuilder(periods or rth_periods())
    for ts, price in rows:
        for p in builder.on_print(ts, tk(price)):
            tracker.on_period_end(p)
        tracker.on_print(ts, tk(price))
    for p in builder.advance(rows[-1][0] + 1):
        tracker.on_period_end(p)
    return tracker


def test_acceptance_when_two_periods_hold_above_and_close_above_then_accepted_at_second_end():
    rows = [
        (ny(9, 30), 4999.75),
        (ny(9, 40), 5003.00),
        (ny(9, 59), 5001.00),
        (ny(10, 0), 5001.00),
        (ny(10, 15), 4999.75),
        (ny(10, 29), 5000.25),
        (ny(10, 31), 5000.25),
    ]
    tracker = _feed(LevelAcceptance(X), rows)
    event = tracker.first(AcceptanceKind.ACCEPTED, 1)
    assert event is not None and event.ts_ns == ny(10, 30)
    assert tracker.accepted_side == 1


def test_acceptance_when_second_period_dips_two_ticks_below_then_not_accepted():
    rows = [
        (ny(9, 30), 5001.00),
        (ny(9, 59), 5001.00),
        (ny(10, 0), 5001.00),
        (ny(10, 15), 4999.50),
        (ny(10, 29), 5001.00),
    ]
    tracker = _feed(LevelAcceptance(X), rows, rth_periods(2))
    assert tracker.first(AcceptanceKind.ACCEPTED, 1) is None


def test_acceptance_when_thirty_minutes_of_five_minute_closes_above_then_fast_acceptance():
    tracker = LevelAcceptance(X)
    for minute in range(30):
        tracker.on_print(ny(10, 2) + minute * 60_000_000_000, tk(5000.75))
    tracker.advance(ny(10, 35))
    event = tracker.first(AcceptanceKind.ACCEPTED, 1)
    assert event is not None and event.ts_ns == ny(10, 30)
    assert event.how.startswith("fast")


def test_acceptance_when_fast_window_has_print_below_tolerance_then_streak_resets():
    tracker = LevelAcceptance(X)
    for minute in range(30):
        price = 4999.25 if minute == 14 else 5000.75
        tracker.on_print(ny(10, 0) + minute * 60_000_000_000, tk(price))
    tracker.advance(ny(10, 31))
    assert tracker.first(AcceptanceKind.ACCEPTED, 1) is None


def test_acceptance_when_developing_poc_beyond_then_value_building_counts():
    tracker = LevelAcceptance(X)
    tracker.on_dpoc(ny(10, 0), tk(4998.00))
    event = tracker.last_acceptance()
    assert event is not None and event.side == -1 and event.how.startswith("value building")


def test_rejection_when_probe_above_returns_within_one_period_then_rejected():
    tracker = LevelAcceptance(X, home_side=-1)
    for ts, price in [
        (ny(9, 30), 4999.00),
        (ny(9, 40), 5000.25),
        (ny(9, 50), 5001.50),
        (ny(10, 5), 5000.00),
    ]:
        tracker.on_print(ts, tk(price))
    event = tracker.first(AcceptanceKind.REJECTED, 1)
    assert event is not None and event.ts_ns == ny(10, 5)


def test_rejection_when_return_comes_after_one_period_then_no_rejection():
    tracker = LevelAcceptance(X, home_side=-1)
    for ts, price in [(ny(9, 30), 4999.00), (ny(9, 40), 5000.25), (ny(10, 11), 4999.75)]:
        tracker.on_print(ts, tk(price))
    assert tracker.first(AcceptanceKind.REJECTED, 1) is None


def test_rejection_when_open_beyond_the_home_side_then_the_open_is_the_probe():
    tracker = LevelAcceptance(X, home_side=-1)
    for ts, price in [(ny(9, 30), 5002.00), (ny(9, 45), 4999.50)]:
        tracker.on_print(ts, tk(price))
    assert tracker.first(AcceptanceKind.REJECTED, 1) is not None


def test_acceptance_when_accepted_above_then_later_below_then_both_events_in_order():
    tracker = LevelAcceptance(X)
    tracker.on_dpoc(ny(10, 0), tk(5001))
    tracker.on_dpoc(ny(10, 30), tk(5001.25))
    tracker.on_dpoc(ny(11, 0), tk(4999))
    assert [(e.side, e.ts_ns) for e in tracker.events] == [(1, ny(10, 0)), (-1, ny(11, 0))]
