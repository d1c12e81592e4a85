"""Fill rows rebuilt from the broker's executions: only what no stored row covers, only for known
orders, and never twice (property: after rebuilding, each order's rows add up to its largest
cumulative quantity, and a second rebuild adds nothing)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow_lib.execution.events import Fill
from orderflow_lib.node.fill_rows import (
    fill_record,
    row_from_order,
    rows_from_executions,
    stored_quantity,
)
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus
from orderflow_lib.risk.venue import OrderType


def _executions(order_id: str, sizes: list[int], start: int = 0) -> list[Fill]:
    out, cumulative = [], 0
    for k, size in enumerate(sizes):
        cumulative += size
        out.append(
            Fill(order_id, "7", f"E{order_id}-{start + k}", "MES", OrderAction.SELL, size,
                 24_000 + k, cumulative, 1_000 + k)
        )  # fmt: skip
    return out


def test_rows_when_store_has_none_then_one_row_per_execution_with_the_sink_exec_id():
    executions = _executions("o1", [1, 2])

    rows = rows_from_executions(["o1"], [], executions)

    assert rows == [fill_record(f) for f in executions]
    assert rows[0].exec_id == "o1:Eo1-0"


def test_rows_when_order_unknown_then_nothing_added():
    assert rows_from_executions(["o2"], [], _executions("o1", [1])) == []


def test_rows_when_a_rebuilt_row_covers_part_then_only_the_rest_added():
    executions = _executions("o1", [2, 1])
    covering = fill_record(executions[0])
    rebuilt = type(covering)(
        "o1:rebuilt:1", "o1", "MES", OrderAction.SELL, 1, 24_000, 0.0, "USD", 1_000
    )

    rows = rows_from_executions(["o1"], [rebuilt], executions)

    assert [(r.quantity, r.exec_id) for r in rows] == [(1, "o1:Eo1-0:part"), (1, "o1:Eo1-1")]


def test_row_from_order_when_fill_rows_short_then_the_rest_at_the_average_price():
    order = OrderRecord(
        order_id="o1", signal_id="s", instrument="MES", action=OrderAction.BUY, quantity=3,
        price_ticks=24_000, order_type=OrderType.MARKET, status=OrderStatus.FILLED,
        filled_quantity=3, filled_price_ticks=24_002, created_ts_ns=1, updated_ts_ns=2,
    )  # fmt: skip
    stored = [fill_record(_executions("o1", [1])[0])]

    row = row_from_order(order, stored)

    assert row is not None
    assert (row.quantity, row.price_ticks) == (2, 24_003)


@settings(max_examples=60, deadline=None)
@given(
    orders=st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.tuples(st.lists(st.integers(1, 3), min_size=1, max_size=5), st.integers(0, 5)),
        min_size=1,
    )
)
def test_rows_when_rebuilt_from_any_stored_prefix_then_totals_match_and_second_pass_adds_none(
    orders: dict[str, tuple[list[int], int]],
):
    executions, stored = [], []
    for order_id, (sizes, kept) in orders.items():
        fills = _executions(order_id, sizes)
        executions.extend(fills)
        stored.extend(fill_record(f) for f in fills[:kept])

    rows = rows_from_executions(orders, stored, executions)
    again = rows_from_executions(orders, stored + rows, executions)

    totals = stored_quantity(stored + rows)
    expected: dict[str, int] = defaultdict(int)
    for fill in executions:
        expected[fill.order_id] = max(expected[fill.order_id], fill.cumulative_quantity)
    assert dict(totals) == dict(expected)
    assert again == []
