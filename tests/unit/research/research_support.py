"""Shared paths of the research tests: the real data under ../shared/data and a skip helper.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3
extracts published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
LEAN_MINUTE = DATA / "lean-es-2013" / "minute"
ESH4_MBO = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"


def need(path: Path) -> Path:
    """`path`, or skip the test when the shared data is absent."""
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path
