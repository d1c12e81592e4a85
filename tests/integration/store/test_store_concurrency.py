"""Concurrent writers (node and notebook processes, racing confirmations): no lost or doubled rows."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

from store_builders import T0, order

from orderflow_lib.risk.records import OrderStatus
from orderflow_lib.store import OrderWrite, open_store
from orderflow_lib.store.migrate import head_revision

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, timedelta

    from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus, SecurityEvent
    from orderflow_lib.store import ProfileRecord, open_store

    url, actor, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_store(url) as store:
        safety = store.safety_store("live", actor)
        for i in range(count):
            safety.upsert_order(OrderRecord(
                order_id=f"{actor}-{i}", signal_id=f"S-{i}", instrument="MES",
                action=OrderAction.BUY, quantity=1, price_ticks=20040 + i,
                status=OrderStatus.PENDING, created_ts_ns=i, updated_ts_ns=i,
            ))
            safety.record_security_event(SecurityEvent(i, "ORDER_SENT", actor, str(i)))
            store.profiles.save_daily([ProfileRecord(
                trade_date=date(2024, 1, 1) + timedelta(days=i % 25), kind="volume",
                contract="ESH24", source="replay", row_ticks=1, as_of_ns=i,
                poc_tick=20040, val_tick=20000, vah_tick=20080, payload={"by": actor},
            )])
    """
)
COUNT = 40


def test_node_and_notebook_processes_when_starting_and_writing_at_once_then_no_row_lost(
    db_url: str,
) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, db_url, actor, str(COUNT)])
        for actor in ("node", "notebook")
    ]

    codes = [writer.wait(timeout=240) for writer in writers]

    assert codes == [0, 0]
    with open_store(db_url) as store:
        safety = store.safety_store("live", "check")
        orders = safety.orders()
        events = safety.recent_security_events(10 * COUNT)
        profiles = store.profiles.daily_range(
            "volume", "ESH24", "replay", date(2024, 1, 1), date(2024, 1, 25)
        )
    assert len(orders) == 2 * COUNT
    assert len({o.order_id for o in orders}) == 2 * COUNT
    assert sorted(e.address for e in events) == ["node"] * COUNT + ["notebook"] * COUNT
    assert len(profiles) == 25


def test_racing_confirmations_when_arriving_in_any_order_then_every_order_ends_filled(
    db_url: str,
) -> None:
    open_store(db_url).close()
    steps = []
    for n in range(12):
        oid = f"O-{n}"
        steps += [
            order(oid),
            order(oid, status=OrderStatus.SUBMITTED, updated_ts_ns=T0 + 1),
            order(oid, status=OrderStatus.FILLED, updated_ts_ns=T0 + 2, filled_quantity=1),
        ]
    random.Random(7).shuffle(steps)
    stores = [open_store(db_url) for _ in range(4)]

    def send(i: int) -> OrderWrite:
        return stores[i % len(stores)].orders("live").save(steps[i])

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(send, range(len(steps))))
        final = stores[0].orders("live").all_orders()
    finally:
        for store in stores:
            store.close()

    assert outcomes.count(OrderWrite.INSERTED) == 12
    assert [o.status for o in final] == [OrderStatus.FILLED] * 12
    assert all(o == replace(o, filled_quantity=1, updated_ts_ns=T0 + 2) for o in final)


def test_open_store_when_several_threads_start_on_an_empty_database_then_all_migrate_once(
    db_url: str,
) -> None:
    def start(_: int) -> str | None:
        with open_store(db_url) as store:
            return store.revision()

    with ThreadPoolExecutor(max_workers=3) as pool:
        revisions = list(pool.map(start, range(3)))

    assert revisions == [head_revision()] * 3
