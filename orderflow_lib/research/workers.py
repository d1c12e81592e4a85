"""The Dask worker plugin behind `parallel.prepare_workers`: runs a preparation function once in
each worker process (loading compiled kernels and calendar tables before the first day, not in
it), also in workers that join the cluster later."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class PrepareWorker(WorkerPlugin):
    """Calls `prepare()` when a worker starts or the plugin is registered; registering it again
    for the same function (whatever its arguments) is ignored: a worker is prepared once."""

    idempotent = True

    def __init__(self, prepare: Callable[[], None]) -> None:
        self.prepare = prepare

    @staticmethod
    def name_of(prepare: Callable[[], None]) -> str:
        """The plugin's name: the preparation function's module and qualified name."""
        func = prepare.func if isinstance(prepare, partial) else prepare
        return f"orderflow-prepare-{func.__module__}.{func.__qualname__}"

    def setup(self, worker: Any) -> None:
        self.prepare()
