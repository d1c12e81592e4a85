"""Real-data fixtures for the order-flow tests.

Data: Databento GLBX.MDP3 extracts (ESH4, ESM4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); see ../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.market.readers.dbn import dbn_mbo_array

DATA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
MBO_DIR = DATA_DIR / "databento-es-mbo"
ESH4_HOUR = MBO_DIR / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
ESM4_SNAPSHOT = MBO_DIR / "esm4-glbx-mdp3-20240508-snapshot.mbo.dbn.zst"


def read_mbo(path: Path) -> np.ndarray:
    """MBO_DTYPE messages of a Databento MBO file (skips the test when the data is absent)."""
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return dbn_mbo_array(path, tick_size=0.25)


@pytest.fixture(scope="session")
def esh4() -> np.ndarray:
    """The ESH4 2023-12-25 hour (pre-open, then 17:00-18:00 CT)."""
    return read_mbo(ESH4_HOUR)


@pytest.fixture(scope="session")
def esm4() -> np.ndarray:
    """The ESM4 2024-05-08 full-depth snapshot plus 2 seconds."""
    return read_mbo(ESM4_SNAPSHOT)
