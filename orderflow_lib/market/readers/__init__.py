"""Market data readers: Databento DBN, Lean zips and CSV/Parquet trade exports (the only file readers)."""

from orderflow_lib.market.readers.dbn import (
    F_LAST,
    F_SNAPSHOT,
    MBO_ADD,
    MBO_CANCEL,
    MBO_CLEAR,
    MBO_DTYPE,
    MBO_FILL,
    MBO_MODIFY,
    MBO_TRADE,
    UNDEF_PRICE_TICKS,
    DbnRecords,
    dbn_instrument_symbols,
    dbn_mbo_array,
    dbn_trades_array,
    load_dbn_records,
    read_dbn,
)
from orderflow_lib.market.readers.exports import (
    read_trades_csv,
    read_trades_parquet,
    standard_trades,
    write_trades_parquet,
)
from orderflow_lib.market.readers.lean import lean_contract_id, read_lean_bars, read_lean_minute

__all__ = [
    "F_LAST",
    "F_SNAPSHOT",
    "MBO_ADD",
    "MBO_CANCEL",
    "MBO_CLEAR",
    "MBO_DTYPE",
    "MBO_FILL",
    "MBO_MODIFY",
    "MBO_TRADE",
    "UNDEF_PRICE_TICKS",
    "DbnRecords",
    "dbn_instrument_symbols",
    "dbn_mbo_array",
    "dbn_trades_array",
    "lean_contract_id",
    "load_dbn_records",
    "read_dbn",
    "read_lean_bars",
    "read_lean_minute",
    "read_trades_csv",
    "read_trades_parquet",
    "standard_trades",
    "write_trades_parquet",
]
