"""What a node run did (events, signals, orders, P&L) and the ports through which the node gets
its broker and its history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from orderflow_lib.core.clock import Clock
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.node.context import PriorSession

BrokerFactory = Callable[[FeedInfo], Awaitable[Broker]]
"""Gives the broker a source trades with (a PaperBroker, or the IB broker for live data)."""
HistorySource = Callable[[date, str, str], Awaitable[Sequence[PriorSession]]]
"""(trade date, contract, source) -> the prior RTH sessions the context is built from."""


@dataclass
class NodeSummary:
    """What a run did, printed when a replay reaches the end of its data; `config_hash` names the
    settings it ran with (spec §12), so a replay and a live run can be compared."""

    events: int = 0
    trades: int = 0
    seconds: float = 0.0
    sessions: int = 0
    signals_by_kind: dict[str, int] = field(default_factory=dict)
    orders_sent: int = 0
    orders_denied: int = 0
    denials_by_reason: dict[str, int] = field(default_factory=dict)
    fills: int = 0
    realized_usd: float = 0.0
    unrealized_usd: float = 0.0
    daily_pnl_gbp: float | None = None
    bad_events: int = 0
    late_trades: int = 0
    config_hash: str = ""

    @property
    def events_per_s(self) -> float:
        """Throughput over the run's wall time."""
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        """The summary as printable lines."""
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.signals_by_kind.items())) or "none"
        denials = ", ".join(f"{k} {v}" for k, v in sorted(self.denials_by_reason.items()))
        gbp = "n/a" if self.daily_pnl_gbp is None else f"{self.daily_pnl_gbp:.2f} GBP"
        return [
            f"events processed: {self.events:,} ({self.trades:,} trades, {self.bad_events} refused, "
            f"{self.late_trades} trades out of time order kept at the latest time) "
            f"in {self.seconds:.2f} s = {self.events_per_s:,.0f} events/s",
            f"sessions: {self.sessions}",
            f"signals: {sum(self.signals_by_kind.values())} ({kinds})",
            f"orders: {self.orders_sent} sent, {self.orders_denied} denied"
            + (f" ({denials})" if denials else "")
            + f", {self.fills} fills",
            f"P&L: realized {self.realized_usd:.2f} USD, unrealized {self.unrealized_usd:.2f} USD, "
            f"daily {gbp}",
            f"settings: config hash {self.config_hash or 'n/a'} (runs with the same hash are comparable)",
        ]


def paper_broker_factory(clock: Clock) -> BrokerFactory:
    """A factory giving a fresh PaperBroker (fills at the quote the node shows it) per source."""

    async def factory(info: FeedInfo) -> Broker:
        return PaperBroker(clock)

    return factory
