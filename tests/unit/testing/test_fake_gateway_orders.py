"""The fake gateway's order handling: placeOrder parsing of bracket fields, bracket fields in its
messages as ib_async decodes them, stop/limit fill rules, and the bracket/OCA lifecycle."""

from __future__ import annotations

from datetime import UTC, date
from unittest.mock import MagicMock

import pytest
from ib_async import Future
from ib_async.client import Client
from ib_async.decoder import Decoder

from orderflow_lib.adapters.ibkr.order_build import BracketRefs, bracket_orders
from orderflow_lib.testing.fake_gateway import encoders as enc
from orderflow_lib.testing.fake_gateway.context import GatewayContext
from orderflow_lib.testing.fake_gateway.orders import OrderFill, parse_place_order, resting_fill
from orderflow_lib.testing.fake_gateway.protocol import FrameReader, decode_payload, encode_frame
from orderflow_lib.testing.fake_gateway.scenarios import GatewayScenario, OrderMode
from orderflow_lib.testing.fake_gateway.state import (
    HELD,
    Catalog,
    ExecutionRecord,
    GatewayState,
    OrderRecord,
)

VERSIONS = [176, 178]
CATALOG = Catalog(date(2026, 11, 23))
MES = CATALOG.by_local_symbol("MESZ6")
REFS = BracketRefs("p-1", "s-1", "t-1", "oca-1")


def sent_bracket(version: int) -> list[list[str]]:
    """The three placeOrder messages ib_async's Client sends for one of our brackets."""
    client = Client(MagicMock())
    client.connState = Client.CONNECTED
    client._serverVersion = version
    sent: list[list[str]] = []
    client.sendMsg = lambda msg: sent.append(decode_payload(msg.encode()))  # type: ignore[method-assign]
    contract = Future(conId=MES.con_id, symbol="MES", exchange="CME", localSymbol="MESZ6")
    for offset, order in enumerate(bracket_orders(40, 1, 2, 5995.0, 6010.0, REFS)):
        client.placeOrder(40 + offset, contract, order)
    return sent


