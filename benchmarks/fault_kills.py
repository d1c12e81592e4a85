"""kill -9 trials of benchmarks/faults.py: the node (tests/integration/node/test_faults_kill.py's
`run_node`) forked from a warm process (modules loaded, kernels compiled, start-up heap frozen),
killed at a random point of the order/fill path or while its database hangs after a fill
arrived, restarted on the same store, and audited against the paper broker's journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import random
import shutil
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NODE_SCRIPT = ROOT / "tests" / "integration" / "node" / "test_faults_kill.py"
SPEED = 1200.0
CHILD_TIMEOUT_S = 30.0
HANG_SHARE = 0.3
"""Share of the trials in which the database hangs as a fill arrives."""


def kill_module() -> Any:
    """The node script as a module (run_node, audit, make_recording, lock_store)."""
    spec = importlib.util.spec_from_file_location("fault_node", NODE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def warm_parent() -> None:
    """Load and compile what the node needs, then freeze the heap, so each forked node starts in
    a fraction of a second (no thread may run in this process when it forks)."""
    from orderflow_lib.core.config import Settings
    from orderflow_lib.engine.warmup import freeze_start_up_objects, warm_up
    from orderflow_lib.market.calendar import default_calendar
    from orderflow_lib.node import node  # noqa: F401  (loaded before the fork)

    warm_up(Settings(), default_calendar(), dom_metrics=False, exchange_side=False)
    freeze_start_up_objects()


def _fork(job: Callable[[], Any], log: Path) -> int:
    """Run `job` in a forked child (output to `log`); its pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        job()
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def _reap(pid: int, timeout_s: float) -> int:
    """Wait for child `pid` (SIGKILL after `timeout_s`); its exit status."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _broker_fills(paper: Path) -> int:
    try:
        return len(json.loads(paper.read_text(encoding="utf-8"))["executions"])
    except (OSError, ValueError, KeyError):
        return 0


class Databases:
    """A fresh, migrated store per trial: a copied SQLite file, or a PostgreSQL database made from
    a migrated template on `server_url` (dropped after the trial)."""

    def __init__(self, server_url: str | None, base: Path) -> None:
        from orderflow_lib.store import open_store

        self.server_url = server_url
        self.base = base
        if server_url is None:
            self.template = str(base / "template.sqlite")
            open_store(f"sqlite:///{self.template}").close()
        else:
            self.template = f"faults_tpl_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}"')
            self._admin(f'CREATE DATABASE "{self.template}"')
            open_store(self._url(self.template)).close()

    def _url(self, name: str) -> str:
        assert self.server_url is not None
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def _admin(self, sql: str) -> Any:
        from sqlalchemy import create_engine, text

        assert self.server_url is not None
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                result = connection.execute(text(sql))
                return result.fetchall() if result.returns_rows else None
        finally:
            engine.dispose()

    @contextlib.contextmanager
    def fresh(self, n: int, folder: Path) -> Iterator[str]:
        """The URL of trial `n`'s store."""
        if self.server_url is None:
            shutil.copy(self.template, folder / "store.sqlite")
            yield f"sqlite:///{folder / 'store.sqlite'}"
            return
        name = f"faults_{os.getpid()}_{n}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        try:
            yield self._url(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def wait_unlocked(self, url: str) -> None:
        """Until the killed node's connections are gone (PostgreSQL ends them a moment later)."""
        if self.server_url is None:
            return
        name = url.rsplit("/", 1)[1]
        end = time.monotonic() + 10
        while time.monotonic() < end:
            rows = self._admin(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'")
            if rows[0][0] == 0:
                return
            time.sleep(0.05)

    def close(self) -> None:
        """Drop the template database."""
        if self.server_url is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def one_trial(
    kill: Any, dbs: Databases, n: int, folder: Path, recording: Path, rng: random.Random
) -> dict[str, Any]:
    """Run, kill, restart and audit one trial; the audit with the trial's kind and what the
    restarted node said at start."""
    hang = rng.random() < HANG_SHARE
    fills = rng.randint(1, 12)
    with dbs.fresh(n, folder) as url:
        log = folder / "node.log"
        pid = _fork(
            lambda: asyncio.run(
                kill.run_node(url, recording, folder, SPEED, hang_at_fill=fills if hang else 0)
            ),
            log,
        )
        journal, paper = folder / "fills_journal.jsonl", folder / "paper.json"
        end = time.monotonic() + CHILD_TIMEOUT_S
        while time.monotonic() < end:
            if journal.exists() if hang else _broker_fills(paper) >= fills:
                break
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.3 if hang else 0.08))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if _reap(pid, 5) != -signal.SIGKILL:
            raise RuntimeError(
                f"node of trial {n} ended before the kill:\n{log.read_text()[-3000:]}"
            )
        journalled = journal.exists()
        dbs.wait_unlocked(url)
        (folder / "start.json").unlink(missing_ok=True)
        pid = _fork(
            lambda: asyncio.run(kill.run_node(url, recording, folder, None, start_only=True)), log
        )
        code = _reap(pid, CHILD_TIMEOUT_S)
        if code != 0 or not (folder / "start.json").exists():
            raise RuntimeError(f"restart of trial {n} failed:\n{log.read_text()[-3000:]}")
        start = json.loads((folder / "start.json").read_text(encoding="utf-8"))
        after = kill.audit(url, folder)
    return {
        **after,
        "hang": hang,
        "journalled": journalled,
        "journal_left": journal.exists(),
        "start": start,
    }


def kill_trials(
    backend: str, server_url: str | None, trials: int, deadline: float, recording: Path
) -> dict[str, Any]:
    """Up to `trials` trials before `deadline` (time.monotonic); the totals."""
    import sys
    import tempfile

    kill = kill_module()
    rng = random.Random(f"faults-{backend}")
    totals = dict.fromkeys(
        (
            "trials",
            "hangs",
            "journalled",
            "duplicates",
            "lost_fills",
            "unresolved",
            "equal",
            "broker_equal",
            "errors",
        ),
        0,
    )
    totals.update(fills=0, seconds=0.0)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"faults-{backend}-") as folder:
        dbs = Databases(server_url, Path(folder))
        try:
            for n in range(trials):
                if time.monotonic() > deadline:
                    break
                trial_folder = Path(folder) / f"t{n}"
                trial_folder.mkdir()
                try:
                    t = one_trial(kill, dbs, n, trial_folder, recording, rng)
                except RuntimeError as exc:
                    totals["errors"] += 1
                    print(f"{backend} trial {n}: {exc}", file=sys.stderr)
                    continue
                finally:
                    shutil.rmtree(trial_folder, ignore_errors=True)
                start = t["start"]
                totals["trials"] += 1
                totals["hangs"] += t["hang"]
                totals["journalled"] += t["journalled"]
                totals["fills"] += t["broker_filled"]
                for key in ("duplicates", "lost_fills", "unresolved"):
                    totals[key] += t[key]
                totals["equal"] += int(
                    start["orders"] == t["orders"]
                    and start["positions"] == t["positions"]
                    and not t["journal_left"]
                )
                totals["broker_equal"] += int(t["positions"] == t["broker_positions"])
        finally:
            dbs.close()
    totals["seconds"] = time.monotonic() - started
    return totals
