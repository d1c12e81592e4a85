"""The safety auth key: required from the environment for a real broker; for the demo a
throwaway key kept in a 0600 file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from orderflow_lib.core.errors import SafetyError
from orderflow_lib.node.keys import DEMO_KEY_FILE, auth_key_from_env, demo_auth_key


def test_env_key_when_missing_then_refused_saying_so():
    with pytest.raises(SafetyError, match="SAFETY_AUTH_KEY is missing"):
        auth_key_from_env({})


def test_env_key_when_short_then_refused_with_length():
    with pytest.raises(SafetyError, match="too short: 10 characters"):
        auth_key_from_env({"SAFETY_AUTH_KEY": "x" * 10})


def test_env_key_when_long_enough_then_returned():
    assert auth_key_from_env({"SAFETY_AUTH_KEY": "s" * 32}) == "s" * 32


def test_demo_key_when_first_use_then_created_with_mode_0600_and_reused(tmp_path: Path):
    key, path = demo_auth_key(tmp_path / "data")

    again, same = demo_auth_key(tmp_path / "data")

    assert path == tmp_path / "data" / DEMO_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32 and (again, same) == (key, path)


def test_demo_key_when_file_readable_by_others_then_refused(tmp_path: Path):
    _, path = demo_auth_key(tmp_path)
    os.chmod(path, 0o644)

    with pytest.raises(SafetyError, match="readable by others"):
        demo_auth_key(tmp_path)
