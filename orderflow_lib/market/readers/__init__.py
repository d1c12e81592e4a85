"""Market data readers: Databento DBN, Lean zips and CSV/Parquet trade exports (the only file readers),
and `Source`, which tells what kind of market data a path holds."""

from orderflow_lib.market.readers.dbn import (
    DbnRecords,
    dbn_mbo_array,
    dbn_trades_array,
    load_dbn_records,
    read_dbn,
)
from orderflow_lib.market.readers.exports import (
    read_trades_csv,
    read_trades_parquet,
    write_trades_parquet,
)
from orderflow_lib.market.readers.lean import read_lean_bars, read_lean_minute
from orderflow_lib.market.readers.source import Source

__all__ = [
    "DbnRecords",
    "Source",
    "dbn_mbo_array",
    "dbn_trades_array",
    "load_dbn_records",
    "read_dbn",
    "read_lean_bars",
    "read_lean_minute",
    "read_trades_csv",
    "read_trades_parquet",
    "write_trades_parquet",
]