def parsed(fields: list[str], version: int) -> OrderRecord:
    return parse_place_order(
        fields, version, contract=MES, client_id=17, perm_id=1, default_account="DU1"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_place_order_when_client_sends_bracket_then_fake_reads_every_bracket_field(
    version: int,
) -> None:
    parent, stop, target = (parsed(f, version) for f in sent_bracket(version))

    assert (parent.order_id, parent.order_type, parent.action, parent.quantity) == (
        40,
        "MKT",
        "BUY",
        2.0,
    )
    assert (parent.transmit, parent.parent_id, parent.order_ref, parent.oca_group) == (
        False,
        0,
        "p-1",
        "",
    )
    assert (stop.order_type, stop.action, float(stop.aux_price), stop.lmt_price) == (
        "STP",
        "SELL",
        5995.0,
        "",
    )
    assert (target.order_type, float(target.lmt_price), target.aux_price) == ("LMT", 6010.0, "")
    for child, ref, transmit in ((stop, "s-1", False), (target, "t-1", True)):
        assert (child.order_ref, child.parent_id, child.transmit) == (ref, 40, transmit)
        assert (child.oca_group, child.oca_type, child.tif, child.outside_rth) == (
            "oca-1",
            1,
            "GTC",
            True,
        )
    assert (parent.tif, parent.outside_rth, parent.account) == ("DAY", False, "DU1")


def child_record(status: str = "PreSubmitted") -> OrderRecord:
    return OrderRecord(
        8,
        17,
        900_000_003,
        MES,
        "SELL",
        2.0,
        "STP",
        "",
        "DU1234567",
        status,
        aux_price="5995.0",
        tif="GTC",
        oca_group="oca-1",
        oca_type=1,
        order_ref="s-1",
        parent_id=7,
        outside_rth=True,
    )


def decode(version: int, fields: enc.Fields) -> MagicMock:
    wrapper = MagicMock()
    wrapper.defaultTimezone = UTC
    (message,) = FrameReader().feed(encode_frame(fields))
    Decoder(wrapper, version).interpret(message)
    return wrapper


@pytest.mark.parametrize("version", VERSIONS)
def test_open_order_when_bracket_child_then_ib_async_sees_bracket_fields(version: int) -> None:
    _, _, order, state = decode(
        version, enc.open_order(version, child_record())
    ).openOrder.call_args.args

    assert (order.orderType, order.auxPrice, order.orderRef, order.parentId) == (
        "STP",
        5995.0,
        "s-1",
        7,
    )
    assert (order.ocaGroup, order.ocaType, order.tif, order.outsideRth) == ("oca-1", 1, "GTC", True)
    assert state.status == "PreSubmitted"


@pytest.mark.parametrize("version", VERSIONS)
def test_order_status_and_exec_details_when_child_then_parent_id_and_order_ref(
    version: int,
) -> None:
    record = child_record("Submitted")
    status_args = decode(version, enc.order_status(record)).orderStatus.call_args.args
    ex = ExecutionRecord("e.1", record, 1_795_000_000, 2.0, 5994.75, 2.0, 5994.75, 1.24)
    _, _, execution = decode(version, enc.exec_details(version, -1, ex)).execDetails.call_args.args

    assert (status_args[0], status_args[6]) == (8, 7)
    assert (execution.orderRef, execution.orderId, execution.side) == ("s-1", 8, "SLD")


def resting(action: str, order_type: str, price: str, quantity: float = 2.0) -> OrderRecord:
    prices = {"aux_price": price} if order_type == "STP" else {"lmt_price": price}
    record = OrderRecord(1, 17, 1, MES, action, quantity, order_type, "", "DU1", "Submitted")
    for name, value in prices.items():
        setattr(record, name, value)
    return record


@pytest.mark.parametrize(
    ("order", "price", "size", "expected"),
    [
        (resting("SELL", "STP", "5995.0"), 5995.25, 1, None),
        (resting("SELL", "STP", "5995.0"), 5995.00, 1, OrderFill(2.0, 5995.00)),
        (resting("SELL", "STP", "5995.0"), 5990.00, 1, OrderFill(2.0, 5990.00)),
        (resting("BUY", "STP", "6005.0"), 6005.25, 1, OrderFill(2.0, 6005.25)),
        (resting("BUY", "LMT", "5990.0"), 5990.00, 5, None),
        (resting("BUY", "LMT", "5990.0"), 5989.75, 5, OrderFill(2.0, 5990.00)),
        (resting("SELL", "LMT", "6010.0"), 6010.25, 1, OrderFill(1.0, 6010.00)),
        (resting("SELL", "MKT", ""), 6010.25, 1, None),
    ],
)
def test_resting_fill_when_trade_prints_then_paper_stop_and_limit_rules(
    order: OrderRecord, price: float, size: float, expected: OrderFill | None
) -> None:
    assert resting_fill(order, price, size) == expected


def context(mode: OrderMode = "fill") -> GatewayContext:
    scenario = GatewayScenario()
    scenario.orders.mode = mode
    return GatewayContext(GatewayState(catalog=CATALOG), scenario, lambda: 1_795_000_000.0, 178)


def records() -> tuple[OrderRecord, OrderRecord, OrderRecord]:
    """Parent 1 (BUY 2 at market), stop 2 and target 3 (SELL 2, one OCA group), as sent."""
    parent = OrderRecord(1, 17, 1, MES, "BUY", 2.0, "MKT", "", "DU1", transmit=False)
    child = {"oca_group": "oca-1", "oca_type": 1, "parent_id": 1, "tif": "GTC"}
    stop = OrderRecord(
        2, 17, 2, MES, "SELL", 2.0, "STP", "", "DU1", aux_price="5995.0", transmit=False, **child
    )
    target = OrderRecord(3, 17, 3, MES, "SELL", 2.0, "LMT", "6010.0", "DU1", **child)
    return parent, stop, target


def bracket(ctx: GatewayContext) -> tuple[OrderRecord, OrderRecord, OrderRecord]:
    """Accept the three orders of `records()` in sending order."""
    orders = records()
    for order in orders:
        ctx.accept_order(order)
    return orders


def test_bracket_when_not_transmitted_then_held_until_last_child_transmits() -> None:
    ctx = context()
    parent, stop, target = records()
    ctx.accept_order(parent)
    ctx.accept_order(stop)
    assert (parent.status, stop.status) == (HELD, HELD)

    ctx.accept_order(target)

    assert parent.status == "Filled"
    assert (stop.status, target.status) == ("Submitted", "Submitted")


def test_bracket_when_parent_not_filled_then_children_wait_presubmitted() -> None:
    ctx = context("hold")
    parent, stop, target = bracket(ctx)
    assert (parent.status, stop.status, target.status) == (
        "Submitted",
        "PreSubmitted",
        "PreSubmitted",
    )
    ctx.trade_printed(MES.con_id, 5990.00, 1)
    assert stop.filled == 0

    ctx.fill(parent, 2.0, 6000.25)
    assert (stop.status, target.status) == ("Submitted", "Submitted")


def test_oca_when_one_child_fills_then_sibling_cancelled_and_position_flat() -> None:
    ctx = context()
    _, stop, target = bracket(ctx)

    ctx.trade_printed(MES.con_id, 5994.75, 1)

    assert (stop.status, stop.avg_fill_price, target.status) == ("Filled", 5994.75, "Cancelled")
    assert ctx.state.positions[MES.con_id].quantity == 0


def test_oca_when_one_child_partially_fills_then_sibling_shrinks_by_the_fill() -> None:
    ctx = context()
    _, stop, target = bracket(ctx)

    ctx.trade_printed(MES.con_id, 6010.25, 1)

    assert (target.status, target.filled, target.remaining) == ("Submitted", 1.0, 1.0)
    assert (stop.status, stop.quantity) == ("Submitted", 1.0)
    ctx.trade_printed(MES.con_id, 6010.25, 1)
    assert (target.status, stop.status) == ("Filled", "Cancelled")


def test_cancel_when_parent_cancelled_before_fill_then_children_cancelled() -> None:
    ctx = context("hold")
    parent, stop, target = bracket(ctx)

    ctx.cancel_by_client(parent)

    assert (parent.status, stop.status, target.status) == ("Cancelled", "Cancelled", "Cancelled")


def test_accept_when_parent_unknown_then_child_rejected() -> None:
    ctx = context()
    orphan = OrderRecord(
        5, 17, 5, MES, "SELL", 1.0, "STP", "", "DU1", aux_price="5995.0", parent_id=99
    )

    ctx.accept_order(orphan)

    assert orphan.status == "Inactive"
