"""Fixtures for the dashboard tests: a complete snapshot and an empty one (SNAPSHOT.md shape)."""

import copy

import pytest
from ui_samples import SNAPSHOT
from ui_samples import empty_snapshot as _empty_snapshot


@pytest.fixture
def snapshot() -> dict:
    """A fresh deep copy of the sample snapshot (tests may change it)."""
    return copy.deepcopy(SNAPSHOT)


@pytest.fixture
def empty_snapshot() -> dict:
    """A snapshot before anything is known: every key present, values null, lists empty."""
    return _empty_snapshot()
