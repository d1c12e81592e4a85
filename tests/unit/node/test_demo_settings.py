"""The demo's settings: its own folder and SQLite store, a store deadline a busy laptop does not
miss, and the demo's entry threshold; the user's settings are left as they were."""

from __future__ import annotations

from pathlib import Path

from orderflow_lib.core.config import Settings
from orderflow_lib.node.demo import DEMO_ENTRY_THRESHOLD, DEMO_STORE_TIMEOUT_MS, demo_settings


def test_demo_settings_when_made_then_own_store_longer_deadline_and_demo_threshold(tmp_path: Path):
    user = Settings()

    demo = demo_settings(user, tmp_path)

    assert demo.data_dir == str(tmp_path)
    assert demo.database_url == f"sqlite:///{tmp_path / 'orderflow.sqlite'}"
    assert demo.store.timeout_ms == DEMO_STORE_TIMEOUT_MS > user.store.timeout_ms
    assert demo.weights.entry_threshold == DEMO_ENTRY_THRESHOLD
    assert (user.store.timeout_ms, user.weights.entry_threshold) == (500, 0.90)
