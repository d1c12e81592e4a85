"""Paper broker journal: a restarted broker finds its working stop, its position, its realised P&L
and carries on numbering ids; the file journal is replaced atomically."""

import json
from pathlib import Path

import pytest

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution import Fill, OrderAction, OrderIntent, OrderStatusUpdate, PaperBroker
from orderflow_lib.execution.paper_journal import (
    FilePaperJournal,
    InMemoryPaperJournal,
    PaperJournal,
)
from orderflow_lib.risk.venue import OrderType

BUY, SELL = OrderAction.BUY, OrderAction.SELL
ENTRY, STOP, TARGET = 20_046, 20_038, 20_084


class Listener:
    def __init__(self) -> None:
        self.fills: list[Fill] = []

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        pass

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        pass


def _order(
    order_id: str, action: OrderAction, price_ticks: int, order_type: OrderType, parent_id: str = ""
) -> OrderIntent:
    oca_group = "G" if parent_id else ""
    return OrderIntent(
        "sig",
        "MES",
        action,
        1,
        price_ticks,
        0,
        order_id=order_id,
        order_type=order_type,
        parent_id=parent_id,
        oca_group=oca_group,
    )


def _bracket() -> tuple[OrderIntent, OrderIntent, OrderIntent]:
    return (
        _order("P", BUY, ENTRY, OrderType.MARKET),
        _order("S", SELL, STOP, OrderType.STOP, parent_id="P"),
        _order("T", SELL, TARGET, OrderType.LIMIT, parent_id="P"),
    )


async def _broker(journal: PaperJournal) -> tuple[PaperBroker, Listener]:
    broker = PaperBroker(ReplayClock(1), slippage_ticks=1, journal=journal)
    listener = Listener()
    broker.add_listener(listener)
    await broker.connect()
    return broker, listener


@pytest.fixture(params=["memory", "file"])
def journal(request, tmp_path: Path) -> PaperJournal:
    if request.param == "memory":
        return InMemoryPaperJournal()
    return FilePaperJournal(tmp_path / "paper" / "journal.json")


async def test_restart_when_in_bracket_then_stop_position_pnl_and_ids_carry_on(journal):
    first, _ = await _broker(journal)
    first.on_trade("MES", 1, ENTRY)
    await first.place_order(_order("r1", BUY, ENTRY, OrderType.MARKET))
    first.on_trade("MES", 2, ENTRY + 10)
    await first.place_order(_order("r2", SELL, ENTRY, OrderType.MARKET))
    first.on_trade("MES", 3, ENTRY + 20)
    await first.place_bracket(*_bracket())
    first.on_trade("MES", 4, ENTRY)
    realized = (await first.account()).cash_gbp
    before = await first.open_orders()

    second, listener = await _broker(journal)
    assert await second.positions() == {"MES": 1}
    assert await second.open_orders() == before
    assert [o.order_id for o in before] == ["S", "T"]
    assert (await second.account()).cash_gbp == realized
    with pytest.raises(BrokerError, match="'S' is already working"):
        await second.place_order(_order("S", SELL, STOP, OrderType.STOP))
    second.on_trade("MES", 5, STOP)
    assert [(f.order_id, f.price_ticks, f.fill_id) for f in listener.fills] == [
        ("S", STOP - 1, "PAPER-FILL-9")
    ]
    assert await second.open_orders() == [] and await second.positions() == {}
    assert await second.place_order(_order("n", BUY, ENTRY, OrderType.MARKET)) == "PAPER-10"


async def test_restart_when_stop_triggered_and_partly_filled_then_rest_fills_on_next_trade():
    journal = InMemoryPaperJournal()
    first = PaperBroker(ReplayClock(1), max_fill_per_quote=1, journal=journal)
    await first.connect()
    first.on_trade("MES", 1, ENTRY)
    await first.place_order(OrderIntent("sig", "MES", BUY, 2, ENTRY, 0, order_id="b"))
    first.on_trade("MES", 2, ENTRY)
    first.on_trade("MES", 3, ENTRY)
    await first.place_order(
        OrderIntent("sig", "MES", SELL, 2, STOP, 0, order_id="s", order_type=OrderType.STOP)
    )
    first.on_trade("MES", 4, STOP)

    second, listener = await _broker(journal)
    second.on_trade("MES", 5, ENTRY)
    assert [(f.order_id, f.price_ticks) for f in listener.fills] == [("s", ENTRY - 1)]
    assert await second.positions() == {}


async def test_journal_when_trade_changes_nothing_then_not_saved():
    journal = InMemoryPaperJournal()
    broker, _ = await _broker(journal)
    broker.on_trade("MES", 1, ENTRY)
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    saves = journal.saves
    for price in (ENTRY + 1, ENTRY - 1, TARGET, STOP + 1):
        broker.on_trade("MES", 3, price)
    assert journal.saves == saves
    broker.on_trade("MES", 4, TARGET + 1)
    assert journal.saves == saves + 1


async def test_file_journal_when_saved_then_one_json_file_and_no_temp_files_left(tmp_path: Path):
    path = tmp_path / "journal.json"
    broker, _ = await _broker(FilePaperJournal(path))
    broker.on_trade("MES", 1, ENTRY)
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    assert [p.name for p in tmp_path.iterdir()] == ["journal.json"]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert [o["order_id"] for o in data["orders"]] == ["S", "T"]


def test_file_journal_when_missing_then_none(tmp_path: Path):
    assert FilePaperJournal(tmp_path / "absent.json").load() is None


def test_file_journal_when_corrupt_then_error_names_the_file(tmp_path: Path):
    path = tmp_path / "journal.json"
    path.write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(
        BrokerError, match=r"journal\.json cannot be read: version must be one of \(1, 2\), was 99"
    ):
        FilePaperJournal(path).load()
