"""The demo's own folder for each run under data/demo, with nothing heavy imported, so the command
line can place Voila's log there before it loads the node."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Final

DEMO_FOLDER: Final = "demo"


def demo_folder(data_dir: str | os.PathLike[str]) -> Path:
    """A new folder for one demo run under `data_dir`/demo, after removing the folders of demos
    that are no longer running (each is named after its process id)."""
    root = Path(data_dir) / DEMO_FOLDER
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        pid = old.name.rpartition("-")[2]
        if old.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    folder = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    folder.mkdir()
    return folder


def _running(pid: int) -> bool:
    """True when a process with this id exists (this user's or another's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
