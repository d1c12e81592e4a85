"""The safety auth key of a node: SAFETY_AUTH_KEY from the environment, or for the demo a
throwaway key generated once and kept in a file only its owner can read (mode 0600)."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from orderflow_lib.core.errors import SafetyError
from orderflow_lib.risk.auth import auth_key_problem, validate_auth_key

ENV_NAME: Final = "SAFETY_AUTH_KEY"
DEMO_KEY_FILE: Final = "demo_safety_auth_key"


def auth_key_from_env(environ: Mapping[str, str] | None = None) -> str:
    """SAFETY_AUTH_KEY (32+ characters); SafetyError saying what is wrong otherwise."""
    env = os.environ if environ is None else environ
    return validate_auth_key(env.get(ENV_NAME))


def demo_auth_key(data_dir: str | os.PathLike[str]) -> tuple[str, Path]:
    """(key, file): the demo's throwaway key, created on first use in `data_dir` with mode 0600.

    A file that exists but is readable by others, or holds a key that is too short, is refused
    (SafetyError), never silently used.
    """
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_KEY_FILE
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise SafetyError(f"{path} is readable by others (mode {mode:o}); run chmod 600 {path}")
        key = path.read_text(encoding="utf-8").strip()
        problem = auth_key_problem(key)
        if problem is not None:
            raise SafetyError(f"{path}: {problem}")
        return key, path
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    os.chmod(path, 0o600)
    return key, path
