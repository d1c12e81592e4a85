"""What a node run did (events, signals, orders, P&L) and the ports through which the node gets
its broker and its history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.loop import LoopCounts
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.execution.paper_journal import FilePaperJournal
from orderflow_lib.feeds.events import FeedInfo

BrokerFactory = Callable[[FeedInfo], Awaitable[Broker]]
"""Gives the broker a source trades with (a PaperBroker, or the IB broker for live data)."""


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


def paper_broker_factory(
    clock: Clock,
    *,
    slippage_ticks: int = 0,
    gbp_per_usd: float = 0.79,
    journal_dir: Path | None = None,
) -> BrokerFactory:
    """A factory giving a PaperBroker per source (spec §5.6 fills on the trades the node shows
    it); with `journal_dir` its working orders and positions survive a restart in
    `<journal_dir>/paper_<source>.json`."""

    async def factory(info: FeedInfo) -> Broker:
        journal = (
            None
            if journal_dir is None
            else FilePaperJournal(journal_dir / f"paper_{info.source}.json")
        )
        return PaperBroker(
            clock, slippage_ticks=slippage_ticks, gbp_per_usd=gbp_per_usd, journal=journal
        )

    return factory


def settings_paper_factory(clock: Clock, settings: Settings) -> BrokerFactory:
    """The paper broker of `settings` (paper.slippage_ticks, paper.usd_gbp), journalled under the
    data folder."""
    return paper_broker_factory(
        clock,
        slippage_ticks=settings.paper.slippage_ticks,
        gbp_per_usd=settings.paper.usd_gbp,
        journal_dir=Path(settings.data_dir),
    )


def fill_summary(
    summary: NodeSummary,
    counts: LoopCounts,
    sessions: Sequence[TradingSession],
    current: TradingSession | None,
) -> None:
    """Fold the loop's counts and every trading session's orders, fills and P&L into `summary`."""
    s = summary
    s.events, s.trades, s.sessions = counts.events, counts.trades, counts.sessions
    s.bad_events, s.late_trades = counts.bad_events, counts.late_trades
    s.signals_by_kind = dict(counts.signals_by_kind)
    s.orders_sent = s.orders_denied = s.fills = 0
    s.denials_by_reason = {}
    s.realized_usd = s.unrealized_usd = 0.0
    for trading in sessions:
        for _, result in trading.sent:
            if result.accepted:
                s.orders_sent += 1
            else:
                s.orders_denied += 1
                reason = result.reason or "UNKNOWN"
                s.denials_by_reason[reason] = s.denials_by_reason.get(reason, 0) + 1
        s.fills += trading.fills
        realized, unrealized = trading.pnl_usd()
        s.realized_usd += realized
        s.unrealized_usd += unrealized
    if current is not None and current.account is not None:
        s.daily_pnl_gbp = current.account.daily_pnl_gbp
