"""`orderflow demo` with its dashboards, stopped as a terminal's Ctrl-C does it (SIGINT to the
whole process group): exit code 0, no traceback on screen (nor in Voila's log once its kernels
have run their notebooks), no temporary folders left behind and nothing listening on the
dashboard port any more. Also Ctrl-C during start-up, before the addresses are printed.

The addresses are printed only once the market has a price and Voila's preheated kernels have
run their notebooks, so that the first viewer sees live prices at once."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import ROOT

from orderflow_lib.ui.serve import POOL_SIZES

ADDRESSES_S = 90.0
IDLE_S = 90.0
STOP_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _start_demo(tmp_path: Path, dashboard_port: int) -> subprocess.Popen[str]:
    """`orderflow demo` in its own process group, with its own HOME, TMPDIR and data folder."""
    for name in ("home", "tmp", "data"):
        (tmp_path / name).mkdir()
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "TMPDIR": str(tmp_path / "tmp"),
        "ORDERFLOW_DATA_DIR": str(tmp_path / "data"),
        "ORDERFLOW_NODE__DASHBOARD_PORT": str(dashboard_port),
    }
    env.pop("SAFETY_AUTH_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "orderflow_lib.cli", "demo", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _read_until(proc: subprocess.Popen[str], marker: str, timeout_s: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return lines
    err = proc.stderr.read() if proc.stderr is not None and proc.poll() is not None else ""
    raise AssertionError(f"no {marker!r} within {timeout_s} s; got {lines} {err[-3000:]}")


def _ctrl_c(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGINT to the demo's process group, as a terminal sends it; its remaining output."""
    os.killpg(proc.pid, signal.SIGINT)
    return proc.communicate(timeout=STOP_S)


def _kill(proc: subprocess.Popen[str]) -> None:
    """Whatever is left of the demo after a failed test: its process group and every process
    under it (Voila runs in its own session)."""
    if proc.poll() is None:
        under = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in under:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.communicate(timeout=10)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in children.read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


def _wait_until_kernels_idle(tmp_path: Path, port: int) -> None:
    """Until Voila's two preheated kernels (named in its log) have run their notebooks: idle at
    three polls in a row, since a kernel is also idle for a moment between two cells."""
    deadline = time.monotonic() + IDLE_S
    states: list[str] = []
    idle_polls = 0
    while time.monotonic() < deadline:
        ids = re.findall(r"Kernel started: ([0-9a-f-]+)", _voila_logs(tmp_path))
        states = [
            httpx.get(f"http://127.0.0.1:{port}/api/kernels/{k}", timeout=5).json()[
                "execution_state"
            ]
            for k in ids
        ]
        idle = len(states) >= 2 and all(state == "idle" for state in states)
        idle_polls = idle_polls + 1 if idle else 0
        if idle_polls == 3:
            return
        time.sleep(0.5)
    raise AssertionError(f"Voila's kernels were not idle within {IDLE_S} s: {states}")


def _node_url(lines: list[str]) -> str:
    return next(line.split()[1] for line in lines if line.startswith("node: "))


def _voila_temp(tmp_path: Path) -> Path:
    """Voila's own temporary folder (under the demo's TMPDIR) while it runs."""
    folders = list((tmp_path / "tmp").glob("orderflow-voila-*"))
    assert len(folders) == 1, folders
    return folders[0]


def _voila_logs(tmp_path: Path) -> str:
    return "".join(p.read_text() for p in (tmp_path / "data" / "demo").glob("*/voila.log"))


def test_demo_when_ctrl_c_after_start_then_stops_quietly_and_leaves_no_temp_folders(
    tmp_path: Path,
):
    port = _free_port()
    proc = _start_demo(tmp_path, port)
    try:
        lines = _read_until(proc, "dashboard: http://127.0.0.1:", ADDRESSES_S)
        state = httpx.get(f"{_node_url(lines)}/api/state", timeout=5).json()
        ready = [p.name for p in _voila_temp(tmp_path).glob("ready/*")]
        _wait_until_kernels_idle(tmp_path, port)
        out, err = _ctrl_c(proc)
    finally:
        _kill(proc)

    assert proc.returncode == 0, err[-3000:]
    assert any(f":{port}/voila/render/command_center.ipynb" in line for line in lines)
    assert state["snapshot"]["price"]["last"] is not None
    assert len(ready) >= sum(POOL_SIZES.values())
    assert "events processed:" in out
    screen = "\n".join(lines) + out + err
    for noise in ("Traceback", "KeyboardInterrupt", "CancelledError", "WebSocketClosedError"):
        assert noise not in screen
        assert noise not in _voila_logs(tmp_path)
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not _listening(port)


def test_demo_when_ctrl_c_during_start_up_then_stops_quietly(tmp_path: Path):
    port = _free_port()
    proc = _start_demo(tmp_path, port)
    try:
        _read_until(proc, "demo data", ADDRESSES_S)
        out, err = _ctrl_c(proc)
    finally:
        _kill(proc)

    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in out + err
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not _listening(port)
