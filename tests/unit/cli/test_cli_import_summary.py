"""The one-line summary `orderflow import` prints for each file."""

from datetime import date
from pathlib import Path

import pandas as pd

from orderflow_lib.cli.data import file_summary
from orderflow_lib.research.ingest import ImportReport


def report(*rows: tuple[date, str, int]) -> ImportReport:
    """An import report whose days are (trade_date, contract, records) rows."""
    return ImportReport(days=pd.DataFrame(rows, columns=["trade_date", "contract", "records"]))


def test_file_summary_when_several_days_then_contract_rows_and_date_span():
    line = file_summary(
        Path("/data/minute"),
        report((date(2013, 10, 8), "ESZ13", 1_200), (date(2013, 10, 7), "ESZ13", 1_372)),
    )
    assert line == "minute: ESZ13, 2,572 rows, trade dates 2013-10-07 to 2013-10-08"


def test_file_summary_when_one_day_two_contracts_then_both_named():
    line = file_summary(
        Path("roll.csv"), report((date(2024, 3, 14), "ESM24", 5), (date(2024, 3, 14), "ESH24", 3))
    )
    assert line == "roll.csv: ESH24, ESM24, 8 rows, trade date 2024-03-14"


def test_file_summary_when_no_days_then_says_no_trades():
    assert file_summary(Path("empty.csv"), report()) == "empty.csv: no trades found"
