"""Fan research work out by day: on a Dask cluster, a local process pool, or in this process.

Research over months of ticks is embarrassingly parallel by trade date. `map_days` runs a
module-level function over the items and returns the results in input order, whichever way it
runs, so a serial run, a pool run and a cluster run give the same answer.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from tqdm.auto import tqdm

from orderflow_lib.core.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


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
) -> list[R]:
    """`fn(item)` for every item, results in input order.

    `client` is a dask.distributed Client or a scheduler address ("tcp://host:8786"): the items
    are fanned out to that cluster with `client.map`. Without one, `workers` processes of a local
    pool run them (None: one per CPU; 1: in this process, which notebooks and tests use for
    small jobs). `fn` must be importable by name (a module-level function) for the pool and
    cluster; an error in any item is raised here.
    """
    work = list(items)
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be >= 1 or None, was {workers}")
    if client is not None:
        return _on_dask(fn, work, client, progress, desc)
    count = default_workers(len(work)) if workers is None else min(workers, max(1, len(work)))
    if count <= 1:
        return [fn(item) for item in tqdm(work, desc=desc, unit="day", disable=not progress)]
    return _on_pool(fn, work, count, progress, desc)


def _on_pool(
    fn: Callable[[T], R], work: Sequence[T], count: int, progress: bool, desc: str
) -> list[R]:
    """A spawn-started process pool (safe with threads and numba, the same on every platform)."""
    results: list[Any] = [None] * len(work)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures: dict[Future[R], int] = {pool.submit(fn, item): i for i, item in enumerate(work)}
        with tqdm(total=len(work), desc=desc, unit="day", disable=not progress) as bar:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update(1)
    return results


def _on_dask(
    fn: Callable[[T], R], work: Sequence[T], client: Any, progress: bool, desc: str
) -> list[R]:
    """`client.map` on a dask.distributed cluster; a scheduler address opens (and closes) a Client."""
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
            return _on_dask(fn, work, connected, progress, desc)
    if not work:
        return []
    futures = client.map(fn, work, pure=False)
    with tqdm(total=len(work), desc=desc, unit="day", disable=not progress) as bar:
        for _ in dask_completed(futures):
            bar.update(1)
    return list(client.gather(futures))
