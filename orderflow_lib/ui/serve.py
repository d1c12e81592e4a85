"""Start and stop Voila for the dashboards on 127.0.0.1, with the flags dashboard.md found necessary.

- `--Voila.port_retries=0`: fail instead of silently moving to another port.
- `disable_check_xsrf=True`: Voila's close beacon is otherwise refused (voila#1458) and every
  closed page leaks its kernel.
- Culling of kernels idle and unconnected for 30 s, as a backstop behind the in-kernel watchdog.
- Preheated kernels (two for the Command Center, one for Classic, a used one replaced at once):
  the notebook has already run when a page is opened, so the first live value shows in about two
  seconds instead of five, for a second Command Center too. Each kernel leaves a marker in
  ORDERFLOW_READY_DIR once its notebook has run; the demo prints its addresses only then, so a
  first viewer never waits for a kernel. The pool sizes go to Voila in a `voila.json` written to
  its temporary folder (Voila's command line cannot give a dictionary).
- Its own session (process group), so the terminal's Ctrl-C reaches only the program that started
  it, which then stops Voila with SIGTERM: Voila never sees a half-handled Ctrl-C.
- Its own temporary folder (TMPDIR for Voila and its kernels), removed once Voila has stopped, so
  no `voila_*` connection-file folders are left behind, even after a SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import webbrowser
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DEFAULT_NODE_URL = "http://127.0.0.1:8765"
"""The node the dashboards attach to unless told otherwise."""
NODE_URL_ENV = "ORDERFLOW_NODE_URL"
"""The environment variable that names the node for a dashboard kernel."""
READY_DIR_ENV = "ORDERFLOW_READY_DIR"
"""The environment variable naming the folder where each dashboard kernel marks itself ready."""
DASHBOARD_NOTEBOOKS = ("command_center.ipynb", "classic.ipynb")
"""The Voila notebooks served from dashboards/."""
POOL_SIZES = {"command_center.ipynb": 2, "classic.ipynb": 1}
"""Preheated kernels kept ready for each dashboard."""
DEFAULT_PORT = 8866
"""Voila's port when none is given."""
READY_TIMEOUT_S = 30.0
"""How long the demo waits for the preheated kernels before it prints the addresses anyway."""
_LAUNCHER_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="orderflow-voila")
"""Threads for the launcher's waits and its stop, apart from the event loop's shared pool, which
the node's store calls can fill while a busy disk keeps them waiting."""


class VoilaProcess(subprocess.Popen[bytes]):
    """The Voila process, the temporary folder it and its kernels use, and its ready markers' folder."""

    temp_dir: Path | None = None
    ready_dir: Path | None = None


def default_dashboards_dir() -> Path:
    """The repository's `dashboards/` folder (next to the `orderflow_lib` package)."""
    return Path(__file__).resolve().parents[2] / "dashboards"


