"""Fan research work out by day: on a Dask cluster, a local process pool, or in this process.

Research over months of ticks is embarrassingly parallel by trade date. `map_days` runs a
module-level function over the items and returns the results in input order, whichever way it
runs, so a serial run, a pool run and a cluster run give the same answer. Given each item's cost,
the costliest start first (so no worker is left with one long day at the end), and a `prepare`
function loads what every item needs once per worker process, before its first item.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

from tqdm.auto import tqdm

from orderflow_lib.core.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")

LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}
"""Dask settings of the local cluster: no statistical profiler, which samples every worker's
stack 100 times a second on its event loop for a dashboard plot (with it, two workers used about
10% more CPU than one for the same days in benchmarks/backtest.py)."""


def default_workers(n_items: int) -> int:
    """Processes for a local pool: one per CPU, never more than there are items."""
    return max(1, min(os.cpu_count() or 1, n_items))


def map_days(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    client: Any = None,
    workers: int | None = None,
    progress: bool = True,
    desc: str = "days",
    events_of: Callable[[R], int] | None = None,
    cost_of: Callable[[T], float] | None = None,
    prepare: Callable[[], None] | None = None,
) -> list[R]:
    """`fn(item)` for every item, results in input order.

    `client` is a dask.distributed Client or a scheduler address ("tcp://host:8786"): the items
    are fanned out to that cluster with `client.map`. Without one, `workers` processes of a local
    pool run them (None: one per CPU; 1: in this process, which notebooks and tests use for
    small jobs). `fn` and `prepare` must be importable by name (module-level functions, or
    partials of them) for the pool and cluster; an error in any item is raised here. With
    `events_of` the progress bar also shows events per second; with `cost_of` the pool and the
    cluster start the costliest items first; `prepare` runs once in each worker process of a pool
    or cluster before its first item (a serial run needs none: its first item prepares itself).
    """
    work = list(items)
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be >= 1 or None, was {workers}")
    order = list(range(len(work)))
    if cost_of is not None:
        order.sort(key=lambda i: -cost_of(work[i]))
    bar = _Bar(len(work), desc, progress, events_of)
    with bar:
        if client is not None:
            return _on_dask(fn, work, order, client, bar, prepare)
        count = default_workers(len(work)) if workers is None else min(workers, max(1, len(work)))
        if count <= 1:
            results = []
            for item in work:
                results.append(fn(item))
                bar.done(results[-1])
            return results
        return _on_pool(fn, work, order, count, bar, prepare)


class _Bar:
    """A tqdm bar of days done, with events per second when results tell their event count."""

    def __init__(
        self, total: int, desc: str, progress: bool, events_of: Callable[[Any], int] | None
    ) -> None:
        self._bar = tqdm(total=total, desc=desc, unit="day", disable=not progress)
        self._events_of = events_of
        self._events = 0
        self._started = time.perf_counter()

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.close()

    def done(self, result: Any) -> None:
        """One more day finished."""
        if self._events_of is not None:
            self._events += self._events_of(result)
            seconds = max(time.perf_counter() - self._started, 1e-9)
            self._bar.set_postfix_str(f"{self._events / seconds:,.0f} events/s", refresh=False)
        self._bar.update(1)


def _on_pool(
    fn: Callable[[T], R],
    work: Sequence[T],
    order: Sequence[int],
    count: int,
    bar: _Bar,
    prepare: Callable[[], None] | None,
) -> list[R]:
    """A spawn-started process pool (safe with threads and numba, the same on every platform)."""
    results: list[Any] = [None] * len(work)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=prepare) as pool:
        futures: dict[Future[R], int] = {pool.submit(fn, work[i]): i for i in order}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            bar.done(results[futures[future]])
    return results


def _on_dask(
    fn: Callable[[T], R],
    work: Sequence[T],
    order: Sequence[int],
    client: Any,
    bar: _Bar,
    prepare: Callable[[], None] | None,
) -> list[R]:
    """`client.map` on a dask.distributed cluster, items submitted in `order` (results come back
    in input order); a scheduler address opens (and closes) a Client."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise ConfigError(
            "a Dask client was given but dask.distributed is not installed: "
            "pip install 'dask[distributed]>=2024.1'"
        ) from exc
    if isinstance(client, str):
        with Client(client) as connected:
            return _on_dask(fn, work, order, connected, bar, prepare)
    if not work:
        return []
    if prepare is not None:
        prepare_workers(client, prepare)
    futures = client.map(fn, [work[i] for i in order], pure=False)
    index_of = {future.key: i for future, i in zip(futures, order, strict=True)}
    results: list[Any] = [None] * len(work)
    for future, result in dask_completed(futures, with_results=True):
        results[index_of[future.key]] = result
        bar.done(result)
    return results


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A Dask client on a local cluster of `workers` single-threaded processes (its dashboard on
    a free port, its routine start-up and shutdown messages kept quiet); closed on exit."""
    import dask
    from distributed import Client, LocalCluster

    if workers < 1:
        raise ConfigError(f"workers must be >= 1, was {workers}")
    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def prepare_workers(client: Any, prepare: Callable[[], None]) -> None:
    """Run `prepare` once in every worker process of a Dask cluster, now and in workers that join
    later (a worker plugin; registering the same function again does nothing)."""
    from orderflow_lib.research.workers import PrepareWorker

    client.register_plugin(PrepareWorker(prepare), name=PrepareWorker.name_of(prepare))
