"""Benchmark: generating one full synthetic ES day, against a plain numpy random walk of equal length.

Run: .venv/bin/python benchmarks/synthetic.py [--scale 1.0] [--repeat 3] [--seed 7]
Prints the best-of-N generation time with trades/s, quotes/s and depth updates/s, the time of a
baseline that only draws a ±1 random walk with sorted random timestamps for the same number of
events (the least any generator of that many events must do), their ratio, and the throughput
of the `iter_events` stream over the first RTH hour.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.synthetic import (
    generate_in_windows,
    iter_events,
    session_summary,
    standard_windows,
)

TRADE_DATE = date(2024, 3, 5)


def _best_of(repeat: int, run: Callable[[], object]) -> float:
    """Shortest wall time of `repeat` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _baseline_walk(n_events: int, open_ns: int, close_ns: int, seed: int) -> np.ndarray:
    """A ±1 tick random walk at sorted uniform times: the plain-numpy floor for n events."""
    rng = np.random.default_rng(seed)
    ts = np.sort(rng.integers(open_ns, close_ns, n_events))
    price = 20_000 + np.cumsum(rng.choice(np.array([-1, 1], dtype=np.int64), n_events))
    return np.stack([ts, price])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    windows = standard_windows(TRADE_DATE)
    generate_in_windows(windows, args.seed, scale=0.01)

    session = generate_in_windows(windows, args.seed, scale=args.scale)
    n_trades, n_quotes, n_depth = session.trades.size, session.quotes.size, session.depth.size
    n_events = n_trades + n_quotes + n_depth
    generate_s = _best_of(
        args.repeat, lambda: generate_in_windows(windows, args.seed, scale=args.scale)
    )
    baseline_s = _best_of(
        args.repeat,
        lambda: _baseline_walk(n_events, windows.open_ns, windows.close_ns, args.seed),
    )

    rth_open = windows.rth_open_ns
    assert rth_open is not None
    stream_start = time.perf_counter()
    streamed = sum(
        1 for _ in iter_events(session, start_ns=rth_open, end_ns=rth_open + 60 * NS_PER_MINUTE)
    )
    stream_s = time.perf_counter() - stream_start

    summary = session_summary(session)
    print(f"synthetic ES day {TRADE_DATE} seed {args.seed} scale {args.scale}: {session.day_type}")
    print(
        f"  events: {n_trades:,} trades ({summary['contracts']:,} contracts), "
        f"{n_quotes:,} quotes, {n_depth:,} depth updates"
    )
    print(
        f"  generate_in_windows: {generate_s:.3f} s (best of {args.repeat}) -> "
        f"{n_trades / generate_s:,.0f} trades/s, {n_quotes / generate_s:,.0f} quotes/s, "
        f"{n_depth / generate_s:,.0f} depth/s"
    )
    print(
        f"  baseline ±1 random walk of {n_events:,} events: {baseline_s:.3f} s -> "
        f"{n_events / baseline_s:,.0f} events/s"
    )
    print(f"  ratio generator / baseline: {generate_s / baseline_s:.1f}x")
    print(
        f"  iter_events, first RTH hour: {streamed:,} events in {stream_s:.3f} s -> "
        f"{streamed / stream_s:,.0f} events/s"
    )


if __name__ == "__main__":
    main()
