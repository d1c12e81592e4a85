"""`orderflow premarket` and `orderflow review`: the day's trade plan before the open and its grading after."""

from __future__ import annotations

import argparse
from datetime import date

from orderflow_lib.core import load_settings
from orderflow_lib.plan import build_plan_from_source, review_from_source
from orderflow_lib.research.premarket import run_premarket_notebook


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the plan commands."""
    pre = commands.add_parser(
        "premarket", help="print the pre-market trade plan for a date (Markdown)"
    )
    pre.add_argument("--date", type=date.fromisoformat, required=True, help="trade date YYYY-MM-DD")
    pre.add_argument(
        "--source", required=True, help="a Lean ES minute folder or Databento DBN file(s)"
    )
    pre.add_argument(
        "--notebook",
        action="store_true",
        help="run notebooks/03_premarket_hypothesis.ipynb headless and keep it (and HTML) under data/premarket",
    )
    pre.set_defaults(handler=_premarket)
    review = commands.add_parser("review", help="grade the date's plan against what the market did")
    review.add_argument(
        "--date", type=date.fromisoformat, required=True, help="trade date YYYY-MM-DD"
    )
    review.add_argument(
        "--source", required=True, help="a Lean ES minute folder or Databento DBN file(s)"
    )
    review.set_defaults(handler=_review)


def _premarket(args: argparse.Namespace) -> int:
    if args.notebook:
        notebook, html = run_premarket_notebook(args.date, args.source)
        print(f"executed notebook: {notebook}\nHTML copy: {html}")
        return 0
    plan = build_plan_from_source(args.date, args.source, load_settings(args.config))
    print(plan.to_markdown())
    return 0


def _review(args: argparse.Namespace) -> int:
    review = review_from_source(args.date, args.source, load_settings(args.config))
    print(review.to_markdown())
    return 0
