"""Signals, market snapshots and system status on SQLite and PostgreSQL."""

from __future__ import annotations

from store_builders import T0

from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import MarketSnapshotRecord, SignalRecord, Store, SystemStatusRecord


def _signal(signal_id: str, ts_ns: int, source: str = "live") -> SignalRecord:
    return SignalRecord(
        signal_id=signal_id,
        source=source,
        ts_ns=ts_ns,
        instrument="MES",
        strategy="ROTATIONAL",
        action=OrderAction.SELL,
        price_ticks=20060,
        payload={"scenario": "S2", "score": 0.8},
    )


def test_add_signals_when_repeated_then_new_ones_counted_once(store: Store) -> None:
    first = store.signals.add([_signal("S-1", T0), _signal("S-2", T0 + 1)])

    second = store.signals.add([_signal("S-2", T0 + 1), _signal("S-3", T0 + 2)])

    assert (first, second) == (2, 1)
    assert store.signals.get("S-2") == _signal("S-2", T0 + 1)
    assert [s.signal_id for s in store.signals.between("live", T0 + 1, T0 + 3)] == ["S-2", "S-3"]


def test_signals_between_when_other_source_then_not_returned(store: Store) -> None:
    store.signals.add([_signal("S-1", T0, source="synthetic")])

    assert store.signals.between("live", T0, T0 + 1) == []


def _snapshot(ts_ns: int, last_ticks: int) -> MarketSnapshotRecord:
    return MarketSnapshotRecord(
        contract="MESM24",
        source="live",
        ts_ns=ts_ns,
        last_ticks=last_ticks,
        bid_ticks=last_ticks - 1,
        ask_ticks=last_ticks,
        volume=1200,
    )


def test_snapshots_when_stored_twice_then_once_and_latest_is_newest(store: Store) -> None:
    snapshots = [_snapshot(T0 + 2, 20042), _snapshot(T0, 20040), _snapshot(T0 + 1, 20041)]

    added = [store.snapshots.add(snapshots), store.snapshots.add(snapshots)]

    assert added == [3, 0]
    assert store.snapshots.latest("MESM24", "live") == _snapshot(T0 + 2, 20042)
    assert [s.ts_ns for s in store.snapshots.between("MESM24", "live", T0, T0 + 2)] == [T0, T0 + 1]
    assert store.snapshots.latest("MESM24", "replay") is None


def test_system_status_when_saved_twice_then_latest_kept(store: Store) -> None:
    connected = SystemStatusRecord(
        source="live",
        updated_ts_ns=T0,
        balance_gbp=2_000.0,
        balance_usd=2_540.0,
        usd_per_gbp=1.27,
        broker_connected=True,
        feed_connected=True,
        connections={"ib": "CONNECTED", "farm": "usfarm ok"},
    )
    dropped = SystemStatusRecord(
        source="live",
        updated_ts_ns=T0 + 1,
        balance_gbp=None,
        balance_usd=None,
        usd_per_gbp=None,
        broker_connected=False,
        feed_connected=False,
        connections={"ib": "DISCONNECTED"},
    )
    store.status.save(connected)

    store.status.save(dropped)

    assert store.status.load("live") == dropped
    assert store.status.load("synthetic") is None
