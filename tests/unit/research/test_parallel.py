"""map_days gives the same results in input order in this process, a local pool and a 2-worker
Dask LocalCluster (test_dask.py); errors reach the caller; a pool's processes are prepared once
each before their first item."""

from __future__ import annotations

import os

import pytest

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.research.parallel import default_workers, map_days


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is refused")
    return x


def mark_prepared() -> None:
    os.environ["ORDERFLOW_TEST_PREPARED"] = str(
        int(os.environ.get("ORDERFLOW_TEST_PREPARED", "0")) + 1
    )


def times_prepared(x: int) -> tuple[int, int, str]:
    return x, os.getpid(), os.environ.get("ORDERFLOW_TEST_PREPARED", "0")


def test_map_days_when_in_process_then_results_in_input_order() -> None:
    assert map_days(square, [3, 1, 2], workers=1, progress=False) == [9, 1, 4]


def test_map_days_when_local_pool_then_same_as_serial() -> None:
    items = list(range(7))

    assert map_days(square, items, workers=2, progress=False) == [square(x) for x in items]


def test_map_days_when_pool_with_prepare_and_costs_then_each_process_prepared_once() -> None:
    items = list(range(6))

    got = map_days(
        times_prepared,
        items,
        workers=2,
        progress=False,
        cost_of=lambda x: x % 3,
        prepare=mark_prepared,
    )

    assert [x for x, _, _ in got] == items
    assert {count for _, _, count in got} == {"1"}
    assert os.getpid() not in {pid for _, pid, _ in got}


def test_map_days_when_item_fails_then_error_reaches_caller() -> None:
    with pytest.raises(ValueError, match="three is refused"):
        map_days(fail_on_three, [1, 2, 3], workers=1, progress=False)


def test_map_days_when_workers_below_one_then_config_error() -> None:
    with pytest.raises(ConfigError, match="workers must be >= 1 or None, was 0"):
        map_days(square, [1], workers=0, progress=False)


def test_default_workers_when_few_items_then_never_more_than_items() -> None:
    assert default_workers(1) == 1
    assert default_workers(0) == 1
