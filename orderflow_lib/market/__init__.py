"""Instruments, the CME/NYSE session calendar, market events, data readers and the synthetic market.

`ES` and `MES` are the two instrument specs; `TRADE_DTYPE` is the numpy dtype of a trade array
(ts_ns, price_ticks, size, side). The other dtypes, side and depth codes live in `market.events`."""

from orderflow_lib.market.calendar import Session, SessionCalendar, default_calendar
from orderflow_lib.market.events import TRADE_DTYPE, Bar, DepthUpdate, Quote, Trade
from orderflow_lib.market.instruments import ES, MES, Instrument, parse_contract
from orderflow_lib.market.readers import (
    read_dbn,
    read_lean_minute,
    read_trades_csv,
    read_trades_parquet,
    write_trades_parquet,
)
from orderflow_lib.market.validation import ValidationReport, validate_trades

__all__ = [
    "ES",
    "MES",
    "TRADE_DTYPE",
    "Bar",
    "DepthUpdate",
    "Instrument",
    "Quote",
    "Session",
    "SessionCalendar",
    "Trade",
    "ValidationReport",
    "default_calendar",
    "parse_contract",
    "read_dbn",
    "read_lean_minute",
    "read_trades_csv",
    "read_trades_parquet",
    "validate_trades",
    "write_trades_parquet",
]
