"""Dashboard kernels mark themselves ready, and the launcher waits for every mark before the demo
prints its addresses; the dashboards' clock agrees with core.timeconv."""

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from orderflow_lib.core.timeconv import ns_to_ny as core_ns_to_ny
from orderflow_lib.ui.nytime import ns_to_ny
from orderflow_lib.ui.serve import (
    POOL_SIZES,
    READY_DIR_ENV,
    VoilaProcess,
    kernel_idle,
    serve_dashboards,
    stop_dashboards,
    voila_config,
    wait_until_ready,
)
from orderflow_lib.ui.watchdog import mark_ready

KERNEL = "0b6c3f3e-8f0e-4c55-9a53-2f5a4a3c1e01"


class _Kernels(BaseHTTPRequestHandler):
    states: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        kernel_id = self.path.rpartition("/")[2]
        if kernel_id not in self.states:
            self.send_response(404)
            self.end_headers()
            return
        payload = f'{{"id": "{kernel_id}", "execution_state": "{self.states[kernel_id]}"}}'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def voila_api():
    """A stand-in for Voila's /api/kernels/<id> on a free port; `_Kernels.states` maps id to state."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Kernels)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def sleeper(tmp_path):
    """A live process dressed as Voila, with an empty ready folder."""
    process = VoilaProcess([sys.executable, "-c", "import time; time.sleep(30)"])
    process.ready_dir = tmp_path / "ready"
    process.ready_dir.mkdir()
    yield process
    process.kill()
    process.wait()


@pytest.mark.parametrize(
    "ts_ns", [0, 1_700_000_000_123_456_789, 1_710_054_000_000_000_000, 1_730_613_600_000_000_999]
)
def test_ns_to_ny_when_any_instant_then_same_as_core_timeconv(ts_ns):
    assert ns_to_ny(ts_ns) == core_ns_to_ny(ts_ns)
    assert ns_to_ny(ts_ns).utcoffset() == core_ns_to_ny(ts_ns).utcoffset()


def test_mark_ready_when_voila_names_folder_then_kernel_marker_left(tmp_path):
    marker = mark_ready({READY_DIR_ENV: str(tmp_path), "VOILA_KERNEL_ID": KERNEL})
    assert marker == tmp_path / KERNEL
    assert marker.exists()


def test_mark_ready_when_no_ready_folder_named_then_nothing_written():
    assert mark_ready({"VOILA_KERNEL_ID": KERNEL}) is None


def test_kernel_idle_when_busy_then_false_and_when_idle_then_true(voila_api):
    _Kernels.states = {"a": "busy", "b": "idle"}
    assert not kernel_idle(voila_api, "a")
    assert kernel_idle(voila_api, "b")


def test_kernel_idle_when_unknown_or_nothing_listens_then_false(voila_api):
    _Kernels.states = {}
    assert not kernel_idle(voila_api, "a")
    assert not kernel_idle(1, "a")


def test_wait_until_ready_when_one_kernel_marked_then_times_out(sleeper, voila_api):
    _Kernels.states = {"a": "idle", "b": "idle"}
    (sleeper.ready_dir / "a").touch()
    assert not wait_until_ready(sleeper, voila_api, timeout_s=0.3)


def test_wait_until_ready_when_marked_kernel_still_busy_then_times_out(sleeper, voila_api):
    _Kernels.states = {"a": "idle", "b": "busy", "c": "idle"}
    for kernel in _Kernels.states:
        (sleeper.ready_dir / kernel).touch()
    assert not wait_until_ready(sleeper, voila_api, timeout_s=0.3)


def test_wait_until_ready_when_every_pooled_kernel_marked_and_idle_then_returns_early(
    sleeper, voila_api
):
    _Kernels.states = {f"k{n}": "idle" for n in range(sum(POOL_SIZES.values()))}
    for kernel in _Kernels.states:
        (sleeper.ready_dir / kernel).touch()
    started = time.monotonic()
    assert wait_until_ready(sleeper, voila_api, timeout_s=10)
    assert time.monotonic() - started < 5


def test_wait_until_ready_when_voila_exits_then_error_with_code(tmp_path):
    process = VoilaProcess([sys.executable, "-c", "raise SystemExit(4)"])
    process.wait()
    with pytest.raises(RuntimeError, match="code 4"):
        wait_until_ready(process, 1, timeout_s=2)


def test_serve_dashboards_when_stopped_then_ready_folder_removed_with_voila_temp(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = serve_dashboards("http://127.0.0.1:9", port, log_path=tmp_path / "voila.log")
    try:
        assert process.ready_dir is not None and process.ready_dir.is_dir()
        assert process.ready_dir.parent == process.temp_dir
        assert process.temp_dir is not None
        config = json.loads((process.temp_dir / "voila.json").read_text())
        assert config == voila_config()
        assert f"--Voila.config_file_paths={process.temp_dir}" in process.args
    finally:
        stop_dashboards(process)
    assert not process.ready_dir.exists()


def test_voila_config_when_built_then_two_command_centers_one_classic_refilled_at_once():
    kernels = voila_config()["VoilaKernelManager"]
    assert kernels == {
        "kernel_pools_config": {
            "command_center.ipynb": {"pool_size": 2},
            "classic.ipynb": {"pool_size": 1},
        },
        "fill_delay": 0,
    }