def dashboard_urls(port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> list[str]:
    """The full address of each dashboard, the F1 Command Center first."""
    return [f"http://{host}:{port}/voila/render/{name}" for name in DASHBOARD_NOTEBOOKS]


def voila_config() -> dict[str, object]:
    """Voila's settings that its command line cannot carry: the preheated kernels per notebook,
    and a used kernel replaced at once."""
    pools = {name: {"pool_size": size} for name, size in POOL_SIZES.items()}
    return {"VoilaKernelManager": {"kernel_pools_config": pools, "fill_delay": 0}}


def voila_command(
    port: int, dashboards: Path, preheat: bool = True, config_dir: Path | None = None
) -> list[str]:
    """The Voila command line serving `dashboards` on 127.0.0.1:`port` (with the `voila.json` in
    `config_dir`, when given)."""
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
        command.append("--preheat_kernel=True")
    if config_dir is not None:
        command.append(f"--Voila.config_file_paths={config_dir}")
    return command


def serve_dashboards(
    node_url: str,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    *,
    dashboards: Path | None = None,
    preheat: bool = True,
    log_path: Path | None = None,
) -> VoilaProcess:
    """Start Voila for the dashboards attached to the node at `node_url`; returns the process.

    Logs go to `log_path` when given, else to this process's output. With `open_browser`, waits
    until Voila listens and opens the Command Center. Stop it with `stop_dashboards`.
    """
    folder = dashboards or default_dashboards_dir()
    missing = [n for n in DASHBOARD_NOTEBOOKS if not (folder / n).is_file()]
    if missing:
        raise FileNotFoundError(f"dashboard notebooks {missing} not found in {folder}")
    temp_dir = Path(tempfile.mkdtemp(prefix="orderflow-voila-"))
    ready_dir = temp_dir / "ready"
    ready_dir.mkdir()
    (temp_dir / "voila.json").write_text(json.dumps(voila_config()))
    env = {
        **os.environ,
        NODE_URL_ENV: node_url,
        "TMPDIR": str(temp_dir),
        READY_DIR_ENV: str(ready_dir),
    }
    log = open(log_path, "ab") if log_path is not None else None  # noqa: SIM115
    try:
        process = VoilaProcess(
            voila_command(port, folder, preheat, config_dir=temp_dir),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            cwd=folder,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    finally:
        if log is not None:
            log.close()
    process.temp_dir = temp_dir
    process.ready_dir = ready_dir
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


def kernel_idle(port: int, kernel_id: str) -> bool:
    """True when Voila on `port` knows the kernel and it is not running code."""
    url = f"http://127.0.0.1:{port}/api/kernels/{kernel_id}"
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return bool(json.load(reply).get("execution_state") == "idle")
    except (OSError, ValueError):
        return False


def wait_until_ready(process: VoilaProcess, port: int, timeout_s: float = READY_TIMEOUT_S) -> bool:
    """Block until every preheated kernel (POOL_SIZES) has run its notebook (it left its marker
    and is idle); False when time runs out first. Raises if Voila exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited with code {process.returncode} before it was ready")
        marked = [] if process.ready_dir is None else [m.name for m in process.ready_dir.iterdir()]
        idle = [k for k in marked if kernel_idle(port, k)]
        if len(idle) >= sum(POOL_SIZES.values()):
            return True
        time.sleep(0.05)
    return False


def stop_dashboards(process: subprocess.Popen[bytes], timeout_s: float = 5.0) -> int:
    """Stop Voila and its kernels: SIGTERM (twice if needed), then SIGKILL; then remove Voila's
    temporary folder. Returns Voila's exit code."""
    for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            continue
    code = process.wait()
    if isinstance(process, VoilaProcess) and process.temp_dir is not None:
        shutil.rmtree(process.temp_dir, ignore_errors=True)
    return code


class DashboardLauncher:
    """For `run_demo(dashboard_launcher=...)`: Voila for the node's URL while the node runs.

    `start(node_url)` starts Voila before the node serves, so its kernels run their notebooks while
    the node starts. Entering the context (with the node's URL) starts Voila unless already started
    for that URL, waits until it listens and, when preheated, until its kernels are ready; it yields
    every dashboard's URL, the Command Center's first. Leaving it, or `stop()`, stops Voila and its
    kernels.
    """

    def __init__(
        self, port: int = DEFAULT_PORT, *, log_path: Path | None = None, preheat: bool = True
    ) -> None:
        self.port = port
        self.log_path = log_path
        self.preheat = preheat
        self.node_url: str | None = None
        self.process: VoilaProcess | None = None

    def start(self, node_url: str) -> None:
        """Start Voila for the node at `node_url` now (restarted if it serves another node)."""
        if self.process is not None and self.node_url == node_url:
            return
        self.stop()
        self.node_url = node_url
        self.process = serve_dashboards(
            node_url, self.port, log_path=self.log_path, preheat=self.preheat
        )

    def stop(self) -> None:
        """Stop Voila and its kernels, if started."""
        if self.process is not None:
            stop_dashboards(self.process)
            self.process = None

    @contextlib.asynccontextmanager
    async def __call__(self, node_url: str) -> AsyncIterator[list[str]]:
        self.start(node_url)
        assert self.process is not None
        try:
            await _off_loop(wait_until_listening, self.port, 60.0, self.process)
            if self.preheat:
                await _off_loop(wait_until_ready, self.process, self.port)
            yield dashboard_urls(self.port)
        finally:
            await _off_loop(self.stop)


async def _off_loop(call: Callable[..., object], *args: object) -> object:
    """Run a blocking call on the launcher's own threads and wait for it."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_LAUNCHER_THREADS, functools.partial(call, *args))


def dashboard_launcher(
    port: int = DEFAULT_PORT, *, log_path: Path | None = None, preheat: bool = True
) -> DashboardLauncher:
    """A `DashboardLauncher` for Voila on `port` (see there)."""
    return DashboardLauncher(port, log_path=log_path, preheat=preheat)
