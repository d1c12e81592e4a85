"""The synthetic ES market as a feed: seeded sessions from `market.synthetic`, one trade date after
another, paced at a speed (or as fast as possible) and delivered as event batches.

The prior sessions (`history`) are generated on the same price path at a smaller scale, so the
node has a composite and a prior day to compare with; today's session opens where they ended.
A `RotationStory` scripts them for the demo: balanced prior days, then a first day that trades
the plan within minutes of the open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.engine.context import build_context, priors_from_synthetic
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.events import FeedInfo, merge_events
from orderflow_lib.feeds.pacing import DEFAULT_MAX_BATCH, Pacer, Sleep, paced_batches
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.market.synthetic import PriceScript, SyntheticSession, generate_session

CHUNK_NS: Final = 10 * NS_PER_MINUTE
HISTORY_SCALE: Final = 0.05
HISTORY_DAYS: Final = 6
STORY_CENTER_TICKS: Final = 20_000
"""Where the demo's prior days trade: ES 5000.00."""
PRIOR_DAY_SWINGS: Final = (
    (0, -12),
    (60, 66),
    (120, -60),
    (180, 54),
    (240, -54),
    (300, 36),
    (380, 0),
)
"""(minute after the open, ticks from the centre) of a two-sided prior day: value about 60 ticks wide."""


def _fitted(waypoints: Iterable[tuple[int, int]], rth_minutes: int) -> PriceScript:
    """A script of the waypoints that fall inside an RTH session of `rth_minutes` (short days)."""
    return PriceScript(tuple((m, tick) for m, tick in waypoints if m < rth_minutes))


@dataclass(frozen=True, slots=True)
class RotationStory:
    """The demo's market: balanced prior days around `center_ticks`, then a first day that probes
    above the composite's VAH a few minutes after the open, is rejected there and rotates down
    through the composite's POC (the plan's fade of the VAH, spec §5.5, entered and closed within
    about 15 market minutes of the open)."""

    settings: Settings
    center_ticks: int = STORY_CENTER_TICKS

    def prior_day(self, rth_minutes: int) -> PriceScript:
        """The RTH path of every prior day."""
        return _fitted(((m, self.center_ticks + s) for m, s in PRIOR_DAY_SWINGS), rth_minutes)

    def first_day(
        self,
        history: Sequence[SyntheticSession],
        trade_date: date,
        calendar: SessionCalendar,
        rth_minutes: int,
    ) -> PriceScript:
        """The RTH path of `trade_date`, from the composite the plan will use (CVA before the
        prior day): open under its VAH, probe above it, back inside, then down to below its POC."""
        priors = priors_from_synthetic(history, calendar, self.settings.instrument.tick_size)
        contract = calendar.lead_contract(trade_date, "ES")
        cva = build_context(trade_date, contract, priors, self.settings, calendar).cva_ex_prior
        if cva is None:
            raise DataError(
                f"the demo story needs prior sessions before {trade_date} to build a composite, "
                f"had {len(priors)}"
            )
        vah, poc, val = cva.vah_ticks, cva.poc_ticks, cva.val_ticks
        waypoints = (
            (0, vah - 5),
            (3, vah + 2),  # the probe above the VAH
            (5, vah - 3),  # back inside: rejected, the short zone trades
            (8, vah - 4),
            (15, poc - 6),  # through the POC: the target
            (60, poc - 2),
            (120, vah - 10),
            (200, val + 6),
            (300, poc),
            (380, poc + 4),
        )
        return _fitted(waypoints, rth_minutes)


def session_chunks(session: SyntheticSession, chunk_ns: int = CHUNK_NS) -> Iterator[np.ndarray]:
    """A session's events merged in time order, `chunk_ns` of event time at a time."""
    if chunk_ns < 1:
        raise DataError(f"chunk_ns must be >= 1, was {chunk_ns}")
    arrays = (session.trades, session.quotes, session.depth)
    start = session.windows.open_ns
    while start < session.windows.close_ns:
        end = start + chunk_ns
        parts = [
            a[np.searchsorted(a["ts_ns"], start) : np.searchsorted(a["ts_ns"], end)] for a in arrays
        ]
        if any(p.shape[0] for p in parts):
            yield merge_events(parts[0], parts[1], parts[2])
        start = end


def session_events(session: SyntheticSession) -> np.ndarray:
    """All events of a session in one array (tests and benchmarks)."""
    return merge_events(session.trades, session.quotes, session.depth)


