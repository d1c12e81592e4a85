"""Catalog, account rows, depth book, fills, history synthesis and request parsing of the fake."""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest.mock import MagicMock

import pytest
from ib_async import ContFuture, Future, MarketOrder
from ib_async.client import Client

from orderflow_lib.testing.fake_gateway import history
from orderflow_lib.testing.fake_gateway.protocol import decode_payload
from orderflow_lib.testing.fake_gateway.session import parse_contract
from orderflow_lib.testing.fake_gateway.state import (
    AccountState,
    Catalog,
    ContractQuery,
    DepthBook,
    GatewayState,
    OrderRecord,
)

CATALOG = Catalog(date(2026, 11, 23))


def test_catalog_when_built_then_five_quarterly_expiries_per_root() -> None:
    es = [c.local_symbol for c in CATALOG.contracts if c.symbol == "ES"]
    assert es == ["ESZ6", "ESH7", "ESM7", "ESU7", "ESZ7"]
    assert CATALOG.by_local_symbol("MESZ6").last_trade_date == "20261218"
    assert CATALOG.by_local_symbol("ESH7").last_trade_date == "20270319"


def test_catalog_match_when_query_fields_set_then_ib_style_matches() -> None:
    assert len(CATALOG.match(ContractQuery(symbol="ES", sec_type="FUT", exchange="CME"))) == 5
    assert [
        c.local_symbol
        for c in CATALOG.match(
            ContractQuery(symbol="MES", sec_type="FUT", last_trade_date="202703")
        )
    ] == ["MESH7"]
    assert [
        c.local_symbol for c in CATALOG.match(ContractQuery(symbol="ES", sec_type="CONTFUT"))
    ] == ["ESZ6"]
    assert CATALOG.match(ContractQuery(symbol="NQ", sec_type="FUT")) == []


def test_catalog_when_unknown_local_symbol_then_key_error_names_it() -> None:
    with pytest.raises(KeyError, match="ESX9"):
        CATALOG.by_local_symbol("ESX9")


def test_account_rows_when_gbp_base_then_ledger_exchange_rate_for_usd() -> None:
    rows = AccountState().summary_rows()
    assert ("NetLiquidation", "100000.00", "GBP") in rows
    assert ("ExchangeRate", "0.787402", "USD") in rows


def test_depth_book_when_insert_update_delete_then_rows_shift() -> None:
    book = DepthBook()
    book.apply(1, 0, 0, 5999.75, 10)
    book.apply(1, 0, 0, 6000.00, 5)
    book.apply(1, 1, 1, 5999.75, 12)
    book.apply(1, 0, 2, 0.0, 0)
    assert book.bids == [(5999.75, 12)]
    with pytest.raises(ValueError, match="operation"):
        book.apply(0, 0, 3, 1.0, 1)


def test_apply_fill_when_buy_then_sell_through_then_position_and_avg_cost() -> None:
    state = GatewayState(catalog=CATALOG)
    mes = CATALOG.by_local_symbol("MESZ6")
    buy = OrderRecord(1, 1, 11, mes, "BUY", 2.0, "MKT", "", "DU")
    state.apply_fill(buy, 1.0, 6000.00, 0, 0.62)
    state.apply_fill(buy, 1.0, 6001.00, 0, 0.62)
    assert (buy.status, buy.avg_fill_price) == ("Filled", 6000.50)
    assert (state.positions[mes.con_id].quantity, state.positions[mes.con_id].avg_cost) == (
        2.0,
        30_002.5,
    )
    sell = OrderRecord(2, 1, 12, mes, "SELL", 3.0, "MKT", "", "DU")
    state.apply_fill(sell, 3.0, 6002.00, 0, 0.0)
    assert (state.positions[mes.con_id].quantity, state.positions[mes.con_id].avg_cost) == (
        -1.0,
        30_010.0,
    )


def test_in_session_when_globex_hours_then_break_and_weekend_excluded() -> None:
    def at(*args: int) -> int:
        return int(datetime(*args, tzinfo=UTC).timestamp())

    assert history.in_session(at(2026, 11, 23, 14, 0), use_rth=False)
    assert not history.in_session(at(2026, 11, 23, 22, 30), use_rth=False)
    assert not history.in_session(at(2026, 11, 21, 12, 0), use_rth=False)
    assert history.in_session(at(2026, 11, 22, 23, 0), use_rth=False)
    assert not history.in_session(at(2026, 11, 22, 22, 0), use_rth=False)
    assert not history.in_session(at(2026, 11, 23, 13, 0), use_rth=True)
    assert history.in_session(at(2026, 11, 23, 15, 0), use_rth=True)


def test_bars_for_when_one_globex_day_then_276_five_minute_bars() -> None:
    end = int(datetime(2026, 11, 23, 22, 0, tzinfo=UTC).timestamp())
    rows = history.bars_for(history.HistoryRequest(end, 86_400, 300, False, 2))
    assert len(rows) == 23 * 12
    assert rows[0][0] == str(int(datetime(2026, 11, 22, 23, 0, tzinfo=UTC).timestamp()))


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (history.parse_duration, "7 days"),
        (history.parse_bar_size, "1 day"),
        (history.parse_bar_size, "five mins"),
    ],
)
def test_history_parsers_when_bad_text_then_error_names_it(parse: object, text: str) -> None:
    with pytest.raises(history.HistoryRequestError, match=repr(text)):
        parse(text)  # type: ignore[operator]


def captured(version: int = 178) -> tuple[Client, list[list[str]]]:
    """An ib_async Client whose outgoing messages are captured as field lists."""
    client = Client(MagicMock())
    client.connState = Client.CONNECTED
    client._serverVersion = version
    sent: list[list[str]] = []
    client.sendMsg = lambda msg: sent.append(decode_payload(msg.encode()))  # type: ignore[method-assign]
    return client, sent


def test_parse_contract_when_client_sends_requests_then_fake_reads_the_contract() -> None:
    client, sent = captured()
    es = Future(
        conId=640202612,
        symbol="ES",
        lastTradeDateOrContractMonth="20261218",
        exchange="CME",
        localSymbol="ESZ6",
    )
    client.reqMktData(5, es, "", False, False, [])
    client.reqTickByTickData(6, es, "AllLast", 0, False)
    client.reqMktDepth(7, es, 10, False, None)
    client.reqContractDetails(8, ContFuture("ES", "CME"))
    client.reqHistoricalData(
        9, es, "20261120 22:00:00 UTC", "1 D", "5 mins", "TRADES", False, 2, False, []
    )
    client.placeOrder(10, es, MarketOrder("BUY", 1))
    mkt, tbt, depth, details, hist, place = sent
    assert parse_contract(mkt, 3).con_id == 640202612
    assert (parse_contract(tbt, 2).local_symbol, tbt[14]) == ("ESZ6", "AllLast")
    assert (parse_contract(depth, 3).exchange, depth[15], depth[16]) == ("CME", "10", "0")
    assert parse_contract(details, 3) == ContractQuery(
        symbol="ES", sec_type="CONTFUT", exchange="CME"
    )
    assert (hist[15], hist[16], hist[17], hist[18], hist[20]) == (
        "20261120 22:00:00 UTC",
        "5 mins",
        "1 D",
        "0",
        "2",
    )
    assert (place[1], place[16], place[17], place[18]) == ("10", "BUY", "1", "MKT")
