"""A node whose previous run did not stop cleanly starts fenced (node.lifecycle run marker)."""

from risk_fakes import make_manager

from orderflow_lib.node.lifecycle import RunMarker, begin_run, run_marker_path


async def test_begin_run_when_no_marker_then_not_fenced_and_marker_created(store, clock, tmp_path):
    manager = await make_manager(store, clock)

    marker = begin_run(manager, tmp_path, "live")

    assert not manager.state.fence_active
    assert marker.path == run_marker_path(tmp_path, "live") and marker.path.exists()


async def test_begin_run_when_previous_run_stopped_cleanly_then_not_fenced(store, clock, tmp_path):
    begin_run(await make_manager(store, clock), tmp_path, "live").remove()

    manager = await make_manager(store, clock)
    begin_run(manager, tmp_path, "live")

    assert not manager.state.fence_active


async def test_begin_run_when_previous_run_was_killed_then_fenced_with_plain_reason(
    store, clock, tmp_path
):
    begin_run(await make_manager(store, clock), tmp_path, "live")

    manager = await make_manager(store, clock)
    marker = begin_run(manager, tmp_path, "live")

    assert manager.state.fence_active
    assert "previous node run did not stop cleanly" in manager.state.fence_reason
    assert "started at" in manager.state.fence_reason
    assert store.inner.recent_security_events(1)[0].event == "FENCE_ACTIVATED"
    assert marker.path.exists()


async def test_begin_run_when_marker_damaged_then_fenced_naming_it(store, clock, tmp_path):
    path = run_marker_path(tmp_path, "replay")
    path.write_text("{")
    manager = await make_manager(store, clock)

    begin_run(manager, tmp_path, "replay")

    assert manager.state.fence_active and str(path) in manager.state.fence_reason


async def test_begin_run_when_other_source_left_a_marker_then_not_fenced(store, clock, tmp_path):
    begin_run(await make_manager(store, clock), tmp_path, "synthetic")

    manager = await make_manager(store, clock)
    begin_run(manager, tmp_path, "live")

    assert not manager.state.fence_active


def test_run_marker_when_removed_twice_then_no_error(tmp_path):
    marker = RunMarker(tmp_path / "node_running_live.json")
    marker.create()

    marker.remove()
    marker.remove()

    assert not marker.path.exists()
