"""Order-flow speed: trades/s of a 1-minute footprint over 1 M and 10 M synthetic trades (seeded
numpy) next to a pandas groupby baseline measured in the same run, interleaved with it so both
see the same machine load (target >= 20 M trades/s and >= 10x pandas; best of --repeat runs each),
and book updates/s of the MBO book and the DOM metrics on real Databento data.

Run: .venv/bin/python benchmarks/orderflow.py [--sizes 1000000 10000000] [--repeat 3]

Data for the book part: Databento GLBX.MDP3 extracts (ESM4, ESH4 MBO), published as test fixtures
by the NautilusTrader project (LGPL-3.0 repository); see ../shared/data/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from orderflow_lib.flow.dom import dom_metrics
from orderflow_lib.flow.footprint import build_footprint, footprint
from orderflow_lib.flow.mbo import replay_mbo_messages
from orderflow_lib.flow.trades import trade_arrays
from orderflow_lib.market.readers.dbn import dbn_mbo_array

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.mbo import MboBook

T = TypeVar("T")
TICK = 0.25
MINUTE_NS = 60_000_000_000
DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "databento-es-mbo"
BOOK_FILES = {
    "ESM4 snapshot": DATA / "esm4-glbx-mdp3-20240508-snapshot.mbo.dbn.zst",
    "ESH4 hour": DATA / "esh4-glbx-mdp3-20231225.mbo.dbn.zst",
}


def synthetic_trades(n: int, seed: int = 20240508) -> pd.DataFrame:
    """n trades, ~12 per second, an ES-like random walk in ticks, sides B/A with 1% N."""
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000_000_000_000 + np.cumsum(rng.exponential(80_000_000, n)).astype(np.int64)
    ticks = 20_000 + np.cumsum(rng.choice([-1, 0, 0, 0, 1], n))
    side = rng.choice(np.array(["B", "A", "N"]), n, p=[0.495, 0.495, 0.01])
    size = rng.geometric(0.35, n).astype(np.int64)
    return pd.DataFrame({"ts": ts, "price": ticks * TICK, "size": size, "side": side})


def pandas_footprint(frame: pd.DataFrame) -> pd.DataFrame:
    """The same long footprint with a plain pandas groupby (the baseline)."""
    bar = frame["ts"] // MINUTE_NS * MINUTE_NS
    table = (
        frame.groupby([bar.rename("bar"), frame["price"], frame["side"]])["size"]
        .sum()
        .unstack("side", fill_value=0)
    )
    out = pd.DataFrame(
        {"bid_volume": table["A"], "ask_volume": table["B"], "unknown_volume": table["N"]}
    )
    out["delta"] = out["ask_volume"] - out["bid_volume"]
    out = out.reset_index()
    out["bar"] = pd.to_datetime(out["bar"], unit="ns", utc=True)
    return out


def best_time(run: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Fastest wall time of `repeat` (>= 1) runs and the last result."""
    best = float("inf")
    for _ in range(repeat - 1):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    started = time.perf_counter()
    result = run()
    return min(best, time.perf_counter() - started), result


def bench_footprint(n: int, repeat: int) -> None:
    frame = synthetic_trades(n)
    arrays = trade_arrays(
        frame["ts"].to_numpy(),
        np.rint(frame["price"].to_numpy() / TICK).astype(np.int64),
        frame["size"].to_numpy(),
        np.where(frame["side"] == "B", 1, np.where(frame["side"] == "A", -1, 0)),
    )
    t_api = t_arrays = t_pandas = float("inf")
    for _ in range(repeat):
        run_api, ours = best_time(lambda: footprint(frame, bar="1min", tick_size=TICK), 1)
        run_arrays, _ = best_time(lambda: build_footprint(arrays, "1min"), 1)
        run_pandas, theirs = best_time(lambda: pandas_footprint(frame), 1)
        t_api, t_arrays = min(t_api, run_api), min(t_arrays, run_arrays)
        t_pandas = min(t_pandas, run_pandas)
    same = (
        len(ours) == len(theirs)
        and ours["bid_volume"].to_numpy().tolist() == theirs["bid_volume"].to_numpy().tolist()
        and ours["ask_volume"].to_numpy().tolist() == theirs["ask_volume"].to_numpy().tolist()
        and int(ours["volume"].sum()) == int(frame["size"].sum())
    )
    print(
        f"footprint 1min, {n:>11,} trades ({len(ours):,} rows): "
        f"footprint(DataFrame) {n / t_api / 1e6:7.1f} M trades/s ({t_api * 1e3:7.1f} ms) | "
        f"arrays {n / t_arrays / 1e6:7.1f} M/s ({t_arrays * 1e3:6.1f} ms) | "
        f"pandas groupby {n / t_pandas / 1e6:5.2f} M/s ({t_pandas * 1e3:7.1f} ms) | "
        f"ratio {t_pandas / t_api:5.1f}x (arrays {t_pandas / t_arrays:5.1f}x) | "
        f"same result: {same}"
    )


def bench_book(name: str, path: Path, repeat: int) -> None:
    messages = dbn_mbo_array(path, tick_size=TICK)
    n = len(messages)
    t_batch, replay = best_time(lambda: replay_mbo_messages(messages), repeat)
    frames, trades = replay.frames, replay.trades
    t_dom, _ = best_time(
        lambda: dom_metrics(
            frames, trades[:, 1], trades[:, 2], trades[:, 3], trades[:, 4], trade_seq=trades[:, 0]
        ),
        repeat,
    )
    columns = [
        messages[name].astype(np.int64).tolist()
        for name in ("ts_ns", "action", "side", "price_ticks", "size", "order_id", "flags")
    ]
    rows = list(zip(*columns, strict=True))

    def incremental() -> None:
        book = MboBook()
        for row in rows:
            book.apply(*row)

    t_live, _ = best_time(incremental, 1)
    print(
        f"book {name}: {n:,} MBO messages, {len(frames):,} events | "
        f"batch MBO book {n / t_batch / 1e6:5.2f} M updates/s ({t_batch * 1e3:6.1f} ms) | "
        f"+ DOM metrics {len(frames) / t_dom / 1e6:5.2f} M frames/s ({t_dom * 1e3:6.1f} ms) | "
        f"incremental MboBook {n / t_live / 1e6:5.2f} M updates/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warm = synthetic_trades(1000)
    footprint(warm)
    for n in args.sizes:
        bench_footprint(n, args.repeat)
    for name, path in BOOK_FILES.items():
        if not path.exists():
            print(f"book {name}: skipped, data missing: {path}")
            continue
        replay_mbo_messages(dbn_mbo_array(path, tick_size=TICK))
        bench_book(name, path, args.repeat * 3)


if __name__ == "__main__":
    main()
