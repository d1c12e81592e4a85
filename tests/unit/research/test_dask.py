"""The research functions on a 2-worker Dask LocalCluster give the same results as a serial run:
`map_days`, the signal replay and the value rebuild; workers are prepared once each, and the
costliest items start first."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.research import (
    SyntheticDays,
    import_synthetic,
    open_research_store,
    rebuild_value,
    replay_days,
)
from orderflow_lib.research.parallel import local_cluster, map_days

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
DAYS = [date(2024, 5, 20), date(2024, 5, 21)]


def square(x: int) -> int:
    return x * x


def mark_prepared() -> None:
    os.environ["ORDERFLOW_TEST_PREPARED"] = str(
        int(os.environ.get("ORDERFLOW_TEST_PREPARED", "0")) + 1
    )


def started(x: int) -> tuple[int, int, str]:
    return x, time.monotonic_ns(), os.environ.get("ORDERFLOW_TEST_PREPARED", "0")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


def test_map_days_when_dask_client_or_address_then_same_as_serial(cluster: Any) -> None:
    items = list(range(5))
    with distributed.Client(cluster) as client:
        on_cluster = map_days(square, items, client=client, progress=False)
    by_address = map_days(square, items, client=cluster.scheduler_address, progress=False)

    assert on_cluster == by_address == [square(x) for x in items]


def test_map_days_when_dask_with_prepare_then_every_worker_prepared_once(cluster: Any) -> None:
    items = list(range(8))
    with distributed.Client(cluster) as client:
        first = map_days(started, items, client=client, progress=False, prepare=mark_prepared)
        again = map_days(started, items, client=client, progress=False, prepare=mark_prepared)

    assert [x for x, _, _ in first] == [x for x, _, _ in again] == items
    assert {count for _, _, count in first + again} == {"1"}


def test_map_days_when_costs_given_then_costliest_start_first_results_in_input_order() -> None:
    items = [3, 9, 1, 7, 5]
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as one,
        distributed.Client(one) as client,
    ):
        got = map_days(started, items, client=client, progress=False, cost_of=lambda x: x)

    assert [x for x, _, _ in got] == items
    assert [x for x, _, _ in sorted(got, key=lambda row: row[1])] == [9, 7, 5, 3, 1]


def test_replay_days_when_dask_cluster_then_same_signals_as_serial(cluster: Any) -> None:
    source = SyntheticDays(seed=3, scale=0.01)
    serial = replay_days(source, DAYS, bar="1min", workers=1, progress=False)

    with distributed.Client(cluster) as client:
        fanned = replay_days(source, DAYS, bar="1min", client=client, progress=False)

    assert len(serial.signals) > 0
    assert fanned.signals.equals(serial.signals)


def test_rebuild_when_dask_cluster_then_same_rows_as_serial(cluster: Any, tmp_path: Path) -> None:
    stores = []
    for name in ("serial", "dask"):
        store = open_research_store(f"sqlite:///{tmp_path / name}.sqlite")
        import_synthetic(store, date(2024, 5, 13), DAYS[-1], scale=0.01, progress=False)
        stores.append(store)
    serial_store, dask_store = stores

    serial = rebuild_value(serial_store, "ESM24", "synthetic", workers=1, progress=False)
    with distributed.Client(cluster) as client:
        fanned = rebuild_value(dask_store, "ESM24", "synthetic", client=client, progress=False)

    assert fanned.levels.equals(serial.levels) and fanned.composites == serial.composites
    assert dask_store.archive.entries("ESM24", "synthetic") == serial_store.archive.entries(
        "ESM24", "synthetic"
    )
    for store in stores:
        store.close()


def profiler_enabled() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def test_local_cluster_when_started_then_workers_run_without_the_profiler() -> None:
    with local_cluster(1) as client:
        assert map_days(square, [2, 3], client=client, progress=False) == [4, 9]
        assert list(client.run(profiler_enabled).values()) == [False]


def test_local_cluster_when_no_workers_asked_then_config_error() -> None:
    with pytest.raises(ConfigError, match="workers must be >= 1, was 0"), local_cluster(0):
        pass
