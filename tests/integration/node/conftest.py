"""Shared paths and helpers of the node integration tests.

Data: Databento GLBX.MDP3 extracts (ESH4, ESM4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); see ../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / ".." / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
KEY = "node-integration-key-" + "x" * 20


@pytest.fixture
def esh4_hour() -> Path:
    """The ESH4 2023-12-25 MBO hour (skips the test when the data is absent)."""
    if not ESH4_HOUR.exists():
        pytest.skip(f"real data missing: {ESH4_HOUR}")
    return ESH4_HOUR
