"""`orderflow backtest`: trade the plan over a range of days on the node's own decision path,
walk-forward, fanned out over Dask; a per-day table, the totals, and an HTML report."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from orderflow_lib.cli.args import add_command, at_least_one, trade_date
from orderflow_lib.ui.wording import (
    counts_words,
    grade_words,
    regime_words,
    side_words,
    skip_words,
)

if TYPE_CHECKING:
    from orderflow_lib.research.backtest import DayResult, Totals


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the backtest command."""
    parser = add_command(
        commands,
        "backtest",
        "trade the plan over a range of days with the paper broker, as the node would",
        [
            "orderflow backtest --from 2026-11-02 --to 2026-11-27 --source synthetic --seed 7",
            "orderflow backtest --from 2013-10-14 --to 2013-10-14 "
            "--source ../shared/data/lean-es-2013/minute",
            "orderflow backtest --from 2026-11-02 --to 2026-11-06 --source synthetic "
            "--scheduler tcp://10.0.0.5:8786",
        ],
        _backtest,
    )
    parser.add_argument("--from", dest="start", type=trade_date, required=True, help="first day")
    parser.add_argument("--to", dest="end", type=trade_date, required=True, help="last day")
    parser.add_argument(
        "--source",
        required=True,
        help="'synthetic', or a Lean ES minute folder (its 1-minute bars become trades)",
    )
    parser.add_argument("--seed", type=int, default=7, help="synthetic market seed (default 7)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="synthetic activity scale, 1.0 = a full ES day (default 1.0)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="an existing Dask scheduler (tcp://host:8786); default: a local cluster",
    )
    parser.add_argument(
        "--workers", type=at_least_one, default=2, help="local cluster workers (default 2)"
    )


def _backtest(args: argparse.Namespace) -> int:
    from pathlib import Path

    from orderflow_lib.core import DataError, load_settings
    from orderflow_lib.research.backtest import backtest_totals, run_backtest
    from orderflow_lib.research.backtest_files import source_for

    settings = load_settings(args.config)
    if args.end < args.start:
        print(f"orderflow: --to {args.end} is before --from {args.start}")
        return 2
    try:
        source, days = source_for(
            args.source,
            args.start,
            args.end,
            seed=args.seed,
            scale=args.scale,
            data_dir=Path(settings.data_dir),
        )
    except DataError as exc:
        print(f"orderflow: {exc}")
        return 2
    with _dask(args) as client:
        results = run_backtest(source, days, settings, client=client)
    totals = backtest_totals(results)
    print(day_table(results))
    print(totals_text(totals))
    saved = _save(results, totals, settings, args)
    if saved:
        print(saved)
    return 0


@contextmanager
def _dask(args: argparse.Namespace) -> Iterator[Any]:
    """A Dask client: the given scheduler, or a local cluster of `--workers` processes."""
    from distributed import Client

    from orderflow_lib.research.parallel import local_cluster

    if args.scheduler:
        with Client(args.scheduler) as client:
            yield client
        return
    with local_cluster(args.workers) as client:
        yield client


def _save(results: list[DayResult], totals: Totals, settings: Any, args: argparse.Namespace) -> str:
    """Keep the run: the HTML report under data/backtests and the results in the store."""
    from pathlib import Path

    from orderflow_lib.research.backtest_files import store_backtest
    from orderflow_lib.ui.backtest_report import write_backtest_report

    name = f"{settings.config_hash()}-{args.start.isoformat()}-{args.end.isoformat()}"
    html = write_backtest_report(
        results, totals, Path(settings.data_dir) / "backtests" / f"{name}.html"
    )
    stored = store_backtest(settings, results, totals, source=args.source, seed=args.seed)
    return f"report: {html}\nstored: {stored}"


def day_table(results: list[DayResult]) -> str:
    """The per-day table in words: plan, scenarios by grade, entries, skips, trades, R and P&L."""
    lines = [
        f"{'day':<11} {'regime':<21} {'bias':<8} {'scenarios by grade':<40} {'in':>3} "
        f"{'trades':>6} {'R':>6} {'GBP':>9}  skipped"
    ]
    for r in results:
        grades = counts_words(r.grades, grade_words, "no plan")
        skips = counts_words(r.skips, skip_words, "-")
        regime = "-" if r.regime is None else regime_words(r.regime)
        bias = "-" if r.bias is None else side_words(r.bias)
        lines.append(
            f"{r.trade_date.isoformat():<11} {regime:<21} {bias:<8} "
            f"{grades:<40} {r.entries:>3} {len(r.trips):>6} {r.r:>6.2f} {r.pnl_gbp:>9.2f}  {skips}"
        )
    return "\n".join(lines)


def totals_text(t: Totals) -> str:
    """The totals in plain words."""

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.0%}"

    def num(x: float | None, digits: int = 2) -> str:
        return "n/a" if x is None else f"{x:.{digits}f}"

    grades = counts_words(t.grades, grade_words, "none")
    skips = counts_words(t.skips, skip_words, "none")
    return "\n".join(
        [
            f"days {t.days}, trades {t.trades} ({t.wins} won, {t.losses} lost), win rate "
            f"{pct(t.win_rate)}, average R {num(t.average_r)}, expectancy GBP "
            f"{num(t.expectancy_gbp)} a trade, profit factor {num(t.profit_factor)}",
            f"P&L GBP {t.pnl_gbp:.2f}, maximum drawdown GBP {t.max_drawdown_gbp:.2f}, Sharpe over "
            f"all {t.days} days {num(t.sharpe)}",
            f"scenarios by grade: {grades}",
            f"entries skipped by reason: {skips}",
        ]
    )
