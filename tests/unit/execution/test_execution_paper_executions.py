"""Paper broker executions: the day's fills are reported by `executions()`, survive a restart in
the journal, start afresh on a new day, and every event reaches listeners only after the journal
saved the state it reports (a fill is on record at the paper exchange before anyone acts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution import Fill, OrderAction, OrderIntent, OrderStatusUpdate, PaperBroker
from orderflow_lib.execution.paper_journal import (
    FilePaperJournal,
    InMemoryPaperJournal,
    PaperJournal,
    state_from_json,
)
from orderflow_lib.risk.venue import OrderType

ENTRY, STOP, TARGET = 20_046, 20_038, 20_084


class JournalWatcher:
    """Records, at each event, what the journal held at that moment."""

    def __init__(self, journal: InMemoryPaperJournal) -> None:
        self.journal = journal
        self.seen: list[tuple[str, int]] = []

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        self.seen.append((f"status {update.order_id} {update.status}", self._saved()))

    def on_fill(self, fill: Fill) -> None:
        self.seen.append((f"fill {fill.fill_id}", self._saved()))

    def on_connection(self, connected: bool, reason: str) -> None:
        return None

    def _saved(self) -> int:
        state = self.journal.state
        return 0 if state is None else len(state.executions)


def _bracket() -> tuple[OrderIntent, OrderIntent, OrderIntent]:
    def intent(order_id: str, action: OrderAction, price: int, kind: OrderType) -> OrderIntent:
        parent = "" if order_id == "P" else "P"
        return OrderIntent(
            "sig", "MES", action, 1, price, 0, order_id=order_id, order_type=kind,
            parent_id=parent, oca_group="G" if parent else "",
        )  # fmt: skip

    return (
        intent("P", OrderAction.BUY, ENTRY, OrderType.MARKET),
        intent("S", OrderAction.SELL, STOP, OrderType.STOP),
        intent("T", OrderAction.SELL, TARGET, OrderType.LIMIT),
    )


async def _traded(journal: PaperJournal) -> PaperBroker:
    """Entry filled at the next trade, then the target filled: two executions."""
    broker = PaperBroker(ReplayClock(1), journal=journal)
    await broker.connect()
    broker.on_trade("MES", 1, ENTRY)
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    broker.on_trade("MES", 3, TARGET + 1)
    return broker


@pytest.fixture(params=["memory", "file"])
def journal(request, tmp_path: Path) -> PaperJournal:
    if request.param == "memory":
        return InMemoryPaperJournal()
    return FilePaperJournal(tmp_path / "paper.json")


async def test_executions_when_filled_then_reported_with_cumulative_quantities(journal):
    broker = await _traded(journal)

    executions = await broker.executions()

    assert [(e.order_id, e.action, e.quantity, e.cumulative_quantity) for e in executions] == [
        ("P", OrderAction.BUY, 1, 1),
        ("T", OrderAction.SELL, 1, 1),
    ]


async def test_executions_when_broker_restarted_from_journal_then_still_reported(journal):
    before = await (await _traded(journal)).executions()

    restarted = PaperBroker(ReplayClock(9), journal=journal)
    await restarted.connect()

    assert await restarted.executions() == before


async def test_executions_when_new_day_then_start_empty(journal):
    broker = await _traded(journal)

    broker.start_new_day()

    assert await broker.executions() == []
    restarted = PaperBroker(ReplayClock(9), journal=journal)
    await restarted.connect()
    assert await restarted.executions() == []


async def test_executions_when_disconnected_then_broker_error():
    broker = PaperBroker(ReplayClock(1))

    with pytest.raises(BrokerError, match="disconnected"):
        await broker.executions()


async def test_events_when_delivered_then_journal_already_holds_what_they_report():
    journal = InMemoryPaperJournal()
    broker = PaperBroker(ReplayClock(1), journal=journal)
    watcher = JournalWatcher(journal)
    broker.add_listener(watcher)
    await broker.connect()
    broker.on_trade("MES", 1, ENTRY)
    await broker.place_bracket(*_bracket())

    broker.on_trade("MES", 2, ENTRY)
    broker.on_trade("MES", 3, TARGET + 1)

    fills = [(what, saved) for what, saved in watcher.seen if what.startswith("fill")]
    assert [saved for _, saved in fills] == [1, 2]
    assert watcher.seen[-1] == ("status T FILLED", 2)


def test_journal_when_version_1_file_then_read_with_no_executions():
    text = (
        '{"version": 1, "sequence": 4, "orders": [], "positions": [], '
        '"day_realized_usd": 0.0, "day_start_unrealized_usd": 0.0}'
    )

    assert state_from_json(text).executions == ()
