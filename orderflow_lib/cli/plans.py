"""`orderflow premarket` and `orderflow review`: the day's trade plan before the open and its grading after.

A date the source holds no data for is an error with exit status 2, so a cron job notices.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from orderflow_lib.cli.args import add_command, local_path, trade_date

if TYPE_CHECKING:
    from orderflow_lib.core import Settings
    from orderflow_lib.plan import Plan

NO_DATA_EXIT = 2
LEAN_EXAMPLE = "--date 2013-10-14 --source ../shared/data/lean-es-2013/minute"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the plan commands."""
    pre = add_command(
        commands,
        "premarket",
        "print the pre-market trade plan for a date (Markdown)",
        [f"orderflow premarket {LEAN_EXAMPLE}", f"orderflow premarket {LEAN_EXAMPLE} --notebook"],
        _premarket,
    )
    _add_date_and_source(pre)
    pre.add_argument(
        "--notebook",
        action="store_true",
        help="run notebooks/03_premarket_hypothesis.ipynb headless and keep it (and HTML) under data/premarket",
    )
    review = add_command(
        commands,
        "review",
        "grade the date's plan against what the market did",
        [f"orderflow review {LEAN_EXAMPLE}"],
        _review,
    )
    _add_date_and_source(review)


def _add_date_and_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=trade_date, required=True, help="trade date YYYY-MM-DD")
    parser.add_argument(
        "--source",
        type=local_path,
        required=True,
        help="a Lean ES minute folder or Databento DBN file(s); exit status 2 when it holds "
        "no data for the date",
    )


def _premarket(args: argparse.Namespace) -> int:
    from orderflow_lib.core import DataError, load_settings

    try:
        plan = _plan_with_data(args.date, args.source, load_settings(args.config))
    except DataError as exc:
        return _no_data(exc)
    if args.notebook:
        _run_notebook(args.date, args.source)
    else:
        print(plan.to_markdown())
    return 0


def _run_notebook(day: date, source: Path) -> None:
    from orderflow_lib.research.premarket import run_premarket_notebook

    notebook, html = run_premarket_notebook(day, source)
    print(f"executed notebook: {notebook}\nHTML copy: {html}")


def _review(args: argparse.Namespace) -> int:
    from orderflow_lib.core import DataError, load_settings
    from orderflow_lib.plan import review_from_source

    try:
        review = review_from_source(args.date, args.source, load_settings(args.config))
    except DataError as exc:
        return _no_data(exc)
    print(review.to_markdown())
    return 0


def _plan_with_data(day: date, source: Path, settings: Settings) -> Plan:
    """The plan for `day`; DataError when nothing traded in its overnight session before the open."""
    from orderflow_lib.core import DataError
    from orderflow_lib.plan import build_plan_from_source

    plan = build_plan_from_source(day, source, settings)
    if plan.last_price_tick is None:
        raise DataError(
            f"no data for {day} in {source}: nothing traded in its overnight session before "
            "the RTH open, so there is no plan"
        )
    return plan


def _no_data(exc: Exception) -> int:
    print(f"orderflow: {exc}", file=sys.stderr)
    return NO_DATA_EXIT
