"""The headless pre-market run: execute `notebooks/03_premarket_hypothesis.ipynb` with papermill
for a trade date and keep the executed notebook and an HTML copy (behind `orderflow premarket
--date D --notebook` and the 08:45 ET weekday cron job).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.kernelspec import NoSuchKernel
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError

from orderflow_lib.core.errors import OrderFlowError
from orderflow_lib.research.paths import project_root, resolve_path

PREMARKET_NOTEBOOK = Path("notebooks") / "03_premarket_hypothesis.ipynb"
DEFAULT_OUT_DIR = "data/premarket"
DEFAULT_KERNEL = "orderflow"
"""Kernel registered by `python -m ipykernel install --sys-prefix --name orderflow` (make)."""


class PremarketRunError(OrderFlowError):
    """The pre-market notebook could not be run or raised; the message names the executed copy."""


def run_premarket_notebook(
    date: date | str,
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] = DEFAULT_OUT_DIR,
    *,
    store_url: str | None = None,
    kernel_name: str = DEFAULT_KERNEL,
    notebook: str | os.PathLike[str] | None = None,
    timeout_s: int = 900,
    parameters: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Run the pre-market notebook for `date` on the data at `source` (a Lean minute folder or
    DBN files); returns (executed .ipynb, .html) under `out_dir` (relative to the project root),
    named premarket_<date>. The notebook runs with the project root as its working directory.

    PremarketRunError when the notebook, its kernel or a cell fails; the executed copy, with
    the error in it, is kept for reading.
    """
    day = date if isinstance(date, str) else date.isoformat()
    root = project_root()
    source_notebook = resolve_path(notebook or PREMARKET_NOTEBOOK)
    if not source_notebook.is_file():
        raise PremarketRunError(f"pre-market notebook {source_notebook} does not exist")
    folder = resolve_path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / f"premarket_{day}.ipynb"
    html = folder / f"premarket_{day}.html"
    values = {"date": day, "source": str(source), "store_url": store_url, **(parameters or {})}
    try:
        papermill.execute_notebook(
            str(source_notebook),
            str(executed),
            parameters=values,
            kernel_name=kernel_name,
            cwd=str(root),
            execution_timeout=timeout_s,
            progress_bar=False,
        )
    except PapermillExecutionError as exc:
        raise PremarketRunError(
            f"pre-market notebook failed for {day} in cell {exc.exec_count}: {exc.ename}: "
            f"{exc.evalue} (executed copy kept at {executed})"
        ) from exc
    except NoSuchKernel as exc:
        raise PremarketRunError(
            f"kernel {kernel_name!r} is not installed: run `python -m ipykernel install "
            f"--sys-prefix --name {kernel_name}` (make does) or pass kernel_name"
        ) from exc
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    html.write_text(body, encoding="utf-8")
    return executed, html
