"""The node and feeds packages export what their __all__ lists."""

from __future__ import annotations

import orderflow_lib.feeds as feeds
import orderflow_lib.node as node


def test_node_all_when_imported_then_every_name_resolves():
    assert all(hasattr(node, name) for name in node.__all__)
    assert {"Node", "run_node", "run_demo", "create_app", "build_snapshot"} <= set(node.__all__)


def test_feeds_all_when_imported_then_every_name_resolves():
    assert all(hasattr(feeds, name) for name in feeds.__all__)
    assert {"SyntheticFeed", "ReplayFeed", "IbFeed", "HandoffFeed", "Recorder"} <= set(
        feeds.__all__
    )
