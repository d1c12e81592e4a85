"""Running the analyst notebooks in tests: papermill into a temporary folder, then nbval on the
executed copy (a second, fresh kernel that must reproduce every `# NBVAL_CHECK_OUTPUT` cell).

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3
extracts published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / ".." / "shared" / "data"
LEAN_MINUTE = DATA / "lean-es-2013" / "minute"
ESH4_MBO = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
KERNEL = "python3"
"""The running environment's own kernel (the notebooks' `orderflow` kernel needs `make`)."""
TIMEOUT_S = 300


def need(path: Path) -> Path:
    """`path`, or skip the test when the shared data is absent."""
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def execute(name: str, out_dir: Path, parameters: dict[str, Any]) -> Path:
    """Execute notebooks/<name> with papermill into `out_dir`; a raising cell fails the test."""
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / name
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(executed),
        parameters=parameters,
        kernel_name=KERNEL,
        cwd=str(NOTEBOOKS),
        execution_timeout=TIMEOUT_S,
        progress_bar=False,
    )
    return executed


def nbval(executed: Path) -> None:
    """Re-run the executed copy under nbval (--nbval-lax); fail with its report on any failure."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:asyncio",
            "--nbval-lax",
            "--nbval-current-env",
            "-q",
            str(executed),
        ],
        cwd=executed.parent,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def stream_text(executed: Path) -> str:
    """Everything the executed notebook printed to stdout."""
    import nbformat

    book = nbformat.read(executed, as_version=4)
    return "".join(
        out.get("text", "")
        for cell in book.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )
