"""Where the paper broker keeps its working orders and positions, so a restarted node finds its
protective stop: the PaperJournal port, an in-memory journal for tests and a JSON file journal."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from orderflow_lib.core.errors import BrokerError, SafetyError
from orderflow_lib.execution.events import Fill
from orderflow_lib.execution.paper_orders import PaperOrder
from orderflow_lib.execution.pnl import Position
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import OrderIntent, OrderType

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


@dataclass(frozen=True, slots=True)
class PaperState:
    """Everything a paper broker must remember across a restart; `sequence` is the last number
    used for broker order and fill ids; `executions` are the day's fills (a restarted node asks
    for them, version 1 files have none)."""

    sequence: int
    orders: tuple[PaperOrder, ...]
    positions: tuple[Position, ...]
    day_realized_usd: float = 0.0
    day_start_unrealized_usd: float = 0.0
    executions: tuple[Fill, ...] = ()


class PaperJournal(Protocol):
    """Keeps the newest PaperState. It may be handed the broker's live objects, so it keeps no
    reference to them, and what `load` returns is the caller's to change."""

    def load(self) -> PaperState | None:
        """The last state saved, or None when nothing was saved yet."""
        ...

    def save(self, state: PaperState) -> None:
        """Replace the saved state with `state`."""
        ...


class InMemoryPaperJournal:
    """A journal in memory: a second broker given the same object restores from it."""

    def __init__(self) -> None:
        self.state: PaperState | None = None
        self.saves = 0

    def load(self) -> PaperState | None:
        """A copy of the last state saved, or None."""
        return None if self.state is None else _copy_state(self.state)

    def save(self, state: PaperState) -> None:
        """Keep a copy of `state`."""
        self.state = _copy_state(state)
        self.saves += 1


class FilePaperJournal:
    """A journal in one JSON file, replaced atomically (temp file, fsync, rename) on every save so
    a crash leaves either the old state or the new one, never half of one."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def load(self) -> PaperState | None:
        """Read the file; None when it does not exist yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return state_from_json(text)
        except (ValueError, KeyError, TypeError, SafetyError) as exc:
            raise BrokerError(f"paper journal {self.path} cannot be read: {exc}") from exc

    def save(self, state: PaperState) -> None:
        """Write `state` to a temp file beside the journal, fsync it, then rename it over."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(state_to_json(state))
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if os.name == "posix":
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def state_to_json(state: PaperState) -> str:
    """The state as JSON text (prices in ticks, P&L in USD)."""
    return json.dumps(
        {
            "version": FORMAT_VERSION,
            "sequence": state.sequence,
            "orders": [_order_to_dict(o) for o in state.orders],
            "positions": [_position_to_dict(p) for p in state.positions],
            "day_realized_usd": state.day_realized_usd,
            "day_start_unrealized_usd": state.day_start_unrealized_usd,
            "executions": [_fill_to_dict(f) for f in state.executions],
        },
        indent=1,
    )


def state_from_json(text: str) -> PaperState:
    """Parse what `state_to_json` wrote; raises ValueError naming what is wrong."""
    data = json.loads(text)
    if data.get("version") not in READABLE_VERSIONS:
        raise ValueError(f"version must be one of {READABLE_VERSIONS}, was {data.get('version')!r}")
    return PaperState(
        sequence=int(data["sequence"]),
        orders=tuple(_order_from_dict(o) for o in data["orders"]),
        positions=tuple(_position_from_dict(p) for p in data["positions"]),
        day_realized_usd=float(data["day_realized_usd"]),
        day_start_unrealized_usd=float(data["day_start_unrealized_usd"]),
        executions=tuple(_fill_from_dict(f) for f in data.get("executions", ())),
    )


def _copy_state(state: PaperState) -> PaperState:
    """A copy whose orders and positions share nothing mutable with `state`."""
    return replace(
        state,
        orders=tuple(replace(o) for o in state.orders),
        positions=tuple(replace(p) for p in state.positions),
    )


def _order_to_dict(order: PaperOrder) -> dict[str, Any]:
    intent = order.intent
    return {
        "signal_id": intent.signal_id,
        "instrument": intent.instrument,
        "action": intent.action.value,
        "intent_quantity": intent.quantity,
        "price_ticks": intent.price_ticks,
        "ts_ns": intent.ts_ns,
        "order_id": intent.order_id,
        "order_type": intent.order_type.value,
        "parent_id": intent.parent_id,
        "oca_group": intent.oca_group,
        "broker_order_id": order.broker_order_id,
        "quantity": order.quantity,
        "released": order.released,
        "filled": order.filled,
        "triggered": order.triggered,
    }


def _order_from_dict(data: dict[str, Any]) -> PaperOrder:
    intent = OrderIntent(
        signal_id=str(data["signal_id"]),
        instrument=str(data["instrument"]),
        action=OrderAction(data["action"]),
        quantity=int(data["intent_quantity"]),
        price_ticks=int(data["price_ticks"]),
        ts_ns=int(data["ts_ns"]),
        order_id=str(data["order_id"]),
        order_type=OrderType(data["order_type"]),
        parent_id=str(data["parent_id"]),
        oca_group=str(data["oca_group"]),
    )
    return PaperOrder(
        intent=intent,
        broker_order_id=str(data["broker_order_id"]),
        quantity=int(data["quantity"]),
        released=int(data["released"]),
        filled=int(data["filled"]),
        triggered=bool(data["triggered"]),
    )


def _position_to_dict(position: Position) -> dict[str, Any]:
    return {
        "instrument": position.instrument,
        "quantity": position.quantity,
        "avg_entry_ticks": position.avg_entry_ticks,
        "realized_usd": position.realized_usd,
    }


def _position_from_dict(data: dict[str, Any]) -> Position:
    return Position(
        instrument=str(data["instrument"]),
        quantity=int(data["quantity"]),
        avg_entry_ticks=float(data["avg_entry_ticks"]),
        realized_usd=float(data["realized_usd"]),
    )


def _fill_to_dict(fill: Fill) -> dict[str, Any]:
    return {
        "order_id": fill.order_id,
        "broker_order_id": fill.broker_order_id,
        "fill_id": fill.fill_id,
        "instrument": fill.instrument,
        "action": fill.action.value,
        "quantity": fill.quantity,
        "price_ticks": fill.price_ticks,
        "cumulative_quantity": fill.cumulative_quantity,
        "ts_ns": fill.ts_ns,
    }


def _fill_from_dict(data: dict[str, Any]) -> Fill:
    return Fill(
        order_id=str(data["order_id"]),
        broker_order_id=str(data["broker_order_id"]),
        fill_id=str(data["fill_id"]),
        instrument=str(data["instrument"]),
        action=OrderAction(data["action"]),
        quantity=int(data["quantity"]),
        price_ticks=int(data["price_ticks"]),
        cumulative_quantity=int(data["cumulative_quantity"]),
        ts_ns=int(data["ts_ns"]),
    )
