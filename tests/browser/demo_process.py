"""`orderflow demo` as a real process on free ports with its own data folder, for browser tests
and the cold-start benchmark: started, its printed addresses read, stopped with Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from dashboard_pages import free_port

ORDERFLOW = Path(sys.executable).with_name("orderflow")
_NODE = re.compile(r"^node: (http://\S+)")
_PAGE = re.compile(r"^(?:dashboard|also): (http://\S+)")


class DemoProcess:
    """`orderflow demo` in a child process; `lines` collects its output as it comes."""

    def __init__(self, data_dir: Path, *, speed: float | None = None) -> None:
        self.data_dir = data_dir
        self.node_port = free_port()
        self.dashboard_port = free_port()
        self.speed = speed
        self.lines: list[str] = []
        self.started_at = 0.0
        self.addresses_at: float | None = None
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> DemoProcess:
        """Start the demo; returns at once (see `wait_for_addresses`)."""
        env = {
            **os.environ,
            "ORDERFLOW_DATA_DIR": str(self.data_dir),
            "ORDERFLOW_NODE__PORT": str(self.node_port),
            "ORDERFLOW_NODE__DASHBOARD_PORT": str(self.dashboard_port),
            "PYTHONUNBUFFERED": "1",
        }
        command = [str(ORDERFLOW), "demo"]
        if self.speed is not None:
            command += ["--speed", f"{self.speed:g}"]
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if _PAGE.match(line) and self.addresses_at is None:
                self.addresses_at = time.monotonic()

    @property
    def node_url(self) -> str | None:
        """The node's address once printed."""
        return next((m.group(1) for line in self.lines if (m := _NODE.match(line))), None)

    @property
    def pages(self) -> list[str]:
        """The dashboards' addresses once printed, the Command Center first."""
        return [m.group(1) for line in self.lines if (m := _PAGE.match(line))]

    def wait_for_addresses(self, timeout_s: float = 60.0) -> float:
        """Seconds from start until the dashboards' addresses were printed."""
        deadline = time.monotonic() + timeout_s
        while self.addresses_at is None:
            if (
                self.process is None
                or self.process.poll() is not None
                or time.monotonic() > deadline
            ):
                raise RuntimeError("the demo printed no addresses:\n" + "\n".join(self.lines))
            time.sleep(0.02)
        return self.addresses_at - self.started_at

    def elapsed_s(self) -> float:
        """Seconds since the demo was started."""
        return time.monotonic() - self.started_at

    def stop(self) -> int:
        """Ctrl-C, as a trader would; if it does not end in 20 s, SIGKILL to the group and to
        every process under it (Voila runs in its own session, so the group alone would leave it)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            under = descendants(self.process.pid)
            os.killpg(self.process.pid, signal.SIGKILL)
            for pid in under:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            return self.process.wait()


def descendants(pid: int) -> list[int]:
    """Every process started under `pid`, in any session."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in children.read_text().split():
                found += [int(child), *descendants(int(child))]
    return found
