"""The generic mapper writes each record field to its column and reads the same record back."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from orderflow_lib.risk.records import (
    OrderAction,
    OrderRecord,
    OrderStatus,
    OrderType,
    SafetyLimits,
    SafetyState,
    TradingState,
)
from orderflow_lib.store import CvaArchiveRecord
from orderflow_lib.store.mapping import record_from_row, row_values

ORDER = OrderRecord(
    "o1",
    "s1",
    "MES",
    OrderAction.SELL,
    2,
    24_000,
    OrderStatus.SUBMITTED,
    10,
    20,
    order_type=OrderType.STOP,
    parent_id="p1",
)


def test_row_values_when_order_then_enums_stored_as_their_values_and_extra_added():
    values = row_values(ORDER, source="replay")

    assert (values["action"], values["status"], values["order_type"]) == (
        "SELL",
        "SUBMITTED",
        "STP",
    )
    assert type(values["action"]) is str
    assert values["source"] == "replay" and values["parent_id"] == "p1"


def test_record_from_row_when_order_row_then_same_record_with_enums():
    row = SimpleNamespace(**row_values(ORDER, source="replay"))

    assert record_from_row(OrderRecord, row) == ORDER
    assert record_from_row(OrderRecord, row).status is OrderStatus.SUBMITTED


def test_row_values_when_safety_state_then_limits_inline_and_instruments_a_list():
    state = SafetyState(
        trading_state=TradingState.REDUCING,
        breaker_trade_date=date(2024, 5, 29),
        limits=SafetyLimits(allowed_instruments=("ES", "MES")),
    )

    values = row_values(state)

    assert "limits" not in values and values["allowed_instruments"] == ["ES", "MES"]
    assert record_from_row(SafetyState, SimpleNamespace(**values)) == state


def test_record_from_row_when_archive_then_days_window_read_back_as_dates():
    entry = CvaArchiveRecord(
        date(2024, 5, 29),
        "ESM24",
        "replay",
        100,
        104,
        96,
        8,
        (date(2024, 5, 27), date(2024, 5, 28)),
        "balanced",
        "normal",
    )

    values = row_values(entry)

    assert values["days_window"] == ["2024-05-27", "2024-05-28"]
    assert record_from_row(CvaArchiveRecord, SimpleNamespace(**values)) == entry


def test_record_from_row_when_field_given_then_given_value_used():
    row = SimpleNamespace(**row_values(ORDER, parent_id=None))

    assert record_from_row(OrderRecord, row, parent_id="").parent_id == ""
