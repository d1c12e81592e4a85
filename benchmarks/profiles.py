"""Volume profile + value area throughput on synthetic ES trades, against baselines run here.

Builds `VolumeProfile.from_trades(prices, sizes).value_area()` from 1 M and 10 M seeded random-walk
trades and prints trades/s next to: a numpy `bincount` profile, a pandas `groupby` profile (both
profile only, no value area) and py-market-profile (`MarketProfile(df, tick_size=0.25,
mode="vol")`, one row per trade, profile + its value area). py-market-profile runs on a subset
and its per-trade rate is extrapolated (said in the output). Targets: >= 50 M trades/s and
>= 100x py-market-profile. Also measures the developing (per-trade) value area: the incremental
kernel against recomputing the whole value area after every trade.

Run: .venv/bin/python benchmarks/profiles.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from orderflow_lib.kernels.profile_value_area import _poc, _value_area
from orderflow_lib.profiles import DevelopingValueArea, VolumeProfile, developing_value_areas

TICK = 0.25
SEED = 20240102
SIZES = (1_000_000, 10_000_000)
MARKET_PROFILE_TRADES = 200_000
DEVELOPING_TRADES = 200_000
NAIVE_DEVELOPING_TRADES = 50_000
LIVE_TRADES = 50_000
TARGET_RATE = 50e6
TARGET_RATIO = 100.0


def synthetic_trades(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random-walk ES trades around 5000.00: (price_ticks, decimal prices, sizes)."""
    rng = np.random.default_rng(seed)
    steps = rng.choice(np.array([-1, 0, 1]), size=n, p=[0.25, 0.5, 0.25])
    ticks = 20_000 + np.cumsum(steps)
    sizes = rng.geometric(0.35, size=n).astype(np.int64)
    return ticks.astype(np.int64), ticks * TICK, sizes


