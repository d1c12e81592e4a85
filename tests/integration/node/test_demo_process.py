"""`run_demo` in a real process: it serves the node on a free port with the synthetic market, the
paper broker and the SQLite store, keeps its throwaway key in a 0600 file, and stops gracefully on
SIGTERM (exit 0, summary printed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import ROOT

START_S = 60.0
STOP_S = 90.0


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
    raise AssertionError(f"no {marker!r} within {timeout_s} s; got {lines}")


def test_demo_when_started_then_serves_and_stops_on_sigterm(tmp_path: Path):
    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
        "ORDERFLOW_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("SAFETY_AUTH_KEY", None)
    code = (
        "import sys; from orderflow_lib.core.config import load_settings; "
        "from orderflow_lib.node.run import run_demo; "
        "sys.exit(run_demo(load_settings(), dashboard=False, port=0))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _read_until(proc, "node: http://127.0.0.1:", START_S)
        url = lines[-1].split()[1]
        health = httpx.get(url + "/api/health", timeout=5).json()
        state = httpx.get(url + "/api/state", timeout=5).json()
        status = httpx.get(url + "/api/safety/status", timeout=5).json()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=STOP_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)

    assert proc.returncode == 0, err[-3000:]
    assert any("safety auth key (throwaway" in line for line in lines)
    assert health["source"] == "synthetic" and health["store"] == "ok"
    assert state["snapshot"]["source"] == "synthetic" and state["snapshot"]["schema"] == 1
    assert status["ready"] is True
    assert "events processed:" in out
    key_file = tmp_path / "data" / "demo_safety_auth_key"
    assert (key_file.stat().st_mode & 0o777) == 0o600
