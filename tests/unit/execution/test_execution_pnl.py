"""P&L per spec §1.1 (worked examples) and the position book."""

import pytest

from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution import PositionBook, tick_value_usd, trade_pnl_usd, usd_to_gbp
from orderflow_lib.market.events import price_to_ticks

TICK = 0.25


def _ticks(price: float) -> int:
    return price_to_ticks(price, TICK)


def test_trade_pnl_when_long_2_mes_5000_to_5003_25_then_32_50_usd():
    assert trade_pnl_usd(_ticks(5000.00), _ticks(5003.25), 1, 2, tick_value_usd("MES")) == 32.50


def test_trade_pnl_when_long_1_es_same_move_then_162_50_usd():
    assert trade_pnl_usd(_ticks(5000.00), _ticks(5003.25), 1, 1, tick_value_usd("ES")) == 162.50


def test_trade_pnl_when_short_1_mes_5003_25_to_5000_then_plus_16_25_usd():
    assert trade_pnl_usd(_ticks(5003.25), _ticks(5000.00), -1, 1, tick_value_usd("MES")) == 16.25


def test_trade_pnl_when_side_not_plus_minus_one_then_error_names_value():
    with pytest.raises(ValueError, match="side must be"):
        trade_pnl_usd(0, 1, 0, 1, 1.25)


def test_tick_value_when_unknown_instrument_then_broker_error():
    with pytest.raises(BrokerError, match="'NQ'"):
        tick_value_usd("NQ")


def test_usd_to_gbp_when_rate_0_8_then_converted_and_bad_rate_refused():
    assert usd_to_gbp(-625.0, 0.8) == -500.0
    with pytest.raises(ValueError, match="gbp_per_usd"):
        usd_to_gbp(1.0, 0.0)


def test_position_book_when_round_trip_then_realized_matches_formula():
    book = PositionBook()
    book.apply_fill("MES", 2, _ticks(5000.00))
    realized = book.apply_fill("MES", -2, _ticks(5003.25))
    assert realized == 32.50
    assert book.quantities() == {}
    assert book.realized_usd() == 32.50


def test_position_book_when_adding_then_average_entry_weighted():
    book = PositionBook()
    book.apply_fill("MES", 1, 100)
    book.apply_fill("MES", 1, 104)
    assert book.positions["MES"].avg_entry_ticks == 102.0
    assert book.unrealized_usd({"MES": 106.0}) == 4 * 2 * 1.25


def test_position_book_when_fill_flips_position_then_rest_opens_at_fill_price():
    book = PositionBook()
    book.apply_fill("MES", 1, 100)
    realized = book.apply_fill("MES", -3, 110)
    assert realized == 10 * 1.25
    position = book.positions["MES"]
    assert (position.quantity, position.avg_entry_ticks) == (-2, 110.0)
