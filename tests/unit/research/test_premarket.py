"""The headless pre-market run refuses a missing notebook or kernel with a clear error (the full
run is exercised in tests/notebooks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow_lib.research.premarket import PremarketRunError, run_premarket_notebook


def test_run_premarket_when_notebook_missing_then_error_names_it(tmp_path: Path) -> None:
    with pytest.raises(PremarketRunError, match=r"absent\.ipynb does not exist"):
        run_premarket_notebook("2013-10-14", "x", tmp_path, notebook=tmp_path / "absent.ipynb")


def test_run_premarket_when_kernel_not_installed_then_error_says_how_to_install(
    tmp_path: Path,
) -> None:
    with pytest.raises(PremarketRunError, match="kernel 'no-such-kernel' is not installed"):
        run_premarket_notebook("2013-10-14", "x", tmp_path, kernel_name="no-such-kernel")
