"""Every fake-gateway encoder decoded by ib_async's own Decoder (server versions 176 and 178)."""

from __future__ import annotations

from datetime import UTC, date
from unittest.mock import MagicMock

import pytest
from ib_async.decoder import Decoder

from orderflow_lib.testing.fake_gateway import encoders as enc
from orderflow_lib.testing.fake_gateway.protocol import FrameReader, encode_frame
from orderflow_lib.testing.fake_gateway.state import (
    Catalog,
    ExecutionRecord,
    OrderRecord,
    Position,
    liquid_hours,
    trading_hours,
)

VERSIONS = [176, 178]
CATALOG = Catalog(date(2026, 11, 23))
MES = CATALOG.by_local_symbol("MESZ6")
ES = CATALOG.by_local_symbol("ESZ6")


def decode(version: int, fields: enc.Fields) -> MagicMock:
    """Frame, split and decode one message; return the mocked wrapper that received it."""
    wrapper = MagicMock()
    wrapper.defaultTimezone = UTC
    (message,) = FrameReader().feed(encode_frame(fields))
    Decoder(wrapper, version).interpret(message)
    return wrapper


def order(status: str = "Submitted") -> OrderRecord:
    return OrderRecord(7, 17, 900_000_001, MES, "BUY", 2.0, "MKT", "", "DU1234567", status)


@pytest.mark.parametrize("version", VERSIONS)
def test_open_order_when_decoded_then_ids_contract_and_status(version: int) -> None:
    w = decode(version, enc.open_order(version, order("Inactive")))
    order_id, contract, ib_order, state = w.openOrder.call_args.args
    assert (order_id, ib_order.clientId, ib_order.permId) == (7, 17, 900_000_001)
    assert (ib_order.action, ib_order.totalQuantity, ib_order.orderType) == ("BUY", 2.0, "MKT")
    assert (contract.conId, contract.localSymbol) == (MES.con_id, "MESZ6")
    assert state.status == "Inactive"
    assert ib_order.whatIf is False


@pytest.mark.parametrize("version", VERSIONS)
def test_order_status_when_decoded_then_keyed_by_client_and_order_id(version: int) -> None:
    record = order()
    record.filled, record.avg_fill_price, record.last_fill_price = 1.0, 6000.25, 6000.25
    w = decode(version, enc.order_status(record))
    w.orderStatus.assert_called_once_with(
        7, "Submitted", 1.0, 1.0, 6000.25, 900_000_001, 0, 6000.25, 17, "", 0.0
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_exec_details_and_commission_when_decoded_then_fill_fields(version: int) -> None:
    ex = ExecutionRecord("e.1", order(), 1_795_000_000, 1.0, 6000.25, 1.0, 6000.25, 0.62)
    w = decode(version, enc.exec_details(version, -1, ex))
    req_id, contract, execution = w.execDetails.call_args.args
    assert (req_id, contract.localSymbol, execution.execId, execution.side) == (
        -1,
        "MESZ6",
        "e.1",
        "BOT",
    )
    assert (execution.shares, execution.price, execution.permId, execution.clientId) == (
        1.0,
        6000.25,
        900_000_001,
        17,
    )
    assert execution.time.timestamp() == 1_795_000_000
    report = decode(version, enc.commission_report(ex)).commissionReport.call_args.args[0]
    assert (report.execId, report.commission, report.currency) == ("e.1", 0.62, "USD")


@pytest.mark.parametrize("version", VERSIONS)
def test_contract_details_when_decoded_then_contfut_and_trading_hours(version: int) -> None:
    fields = enc.contract_details(
        version,
        3,
        ES,
        sec_type="CONTFUT",
        trading_hours=trading_hours(CATALOG.today),
        liquid_hours=liquid_hours(CATALOG.today),
    )
    req_id, details = decode(version, fields).contractDetails.call_args.args
    c = details.contract
    assert (req_id, c.secType, c.conId, c.localSymbol) == (3, "CONTFUT", ES.con_id, "ESZ6")
    assert (c.lastTradeDateOrContractMonth, c.multiplier, details.minTick) == (
        "20261218",
        "50",
        0.25,
    )
    assert details.timeZoneId == "US/Central"
    assert details.tradingHours.startswith("20261122:1700-20261123:1600")


@pytest.mark.parametrize("version", VERSIONS)
def test_position_when_decoded_then_avg_cost_with_multiplier(version: int) -> None:
    w = decode(version, enc.position("DU1234567", Position(MES, 1.0, 30_001.25)))
    account, contract, quantity, avg_cost = w.position.call_args.args
    assert (account, contract.localSymbol, quantity, avg_cost) == (
        "DU1234567",
        "MESZ6",
        1.0,
        30_001.25,
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_error_when_decoded_then_code_and_text(version: int) -> None:
    w = decode(version, enc.error(version, 7, 201, "Order rejected"))
    w.error.assert_called_once_with(7, 201, "Order rejected", "")


@pytest.mark.parametrize("version", VERSIONS)
def test_ticks_when_decoded_then_wrapper_tick_calls(version: int) -> None:
    decode(version, enc.tick_price(5, 1, 5999.75, 11)).priceSizeTick.assert_called_once_with(
        5, 1, 5999.75, 11.0
    )
    decode(version, enc.tick_size(5, 8, 40)).tickSize.assert_called_once_with(5, 8, 40.0)
    decode(
        version, enc.tick_by_tick_last(6, 2, 1_795_000_000, 6000.25, 3)
    ).tickByTickAllLast.assert_called_once()
    w = decode(version, enc.tick_by_tick_last(6, 2, 1_795_000_000, 6000.25, 3))
    assert w.tickByTickAllLast.call_args.args[:5] == (6, 2, 1_795_000_000, 6000.25, 3.0)
    w = decode(version, enc.tick_by_tick_bid_ask(8, 1_795_000_001, 6000.0, 6000.25, 4, 9))
    assert w.tickByTickBidAsk.call_args.args[:6] == (8, 1_795_000_001, 6000.0, 6000.25, 4.0, 9.0)
    decode(version, enc.tick_req_params(5, 0.25)).tickReqParams.assert_called_once_with(
        5, 0.25, "", 3
    )
    decode(version, enc.market_data_type(5, 3)).marketDataType.assert_called_once_with(5, 3)


@pytest.mark.parametrize("version", VERSIONS)
def test_depth_when_decoded_then_row_operations(version: int) -> None:
    decode(
        version, enc.update_mkt_depth(4, 0, 0, 1, 5999.75, 10)
    ).updateMktDepth.assert_called_once_with(4, 0, 0, 1, 5999.75, 10.0)
    decode(
        version, enc.update_mkt_depth_l2(4, 1, "CME", 1, 0, 6000.0, 5, True)
    ).updateMktDepthL2.assert_called_once_with(4, 1, "CME", 1, 0, 6000.0, 5.0, True)


@pytest.mark.parametrize("version", VERSIONS)
def test_historical_data_when_decoded_then_bars_and_end(version: int) -> None:
    bars = [("1795000200", 6000.0, 6000.5, 5999.5, 6000.25, 120.0, 6000.1, 12)]
    w = decode(version, enc.historical_data(9, "20261116 00:00:00", "20261123 00:00:00", bars))
    req_id, bar = w.historicalData.call_args.args
    assert (req_id, bar.date, bar.open, bar.high, bar.low, bar.close, bar.volume) == (
        9,
        "1795000200",
        6000.0,
        6000.5,
        5999.5,
        6000.25,
        120.0,
    )
    w.historicalDataEnd.assert_called_once_with(9, "20261116 00:00:00", "20261123 00:00:00")


@pytest.mark.parametrize("version", VERSIONS)
def test_account_messages_when_decoded_then_values_and_ends(version: int) -> None:
    decode(
        version, enc.account_value("NetLiquidation", "100000.00", "GBP", "DU1")
    ).updateAccountValue.assert_called_once_with("NetLiquidation", "100000.00", "GBP", "DU1")
    decode(
        version, enc.account_summary(4, "DU1", "ExchangeRate", "0.787402", "USD")
    ).accountSummary.assert_called_once_with(4, "DU1", "ExchangeRate", "0.787402", "USD")
    decode(
        version, enc.account_update_multi(5, "DU1", "CashBalance", "1.0", "GBP")
    ).accountUpdateMulti.assert_called_once_with(5, "DU1", "", "CashBalance", "1.0", "GBP")
    decode(version, enc.pnl(6, 2.5, 2.5, 0.0)).pnl.assert_called_once_with(6, 2.5, 2.5, 0.0)
    decode(
        version, enc.portfolio_value(Position(MES, 1.0, 30_001.25), 6001.25, "DU1")
    ).updatePortfolio.assert_called_once()


@pytest.mark.parametrize("version", VERSIONS)
def test_session_messages_when_decoded_then_wrapper_calls(version: int) -> None:
    decode(version, enc.managed_accounts(["DU1", "DU2"])).managedAccounts.assert_called_once_with(
        "DU1,DU2"
    )
    decode(version, enc.next_valid_id(12)).nextValidId.assert_called_once_with(12)
    decode(version, enc.current_time(1_795_000_000)).currentTime.assert_called_once_with(
        1_795_000_000
    )
    decode(version, enc.account_update_time("19:40")).updateAccountTime.assert_called_once_with(
        "19:40"
    )
    decode(version, enc.contract_details_end(3)).contractDetailsEnd.assert_called_once_with(3)
    decode(version, enc.open_order_end()).openOrderEnd.assert_called_once_with()
    decode(version, enc.account_download_end("DU1")).accountDownloadEnd.assert_called_once_with(
        "DU1"
    )
    decode(version, enc.exec_details_end(4)).execDetailsEnd.assert_called_once_with(4)
    decode(version, enc.position_end()).positionEnd.assert_called_once_with()
    decode(version, enc.account_summary_end(4)).accountSummaryEnd.assert_called_once_with(4)
    decode(version, enc.account_update_multi_end(5)).accountUpdateMultiEnd.assert_called_once_with(
        5
    )
    decode(version, enc.completed_orders_end()).completedOrdersEnd.assert_called_once_with()
