"""`orderflow backfill` and `orderflow import`: fill the store with daily profiles and rebuild value."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orderflow_lib.cli.args import add_command, at_least_one, local_path

if TYPE_CHECKING:
    from orderflow_lib.research.ingest import ImportReport


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the data commands."""
    backfill = add_command(
        commands,
        "backfill",
        "load N days of 5-minute ES bars from IB, store each day's profiles, rebuild the CVA and archive",
        ["orderflow backfill", "orderflow backfill --historical-days 20"],
        _backfill,
    )
    backfill.add_argument(
        "--historical-days",
        type=at_least_one,
        default=7,
        metavar="N",
        help="trade dates to load (default 7)",
    )
    imp = add_command(
        commands,
        "import",
        "import DBN, Lean, CSV or Parquet files into the store",
        [
            "orderflow import ../shared/data/lean-es-2013/minute",
            "orderflow import trades.csv --contract ESZ24",
        ],
        _import,
    )
    imp.add_argument(
        "paths",
        nargs="+",
        type=local_path,
        help="files or folders to import (relative paths are read from the current folder)",
    )
    imp.add_argument("--contract", help="contract of CSV/Parquet exports, e.g. ESZ24")


def _backfill(args: argparse.Namespace) -> int:
    import asyncio

    from orderflow_lib.core import load_settings
    from orderflow_lib.research import backfill_from_ib
    from orderflow_lib.store import open_store

    settings = load_settings(args.config)
    with open_store(settings.database_url) as store:
        report = asyncio.run(backfill_from_ib(store, days=args.historical_days, settings=settings))
    print(
        f"contract {report.contract}: {report.stored.saved} records saved, {report.stored.changed} changed"
    )
    if report.rebuilt is not None:
        print(
            f"rebuilt {report.rebuilt.composites} composites and {report.rebuilt.archive} archive entries"
        )
    if report.empty_dates:
        print("no bars from IB for: " + ", ".join(str(d) for d in report.empty_dates))
    return 0


def _import(args: argparse.Namespace) -> int:
    from orderflow_lib.core import DataError, load_settings
    from orderflow_lib.research import import_files
    from orderflow_lib.store import open_store

    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        raise DataError("no such file or folder: " + ", ".join(missing))
    settings = load_settings(args.config)
    saved = changed = 0
    with open_store(settings.database_url) as store:
        for path in args.paths:
            try:
                report = import_files(
                    store, path, contract=args.contract, settings=settings, progress=False
                )
            except DataError as exc:
                print(f"orderflow: {exc}", file=sys.stderr)
                print(_stopped_at(path, saved), file=sys.stderr)
                return 2
            print(file_summary(path, report))
            for note in report.notes:
                print(f"  note: {note}")
            saved, changed = saved + report.saved, changed + report.changed
    print(f"{saved} records saved, {changed} changed")
    return 0


def _stopped_at(path: Path, saved: int) -> str:
    """What the store holds after an import stopped at a bad file."""
    before = f"; the {saved} records of the files before it stay saved" if saved else ""
    return f"import stopped: nothing was stored from {path.name}{before}"


def file_summary(path: Path, report: ImportReport) -> str:
    """One line for an imported file: its contracts, rows read and first and last trade date."""
    days = report.days
    if days.empty:
        return f"{path.name}: no trades found"
    contracts = ", ".join(sorted(days["contract"].unique()))
    first, last = days["trade_date"].min(), days["trade_date"].max()
    span = f"trade date {first}" if first == last else f"trade dates {first} to {last}"
    return f"{path.name}: {contracts}, {int(days['records'].sum()):,} rows, {span}"
