"""Fixtures of the research tests: temporary SQLite stores, the shared real data, and a module
store holding the Lean ES 2013 sessions.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3
extracts published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from research_support import LEAN_MINUTE, need

from orderflow_lib.research import import_files, open_research_store
from orderflow_lib.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty SQLite store in a temporary folder."""
    with open_research_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        yield opened


@pytest.fixture(scope="module")
def lean_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store with the Lean sessions 2013-10-07..10-14 imported (no composites yet)."""
    need(LEAN_MINUTE)
    url = f"sqlite:///{tmp_path_factory.mktemp('lean') / 'store.sqlite'}"
    with open_research_store(url) as opened:
        import_files(opened, LEAN_MINUTE, progress=False)
        yield opened
