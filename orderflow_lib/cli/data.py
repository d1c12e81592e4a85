"""`orderflow backfill` and `orderflow import`: fill the store with daily profiles and rebuild value."""

from __future__ import annotations

import argparse
import asyncio

from orderflow_lib.core import load_settings
from orderflow_lib.research import backfill_from_ib, import_files
from orderflow_lib.store import open_store


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the data commands."""
    backfill = commands.add_parser(
        "backfill",
        help="load N days of 5-minute ES bars from IB, store each day's profiles, rebuild the CVA and archive",
    )
    backfill.add_argument(
        "--historical-days", type=int, default=7, help="trade dates to load (default 7)"
    )
    backfill.set_defaults(handler=_backfill)
    imp = commands.add_parser(
        "import", help="import DBN, Lean, CSV or Parquet files into the store"
    )
    imp.add_argument("paths", nargs="+", help="files or folders to import")
    imp.add_argument("--contract", help="contract of CSV/Parquet exports, e.g. ESZ24")
    imp.set_defaults(handler=_import)


def _backfill(args: argparse.Namespace) -> int:
    if args.historical_days < 1:
        raise SystemExit("orderflow: --historical-days must be at least 1")
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
    settings = load_settings(args.config)
    with open_store(settings.database_url) as store:
        report = import_files(store, args.paths, contract=args.contract, settings=settings)
    print(report.days.to_string(index=False))
    print(f"{report.saved} records saved, {report.changed} changed")
    for note in report.notes:
        print(f"note: {note}")
    return 0