class SyntheticFeed:
    """Synthetic sessions from `trade_date` on (`days` of them, or for ever with None)."""

    def __init__(
        self,
        trade_date: date,
        seed: int,
        *,
        speed: float | None = 1.0,
        days: int | None = 1,
        scale: float = 1.0,
        history_days: int = HISTORY_DAYS,
        history_scale: float = HISTORY_SCALE,
        story: RotationStory | None = None,
        fast_forward_to_ns: int | None = None,
        max_wait_s: float | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
        calendar: SessionCalendar | None = None,
        sleep: Sleep = asyncio.sleep,
        wall_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        if days is not None and days < 1:
            raise DataError(f"days must be >= 1 or None, was {days}")
        if history_days < 0:
            raise DataError(f"history_days must be >= 0, was {history_days}")
        self.calendar = calendar or default_calendar()
        if not self.calendar.is_trade_date(trade_date):
            raise DataError(f"{trade_date} is not a CME trade date; pick a weekday session")
        self.trade_date = trade_date
        self.seed = seed
        self.days = days
        self.scale = scale
        self.history_days = history_days
        self.history_scale = history_scale
        self.story = story
        self._pacer = Pacer(
            speed, max_wait_s=max_wait_s, fast_forward_to_ns=fast_forward_to_ns, wall_ns=wall_ns
        )
        self._max_batch = max_batch
        self._sleep = sleep
        self._history: list[SyntheticSession] | None = None
        self._state = "idle"
        self._closed = False
        self._closed_event = asyncio.Event()
        self.info = FeedInfo(
            source="synthetic",
            contract=self.calendar.lead_contract(trade_date, "ES"),
            exchange_side=True,
            description=f"synthetic ES market, seed {seed}",
            trade_date=trade_date,
        )

    @property
    def state(self) -> str:
        """generating, synthetic (delivering), ended or closed."""
        return self._state

    def history_dates(self) -> list[date]:
        """The trade dates before `trade_date` whose sessions make up the history."""
        if self.history_days == 0:
            return []
        dates: list[date] = []
        day = self.trade_date
        while len(dates) < self.history_days:
            day = self.calendar.prior_rth_date(day)
            dates.append(day)
        return dates[::-1]

    async def history(self) -> list[SyntheticSession]:
        """The prior sessions (oldest first), generated once on the price path leading to today."""
        if self._history is None:
            sessions: list[SyntheticSession] = []
            story = self.story
            price = None if story is None else story.center_ticks
            for day in self.history_dates():
                minutes = self._rth_minutes(day)
                script = None if story is None or not minutes else story.prior_day(minutes)
                session = await self._generate(day, self.history_scale, price, script)
                if session is None:
                    return sessions
                sessions.append(session)
                price = session.last_bid_ticks
            self._history = sessions
        return self._history

    def _rth_minutes(self, day: date) -> int:
        """Length of `day`'s RTH session in minutes (0 when the NYSE is closed)."""
        session = self.calendar.rth_session(day)
        return (
            0 if session is None else (session.rth_close_ns - session.rth_open_ns) // NS_PER_MINUTE
        )

    async def _generate(
        self, day: date, scale: float, price: int | None, script: PriceScript | None = None
    ) -> SyntheticSession | None:
        """A session generated in a worker thread; None when the feed is closed meanwhile (the
        thread finishes on its own and its result is dropped)."""
        work = asyncio.ensure_future(
            asyncio.to_thread(
                generate_session,
                day,
                self.seed,
                calendar=self.calendar,
                scale=scale,
                start_price_ticks=price,
                script=script,
            )
        )
        closed = asyncio.ensure_future(self._closed_event.wait())
        await asyncio.wait({work, closed}, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if not work.done():
            work.add_done_callback(lambda done: done.cancelled() or done.exception())
            return None
        return work.result()

    async def items(self) -> AsyncIterator[FeedItem]:
        """Event batches of each session in turn; ends after `days` sessions or on `close`."""
        history = await self.history()
        price = history[-1].last_bid_ticks if history else None
        day = self.trade_date
        count = 0
        while not self._closed and (self.days is None or count < self.days):
            self._state = "generating"
            minutes = self._rth_minutes(day)
            script = None
            if count == 0 and self.story is not None and minutes:
                script = await asyncio.to_thread(
                    self.story.first_day, history, day, self.calendar, minutes
                )
            session = await self._generate(day, self.scale, price, script)
            if session is None:
                return
            self._state = "synthetic"
            async for batch in paced_batches(
                session_chunks(session),
                self._pacer,
                max_batch=self._max_batch,
                sleep=self._sleep,
                stopped=lambda: self._closed,
            ):
                if self._closed:
                    return
                yield batch
            price = session.last_bid_ticks
            count += 1
            day = self._next_trade_date(day)
        if not self._closed:
            self._state = "ended"

    async def close(self) -> None:
        """Stop after the batch being delivered."""
        self._closed = True
        self._closed_event.set()
        self._state = "closed"

    def _next_trade_date(self, day: date) -> date:
        end = min(date(day.year + 1, 12, 31), self.calendar.last_date)
        later = [d for d in self.calendar.trade_dates(day, end) if d > day] if day < end else []
        if not later:
            raise DataError(f"the calendar has no trade date after {day}")
        return later[0]
