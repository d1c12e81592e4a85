"""Pure parts of the IB adapter: roll dates, error kinds, quote rule, order states, backfill
helpers and the pacing limiter."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orderflow_lib.adapters.ibkr import (
    ErrorKind,
    OrderState,
    PacingLimiter,
    bars_to_array,
    classify_error,
    last_complete_trade_date,
    quote_rule_side,
    recent_trade_dates,
    roll_date,
    trade_date_of,
)
from orderflow_lib.adapters.ibkr.orders import order_state
from orderflow_lib.core.errors import OffGridPriceError
from orderflow_lib.core.timeconv import datetime_to_ns
from orderflow_lib.market.events import BUY, SELL, UNKNOWN


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("200803", date(2008, 3, 13)),
        ("20120615", date(2012, 6, 7)),
        ("202606", date(2026, 6, 11)),
        ("20261218", date(2026, 12, 10)),
        ("202706", date(2027, 6, 10)),
    ],
)
def test_roll_date_when_contract_month_then_third_friday_minus_8_days(
    month: str, expected: date
) -> None:
    assert roll_date(month) == expected


def test_roll_date_when_not_a_month_then_value_error_names_it() -> None:
    with pytest.raises(ValueError, match="'ESZ6'"):
        roll_date("ESZ6")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1100, ErrorKind.CONNECTIVITY_LOST),
        (1101, ErrorKind.RESTORED_DATA_LOST),
        (1102, ErrorKind.RESTORED_DATA_KEPT),
        (354, ErrorKind.NO_ENTITLEMENT),
        (10189, ErrorKind.NO_ENTITLEMENT),
        (10167, ErrorKind.DELAYED_DATA),
        (309, ErrorKind.LIMIT_REACHED),
        (162, ErrorKind.HISTORY),
        (201, ErrorKind.ORDER_REJECTED),
        (2104, ErrorKind.FARM_STATUS),
        (507, ErrorKind.OTHER),
    ],
)
def test_classify_error_when_code_then_kind(code: int, kind: ErrorKind) -> None:
    assert classify_error(code) == kind


def test_quote_rule_when_domain_example_then_buy_sell_sell() -> None:
    assert quote_rule_side(20_001, 20_000, 20_001) == BUY
    assert quote_rule_side(20_000, 20_000, 20_001) == SELL
    assert quote_rule_side(20_001, 20_001, 20_002) == SELL


@pytest.mark.parametrize(
    ("price", "bid", "ask"),
    [(20_001, None, None), (20_001, 20_001, 20_001), (20_001, 20_000, 20_002)],
)
def test_quote_rule_when_no_quote_locked_or_inside_then_unknown(
    price: int, bid: int | None, ask: int | None
) -> None:
    assert quote_rule_side(price, bid, ask) == UNKNOWN


@pytest.mark.parametrize(
    ("status", "filled", "code", "state"),
    [
        ("PendingSubmit", 0, None, OrderState.PENDING),
        ("Submitted", 0, None, OrderState.SUBMITTED),
        ("Submitted", 1, None, OrderState.PARTIALLY_FILLED),
        ("Filled", 2, None, OrderState.FILLED),
        ("Cancelled", 0, 201, OrderState.REJECTED),
        ("Cancelled", 0, 202, OrderState.CANCELLED),
        ("Cancelled", 0, None, OrderState.CANCELLED),
        ("Inactive", 0, None, OrderState.REJECTED),
    ],
)
def test_order_state_when_ib_status_then_our_state(
    status: str, filled: int, code: int | None, state: OrderState
) -> None:
    assert order_state(status, filled, code) == state


def test_order_state_terminal_when_filled_cancelled_rejected_then_true() -> None:
    assert {s for s in OrderState if s.terminal} == {
        OrderState.FILLED,
        OrderState.CANCELLED,
        OrderState.REJECTED,
    }


def test_trade_date_of_when_globex_evening_then_next_day() -> None:
    evening = datetime_to_ns(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))
    afternoon = datetime_to_ns(datetime(2026, 11, 23, 21, 55, tzinfo=UTC))
    assert trade_date_of(evening) == date(2026, 11, 23)
    assert trade_date_of(afternoon) == date(2026, 11, 23)


def test_recent_trade_dates_when_seven_days_then_weekdays_oldest_first() -> None:
    assert recent_trade_dates(date(2026, 11, 23), 3) == [
        date(2026, 11, 19),
        date(2026, 11, 20),
        date(2026, 11, 23),
    ]
    with pytest.raises(ValueError, match="days must be >= 1, was 0"):
        recent_trade_dates(date(2026, 11, 23), 0)


def test_last_complete_trade_date_when_before_and_after_close_then_previous_or_same() -> None:
    before = datetime_to_ns(datetime(2026, 11, 23, 21, 0, tzinfo=UTC))
    after = datetime_to_ns(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))
    sunday = datetime_to_ns(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    assert last_complete_trade_date(before) == date(2026, 11, 20)
    assert last_complete_trade_date(after) == date(2026, 11, 23)
    assert last_complete_trade_date(sunday) == date(2026, 11, 20)


class _Bar:
    def __init__(self, price: float) -> None:
        self.date = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
        self.open = self.high = self.low = self.close = price
        self.volume = 10.0


def test_bars_to_array_when_on_grid_then_ticks_and_when_off_grid_then_error() -> None:
    out = bars_to_array([_Bar(6000.25)], 0.25)  # type: ignore[list-item]
    assert (out["open_ticks"][0], out["volume"][0]) == (24_001, 10)
    with pytest.raises(OffGridPriceError, match=r"6000\.1"):
        bars_to_array([_Bar(6000.1)], 0.25)  # type: ignore[list-item]


class FakeTime:
    """Monotonic time that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_pacing_limiter_when_window_full_then_waits_until_oldest_leaves() -> None:
    clock = FakeTime()
    limiter = PacingLimiter(
        3, window_s=10.0, min_gap_s=1.0, monotonic=clock.monotonic, sleep=clock.sleep
    )
    for _ in range(4):
        await limiter.acquire()
    assert clock.sleeps == [1.0, 1.0, 8.0]


def test_pacing_limiter_when_bad_limits_then_value_error() -> None:
    with pytest.raises(ValueError, match="max_requests must be >= 1, was 0"):
        PacingLimiter(0)
