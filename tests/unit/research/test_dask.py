"""The research functions on a 2-worker Dask LocalCluster give the same results as a serial run:
`map_days`, the signal replay and the value rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from orderflow_lib.research import (
    SyntheticDays,
    import_synthetic,
    open_research_store,
    rebuild_value,
    replay_days,
)
from orderflow_lib.research.parallel import map_days

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
DAYS = [date(2024, 5, 20), date(2024, 5, 21)]


def square(x: int) -> int:
    return x * x


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def test_map_days_when_dask_client_or_address_then_same_as_serial(cluster: Any) -> None:
    items = list(range(5))
    with distributed.Client(cluster) as client:
        on_cluster = map_days(square, items, client=client, progress=False)
    by_address = map_days(square, items, client=cluster.scheduler_address, progress=False)

    assert on_cluster == by_address == [square(x) for x in items]


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
