"""The Voila launcher's command line and lifecycle, and the thin dashboard notebooks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orderflow_lib.ui import __all__ as ui_all
from orderflow_lib.ui.serve import (
    dashboard_urls,
    default_dashboards_dir,
    serve_dashboards,
    stop_dashboards,
    voila_command,
    wait_until_listening,
)

DASHBOARDS = Path(__file__).resolve().parents[3] / "dashboards"


def test_voila_command_when_built_then_has_the_flags_dashboard_md_requires():
    command = voila_command(9001, DASHBOARDS)
    assert command[:3] == [sys.executable, "-m", "voila"]
    for flag in (
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--port=9001",
        "--Voila.port_retries=0",
        "--Voila.tornado_settings=disable_check_xsrf=True",
        "--MappingKernelManager.cull_interval=15",
        "--MappingKernelManager.cull_idle_timeout=30",
        "--MappingKernelManager.cull_connected=False",
        "--preheat_kernel=True",
    ):
        assert flag in command, flag
    assert sum(part.startswith("--port") for part in command) == 1


def test_voila_command_when_no_preheat_then_no_pool():
    assert "--preheat_kernel=True" not in voila_command(9001, DASHBOARDS, preheat=False)


def test_dashboard_urls_when_port_given_then_command_center_first():
    assert dashboard_urls(8866) == [
        "http://127.0.0.1:8866/voila/render/command_center.ipynb",
        "http://127.0.0.1:8866/voila/render/classic.ipynb",
    ]


def test_default_dashboards_dir_when_repo_layout_then_points_at_dashboards():
    assert default_dashboards_dir() == DASHBOARDS


def test_serve_dashboards_when_notebooks_missing_then_error_names_them(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"command_center\.ipynb"):
        serve_dashboards("http://127.0.0.1:1", dashboards=tmp_path)


def test_stop_dashboards_when_process_ignores_sigterm_then_killed():
    ignore_sigterm = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    with subprocess.Popen(
        [sys.executable, "-c", ignore_sigterm], stdout=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        assert stop_dashboards(process, timeout_s=0.2) == -9


def test_wait_until_listening_when_process_exits_then_error_with_code():
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    with pytest.raises(RuntimeError, match="code 3"):
        wait_until_listening(1, timeout_s=2, process=process)


@pytest.mark.parametrize("name", ["command_center.ipynb", "classic.ipynb"])
def test_notebook_when_stored_then_thin_without_outputs_and_on_python3_kernel(name):
    notebook = json.loads((DASHBOARDS / name).read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert sum(len(c["source"]) for c in code) <= 10
    source = "".join("".join(c["source"]) for c in code)
    assert "load_bokehjs()" in source and "app.start()" in source


def test_public_api_when_imported_then_every_name_resolves():
    import orderflow_lib.ui as ui

    assert all(hasattr(ui, name) for name in ui_all)
    assert callable(ui.serve_dashboards)
