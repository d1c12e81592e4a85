"""Backtest speed: cached synthetic full ES days through the backtest (the node's own trading loop
per day, walk-forward) on one worker and on two Dask workers, against the node replaying the same
day measured in the same run.

Targets: one worker at least 80% of the node's replay speed; two workers at least 1.7x one
worker. The days are generated once per seed and cached as Parquet under data/cache (the first
run also prints how long that took); later runs read them back. The days run three ways: in this
process (already warm from the node replay), on a one-worker and on a two-worker local Dask
cluster (`research.parallel.local_cluster`, as `orderflow backtest` starts it). Dask workers are
prepared (kernels and calendar loaded) when the cluster starts, before the clock starts, as a
running cluster is. The scaling target compares the two Dask runs, so both pay the same
scheduling costs; the ratio to the run in this process is printed too.

Run: .venv/bin/python benchmarks/backtest.py [--days 20] [--scale 1.0] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path

from replay import run_node

from orderflow_lib.core.config import Settings
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.research.backtest import backtest_totals, prepare_worker, run_backtest
from orderflow_lib.research.backtest_sources import SyntheticChain
from orderflow_lib.research.parallel import local_cluster, prepare_workers

DATA = Path(__file__).resolve().parents[1] / "data"
LAST_DAY = date(2026, 11, 27)


def node_replay_eps(source: SyntheticChain, day: date) -> float:
    """The node replaying one cached day at full speed (DOM metrics on), in events/s."""
    events = source.events(day)
    priors = source.priors(day)

    async def history(trade_date, contract, src):  # type: ignore[no-untyped-def]
        return [p for p in priors if p.date < trade_date]

    summary, _, seconds = asyncio.run(
        run_node(events, FeedInfo("replay", ""), batch=4_096, dom_metrics=True, history=history)
    )
    return summary.events / seconds


def backtest_eps(
    source: SyntheticChain, days: list[date], workers: int | None
) -> tuple[float, float]:
    """(events/s, seconds) of the backtest over `days` on a local Dask cluster of `workers`
    workers, or serially in this process (None). It also prints the CPU seconds the run used (in
    the worker processes and in this one, which holds the Dask scheduler and client) and the load
    average: when other programs share the cores, wall time says little, while CPU seconds show
    what fanning out itself costs."""
    settings = Settings()
    load = os.getloadavg()[0]
    if workers is None:
        started, here = time.perf_counter(), time.process_time()
        results = run_backtest(source, days, settings, workers=1, progress=False)
        seconds = time.perf_counter() - started
        worker_cpu, own_cpu = time.process_time() - here, 0.0
    else:
        with local_cluster(workers) as client:
            prepare_workers(client, partial(prepare_worker, settings))
            before = client.run(time.process_time)
            started, here = time.perf_counter(), time.process_time()
            results = run_backtest(source, days, settings, client=client, progress=False)
            seconds = time.perf_counter() - started
            after = client.run(time.process_time)
        worker_cpu = sum(after[w] - before[w] for w in after)
        own_cpu = time.process_time() - here
    totals = backtest_totals(results)
    print(
        f"  {'in this process' if workers is None else f'{workers} Dask worker(s)'}: "
        f"{len(days)} days, {totals.trades} trades, P&L GBP {totals.pnl_gbp:.2f}, in "
        f"{seconds:.1f} s; CPU {worker_cpu:.1f} s in the workers, {own_cpu:.1f} s in this "
        f"process (load average {load:.1f} at the start)"
    )
    return sum(r.events for r in results) / seconds, seconds


def main(argv: Sequence[str] | None = None) -> None:
    """Print the figures and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    dates = [d for d in default_calendar().trade_dates(date(2026, 9, 1), LAST_DAY)]
    first = dates[-args.days]
    started = time.perf_counter()
    source, days = SyntheticChain.covering(
        first, LAST_DAY, seed=args.seed, scale=args.scale, data_dir=DATA
    )
    print(
        f"{len(days)} synthetic days {days[0]}..{days[-1]} (seed {args.seed}, scale {args.scale}) "
        f"ready in {time.perf_counter() - started:.1f} s (cached under {source.cache_dir})"
    )
    node = node_replay_eps(source, days[-1])
    print(f"node replay of {days[-1]}: {node:,.0f} events/s (DOM metrics on)")
    serial, serial_s = backtest_eps(source, days, None)
    one, one_s = backtest_eps(source, days, 1)
    two, two_s = backtest_eps(source, days, 2)
    print(
        f"backtest, in this process: {serial:,.0f} events/s = {serial / node:.2f}x the node replay"
    )
    print(f"backtest, one Dask worker: {one:,.0f} events/s = {one / node:.2f}x the node replay")
    print(
        f"backtest, two Dask workers: {two:,.0f} events/s = {two / one:.2f}x one Dask worker, "
        f"{two / serial:.2f}x the run in this process"
    )
    print(
        f"{len(days)} cached full days: {serial_s:.1f} s in this process, {one_s:.1f} s on one "
        f"Dask worker, {two_s:.1f} s on two"
    )
    print(
        f"target one worker >= 0.80x node replay: {'met' if one >= 0.8 * node else 'NOT met'}; "
        f"target two workers >= 1.70x one worker: {'met' if two >= 1.7 * one else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
