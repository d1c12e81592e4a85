"""Start and stop Voila for the dashboards on 127.0.0.1, with the flags dashboard.md found necessary.

- `--Voila.port_retries=0`: fail instead of silently moving to another port.
- `disable_check_xsrf=True`: Voila's close beacon is otherwise refused (voila#1458) and every
  closed page leaks its kernel.
- Culling of kernels idle and unconnected for 30 s, as a backstop behind the in-kernel watchdog.
- Preheated kernels (one per notebook): the notebook has already run when a page is opened, so
  the first live value shows in about two seconds instead of five.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from orderflow_lib.ui.app import NODE_URL_ENV

DASHBOARD_NOTEBOOKS = ("command_center.ipynb", "classic.ipynb")
DEFAULT_PORT = 8866


def default_dashboards_dir() -> Path:
    """The repository's `dashboards/` folder (next to the `orderflow_lib` package)."""
    return Path(__file__).resolve().parents[2] / "dashboards"


def dashboard_urls(port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> list[str]:
    """The full address of each dashboard, the F1 Command Center first."""
    return [f"http://{host}:{port}/voila/render/{name}" for name in DASHBOARD_NOTEBOOKS]


def voila_command(port: int, dashboards: Path, preheat: bool = True) -> list[str]:
    """The Voila command line serving `dashboards` on 127.0.0.1:`port`."""
    command = [
        sys.executable,
        "-m",
        "voila",
        str(dashboards),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--Voila.tornado_settings=disable_check_xsrf=True",
        "--MappingKernelManager.cull_interval=15",
        "--MappingKernelManager.cull_idle_timeout=30",
        "--MappingKernelManager.cull_connected=False",
        "--show_tracebacks=True",
    ]
    if preheat:
        command += ["--preheat_kernel=True", "--pool_size=1"]
    return command


def serve_dashboards(
    node_url: str,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    *,
    dashboards: Path | None = None,
    preheat: bool = True,
    log_path: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start Voila for the dashboards attached to the node at `node_url`; returns the process.

    Logs go to `log_path` when given, else to this process's output. With `open_browser`, waits
    until Voila listens and opens the Command Center. Stop it with `stop_dashboards`.
    """
    folder = dashboards or default_dashboards_dir()
    missing = [n for n in DASHBOARD_NOTEBOOKS if not (folder / n).is_file()]
    if missing:
        raise FileNotFoundError(f"dashboard notebooks {missing} not found in {folder}")
    env = {**os.environ, NODE_URL_ENV: node_url}
    log = open(log_path, "ab") if log_path is not None else None  # noqa: SIM115
    try:
        process = subprocess.Popen(
            voila_command(port, folder, preheat),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            cwd=folder,
        )
    finally:
        if log is not None:
            log.close()
    if open_browser:
        wait_until_listening(port, process=process)
        webbrowser.open(dashboard_urls(port)[0])
    return process


def wait_until_listening(
    port: int, timeout_s: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until 127.0.0.1:`port` accepts connections; raise if Voila exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"voila exited with code {process.returncode} before listening")
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"voila did not listen on 127.0.0.1:{port} within {timeout_s} s")


def stop_dashboards(process: subprocess.Popen[bytes], timeout_s: float = 5.0) -> int:
    """Stop Voila and its kernels: SIGTERM (twice if needed), then SIGKILL; returns the exit code."""
    for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            continue
    return process.wait()


def dashboard_launcher(
    port: int = DEFAULT_PORT, *, log_path: Path | None = None, preheat: bool = True
) -> Callable[[str], AbstractAsyncContextManager[list[str]]]:
    """For `run_demo(dashboard_launcher=...)`: Voila for the node's URL while the node runs.

    The context yields every dashboard's URL, the Command Center's first, once Voila listens, and
    stops Voila and its kernels on exit.
    """

    @contextlib.asynccontextmanager
    async def launch(node_url: str) -> AsyncIterator[list[str]]:
        process = serve_dashboards(node_url, port, log_path=log_path, preheat=preheat)
        try:
            await asyncio.to_thread(wait_until_listening, port, 60.0, process)
            yield dashboard_urls(port)
        finally:
            await asyncio.to_thread(stop_dashboards, process)

    return launch
