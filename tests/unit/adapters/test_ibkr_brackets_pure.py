"""Pure parts of IB brackets: the ib_async orders we build, the checks on a bracket's intents, and
IB trades mapped back to OpenOrder (parent named by its order ref)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from ib_async import CommissionReport, Execution, Fill, Future, Order, OrderStatus, Trade

from orderflow_lib.adapters.ibkr.broker import check_bracket
from orderflow_lib.adapters.ibkr.errors import IbkrError
from orderflow_lib.adapters.ibkr.open_orders import is_working_ours, open_order_of, order_refs
from orderflow_lib.adapters.ibkr.order_build import BracketRefs, bracket_orders, resting_order
from orderflow_lib.execution import OpenOrder
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import OrderIntent, OrderType

REFS = BracketRefs("p-1", "s-1", "t-1", "oca-1")
MES = Future(conId=730202612, symbol="MES", localSymbol="MESZ6", exchange="CME")


def test_bracket_orders_when_long_then_held_market_parent_and_oca_children_last_transmits() -> None:
    parent, stop, target = bracket_orders(40, 1, 2, 5995.0, 6010.0, REFS)

    assert (parent.orderId, parent.orderType, parent.action, parent.totalQuantity) == (
        40,
        "MKT",
        "BUY",
        2,
    )
    assert (parent.transmit, parent.orderRef, parent.ocaGroup) == (False, "p-1", "")
    assert (stop.orderType, stop.action, stop.auxPrice, stop.transmit) == (
        "STP",
        "SELL",
        5995.0,
        False,
    )
    assert (target.orderType, target.action, target.lmtPrice, target.transmit) == (
        "LMT",
        "SELL",
        6010.0,
        True,
    )
    for child, ref in ((stop, "s-1"), (target, "t-1")):
        assert (child.parentId, child.orderRef, child.ocaGroup, child.ocaType) == (
            40,
            ref,
            "oca-1",
            1,
        )
        assert (child.tif, child.outsideRth) == ("GTC", True)


def test_bracket_orders_when_short_then_children_buy_above_and_below() -> None:
    _, stop, target = bracket_orders(40, -1, 1, 6010.0, 5995.0, REFS)
    assert (stop.action, stop.auxPrice, target.action, target.lmtPrice) == (
        "BUY",
        6010.0,
        "BUY",
        5995.0,
    )


@pytest.mark.parametrize(
    ("side", "stop", "target", "refs", "match"),
    [
        (1, 6010.0, 5995.0, REFS, "losing side"),
        (-1, 5995.0, 6010.0, REFS, "losing side"),
        (1, 5995.0, 6010.0, BracketRefs("p", "s", "t", ""), "oca_group"),
        (0, 5995.0, 6010.0, REFS, "side"),
    ],
)
def test_bracket_orders_when_inconsistent_then_error_names_the_problem(
    side: int, stop: float, target: float, refs: BracketRefs, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        bracket_orders(40, side, 1, stop, target, refs)


def test_resting_order_when_market_type_then_refused() -> None:
    with pytest.raises(ValueError, match="STP or LMT"):
        resting_order(1, 1, OrderType.MARKET, 6000.0, "x")


PARENT = OrderIntent("sig", "MES", OrderAction.BUY, 2, 24_001, 0, "p-1")
STOP = OrderIntent(
    "sig", "MES", OrderAction.SELL, 2, 23_980, 0, "s-1", OrderType.STOP, "p-1", "oca-1"
)
TARGET = OrderIntent(
    "sig", "MES", OrderAction.SELL, 2, 24_040, 0, "t-1", OrderType.LIMIT, "p-1", "oca-1"
)


def test_check_bracket_when_well_formed_then_accepted() -> None:
    check_bracket(PARENT, STOP, TARGET)


@pytest.mark.parametrize(
    ("which", "changes", "match"),
    [
        (0, {"order_type": OrderType.LIMIT}, "must be a MARKET order"),
        (1, {"parent_id": "p-9"}, "must name parent 'p-1'"),
        (1, {"action": OrderAction.BUY}, "must SELL 2"),
        (2, {"quantity": 1}, "must SELL 2"),
        (2, {"oca_group": "oca-2"}, "share one non-empty oca_group"),
        (2, {"price_ticks": 23_970}, "losing side"),
    ],
)
def test_check_bracket_when_malformed_then_broker_error_names_it(
    which: int, changes: dict[str, object], match: str
) -> None:
    bracket = [PARENT, STOP, TARGET]
    bracket[which] = replace(bracket[which], **changes)  # type: ignore[arg-type]
    with pytest.raises(IbkrError, match=match):
        check_bracket(*bracket)


def trade(order: Order, status: str = "Submitted", filled: float = 0.0) -> Trade:
    return Trade(MES, order, OrderStatus(orderId=order.orderId, status=status, filled=filled))


def child_trade(status: str = "Submitted") -> Trade:
    _, stop, _ = bracket_orders(40, 1, 2, 5995.0, 6010.0, REFS)
    stop.orderId, stop.clientId = 41, 17
    return trade(stop, status)


def parent_fill(client_id: int = 17) -> Fill:
    execution = Execution(execId="e.1", orderId=40, clientId=client_id, orderRef="p-1")
    return Fill(MES, execution, CommissionReport(), datetime(2026, 11, 23, tzinfo=UTC))


def test_open_order_of_when_parent_filled_earlier_then_parent_named_from_executions() -> None:
    child = child_trade()
    refs = order_refs([child], [parent_fill()], client_id=17)

    assert open_order_of(child, refs, 0.25) == OpenOrder(
        order_id="s-1",
        broker_order_id="41",
        instrument="MES",
        action=OrderAction.SELL,
        order_type=OrderType.STOP,
        quantity=2,
        filled=0,
        price_ticks=23_980,
        parent_id="p-1",
        oca_group="oca-1",
    )


def test_open_order_of_when_parent_unknown_then_parent_id_empty() -> None:
    refs = order_refs([], [parent_fill(client_id=99)], client_id=17)
    assert open_order_of(child_trade(), refs, 0.25).parent_id == ""


def test_open_order_of_when_order_type_not_ours_then_error_names_it() -> None:
    order = Order(
        orderId=5, clientId=17, action="BUY", totalQuantity=1, orderType="TRAIL", orderRef="x"
    )
    with pytest.raises(IbkrError, match="TRAIL"):
        open_order_of(trade(order), {}, 0.25)


@pytest.mark.parametrize(
    ("status", "client_id", "expected"),
    [
        ("Submitted", 17, True),
        ("PreSubmitted", 17, True),
        ("Filled", 17, False),
        ("Submitted", 3, False),
    ],
)
def test_is_working_ours_when_status_and_client_vary_then_only_live_orders_of_this_client(
    status: str, client_id: int, expected: bool
) -> None:
    assert is_working_ours(child_trade(status), client_id) is expected