def best_time(run: Callable[..., object], args: tuple[object, ...], repeats: int) -> float:
    """Fastest of `repeats` calls of run(*args), in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(*args)
        best = min(best, time.perf_counter() - start)
    return best


def bincount_profile(prices: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    ticks = np.rint(prices / TICK).astype(np.int64)
    return np.bincount(ticks - ticks.min(), weights=sizes)


def groupby_profile(prices: np.ndarray, sizes: np.ndarray) -> pd.Series:
    return pd.Series(sizes).groupby(prices).sum()


def market_profile(prices: np.ndarray, sizes: np.ndarray) -> object:
    from market_profile import MarketProfile

    index = pd.date_range("2024-01-02 14:30", periods=len(prices), freq="10ms", tz="UTC")
    frame = pd.DataFrame(
        {"Open": prices, "High": prices, "Low": prices, "Close": prices, "Volume": sizes},
        index=index,
    )
    profile = MarketProfile(frame, tick_size=TICK, mode="vol")
    return profile[index[0] : index[-1]].value_area


def engine(prices: np.ndarray, sizes: np.ndarray) -> object:
    return VolumeProfile.from_trades(prices, sizes, tick_size=TICK).value_area()


def engine_ticks(ticks: np.ndarray, sizes: np.ndarray) -> object:
    return VolumeProfile.from_ticks(ticks, sizes).value_area()


def naive_developing(ticks: np.ndarray, sizes: np.ndarray) -> None:
    """Recompute POC and the whole value area (numba kernels) after every trade, on the ladder
    of the rows traded so far."""
    base = int(ticks.min())
    ladder = np.zeros(int(ticks.max()) - base + 1, dtype=np.int64)
    low = high = int(ticks[0]) - base
    for tick, size in zip(ticks.tolist(), sizes.tolist(), strict=True):
        row = tick - base
        ladder[row] += size
        low, high = min(low, row), max(high, row)
        rows = ladder[low : high + 1]
        poc = _poc(rows, rows, False, 0, False, 0, 1, 0, 0)
        _value_area(rows, poc, 7, 10, 2, 0)


def main() -> None:
    print(__doc__.splitlines()[0])
    warm_ticks, warm_prices, warm_sizes = synthetic_trades(10_000, seed=1)
    engine(warm_prices, warm_sizes)
    developing_value_areas(warm_ticks, warm_sizes)

    _, mp_prices, mp_sizes = synthetic_trades(MARKET_PROFILE_TRADES)
    mp_seconds = best_time(market_profile, (mp_prices, mp_sizes), 1)
    mp_rate = MARKET_PROFILE_TRADES / mp_seconds
    print(
        f"py-market-profile: {MARKET_PROFILE_TRADES:,} trades in {mp_seconds:.3f} s = "
        f"{mp_rate / 1e6:.3f} M trades/s (run on this subset; extrapolated per trade below)"
    )

    rows = []
    for n in SIZES:
        ticks, prices, sizes = synthetic_trades(n)
        repeats = 5 if n <= 1_000_000 else 3
        reference = bincount_profile(prices, sizes)
        profile = VolumeProfile.from_trades(prices, sizes)
        assert np.array_equal(profile.volumes, reference.astype(np.int64)), "profiles disagree"
        timings = {
            "engine from_trades + value_area": best_time(engine, (prices, sizes), repeats),
            "engine from_ticks + value_area": best_time(engine_ticks, (ticks, sizes), repeats),
            "numpy bincount (profile only)": best_time(bincount_profile, (prices, sizes), repeats),
            "pandas groupby (profile only)": best_time(groupby_profile, (prices, sizes), 2),
        }
        print(f"\n{n:,} synthetic ES trades ({profile.n_rows} rows), best of {repeats}:")
        main_rate = n / timings["engine from_trades + value_area"]
        for name, seconds in timings.items():
            rate = n / seconds
            print(
                f"  {name:34s} {seconds * 1e3:9.2f} ms  {rate / 1e6:9.1f} M trades/s  "
                f"engine x{main_rate / rate:6.2f}"
            )
        mp_extrapolated = n / mp_rate
        print(
            f"  {'py-market-profile (extrapolated)':34s} {mp_extrapolated * 1e3:9.0f} ms  "
            f"{mp_rate / 1e6:9.3f} M trades/s  engine x{main_rate / mp_rate:6.0f}"
        )
        rows.append((n, main_rate, main_rate / mp_rate))

    print("\nTargets (engine from_trades + value_area):")
    for n, rate, ratio in rows:
        print(
            f"  {n:>12,} trades: {rate / 1e6:7.1f} M trades/s (target >= {TARGET_RATE / 1e6:.0f}: "
            f"{'met' if rate >= TARGET_RATE else 'NOT met'}), x{ratio:,.0f} py-market-profile "
            f"(target >= {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
        )

    ticks, _, sizes = synthetic_trades(DEVELOPING_TRADES)
    incremental = best_time(developing_value_areas, (ticks, sizes), 3)
    naive_n = NAIVE_DEVELOPING_TRADES
    naive = best_time(naive_developing, (ticks[:naive_n], sizes[:naive_n]), 1)
    live = DevelopingValueArea()
    start = time.perf_counter()
    for tick, size in zip(ticks[:LIVE_TRADES].tolist(), sizes[:LIVE_TRADES].tolist(), strict=True):
        live.update(tick, size)
    live_seconds = time.perf_counter() - start
    print("\nDeveloping POC/VA after every trade:")
    print(
        f"  incremental kernel (batch form)    {incremental / DEVELOPING_TRADES * 1e9:9.0f} ns/trade"
        f"  ({DEVELOPING_TRADES:,} trades)"
    )
    print(
        f"  full recompute per trade (kernels) {naive / naive_n * 1e9:9.0f} ns/trade"
        f"  ({naive_n:,} trades)  incremental x{(naive / naive_n) / (incremental / DEVELOPING_TRADES):.1f}"
    )
    print(
        f"  live update() one call per trade   {live_seconds / LIVE_TRADES * 1e9:9.0f} ns/trade"
        f"  ({LIVE_TRADES:,} trades, Python call and result tuple included)"
    )


if __name__ == "__main__":
    main()
