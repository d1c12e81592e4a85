"""Seeded synthetic ES sessions: trades with aggressor side, best bid/offer and 10-level depth.

`generate_in_windows` is the core (explicit session windows); `generate_session` asks the exchange
calendar for the windows of a trade date; `generate_sessions` chains consecutive trade dates with
price continuity. A `PriceScript` makes a day's RTH follow chosen waypoints. The same seed, trade
date and script always give byte-identical arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.market.events import BOOK_ASK, BOOK_BID, QUOTE_DTYPE, TRADE_DTYPE
from orderflow_lib.market.synthetic.book import (
    CODE_DEEP,
    CODE_SNAPSHOT,
    CODE_TOP_ASK,
    CODE_TOP_BID,
    expand_depth,
    step_codes,
)
from orderflow_lib.market.synthetic.profile import Buckets, build_buckets, reference_activity
from orderflow_lib.market.synthetic.regimes import (
    DayPlan,
    SyntheticDayType,
    choose_day_type,
    plan_day,
)
from orderflow_lib.market.synthetic.rows import (
    ROW_DEEP,
    ROW_QUOTE,
    ROW_SNAPSHOT,
    ROW_TRADE,
    ROW_TRADE_QUOTE,
    TRADES_PER_FULL_DAY,
    EventRows,
    build_rows,
)
from orderflow_lib.market.synthetic.script import PriceScript
from orderflow_lib.market.synthetic.scripted import script_day
from orderflow_lib.market.synthetic.sizes import resting_sizes
from orderflow_lib.market.synthetic.steps import BidBand, build_steps
from orderflow_lib.market.synthetic.windows import (
    SessionLayout,
    SyntheticMarketError,
    windows_from_calendar,
)

SOURCE = "synthetic"
MIN_START_PRICE_TICKS = 2_000
MAX_SCALE = 20.0
DEFAULT_START_RANGE_TICKS = (18_000, 22_000)
QUEUE_MEMORY = 64

ScriptSource = PriceScript | Callable[["SyntheticSession"], PriceScript]
"""A fixed script, or one built from the prior session (e.g. from its value area)."""


@dataclass(frozen=True, slots=True)
class AbsorptionEpisode:
    """Planned absorption: aggression into `book_side` at `price_ticks` held over `[start_ns, end_ns)`.

    BOOK_BID: heavy selling hit a bid that did not move; BOOK_ASK: heavy buying lifted an ask.
    """

    start_ns: int
    end_ns: int
    price_ticks: int
    book_side: int


@dataclass(frozen=True, slots=True, eq=False)
class SyntheticSession:
    """One generated trade date: TRADE_DTYPE trades, QUOTE_DTYPE quotes, DEPTH_DTYPE depth updates.

    A scripted session keeps the seeded `day_type` of its overnight; `script` drove its RTH path.
    """

    trade_date: date
    seed: int
    day_type: SyntheticDayType
    trades: np.ndarray
    quotes: np.ndarray
    depth: np.ndarray
    windows: SessionLayout
    start_price_ticks: int
    absorptions: tuple[AbsorptionEpisode, ...]
    source: str = SOURCE
    script: PriceScript | None = None

    @property
    def last_bid_ticks(self) -> int:
        """Best bid at the session's end: where the next trade date starts."""
        return int(self.quotes["bid_ticks"][-1])


def generate_session(
    trade_date: date,
    seed: int,
    *,
    calendar: SessionCalendar | None = None,
    scale: float = 1.0,
    day_type: SyntheticDayType | str | None = None,
    start_price_ticks: int | None = None,
    script: PriceScript | None = None,
) -> SyntheticSession:
    """Synthetic session of `trade_date` in the windows the calendar gives (default calendar if None)."""
    return generate_in_windows(
        windows_from_calendar(trade_date, calendar),
        seed,
        scale=scale,
        day_type=day_type,
        start_price_ticks=start_price_ticks,
        script=script,
    )


def generate_sessions(
    start: date,
    end: date,
    seed: int,
    *,
    calendar: SessionCalendar | None = None,
    scale: float = 1.0,
    start_price_ticks: int | None = None,
    script_last: ScriptSource | None = None,
) -> list[SyntheticSession]:
    """Sessions of every trade date in `[start, end]`, each opening at the previous one's last bid.

    With `script_last` the last trade date follows that script (a callable gets the prior session
    and returns the script); the days before it are the usual unscripted ones.
    """
    if calendar is None:
        calendar = default_calendar()
    trade_dates = list(calendar.trade_dates(start, end))
    if callable(script_last) and len(trade_dates) < 2:
        raise SyntheticMarketError(
            "script_last built from the prior session needs at least two trade dates in "
            f"[{start}, {end}], found {len(trade_dates)}"
        )
    sessions: list[SyntheticSession] = []
    price = start_price_ticks
    for index, trade_date in enumerate(trade_dates):
        script = None
        if script_last is not None and index == len(trade_dates) - 1:
            script = script_last(sessions[-1]) if callable(script_last) else script_last
        session = generate_session(
            trade_date, seed, calendar=calendar, scale=scale, start_price_ticks=price, script=script
        )
        sessions.append(session)
        price = session.last_bid_ticks
    return sessions


def generate_in_windows(
    windows: SessionLayout,
    seed: int,
    *,
    scale: float = 1.0,
    day_type: SyntheticDayType | str | None = None,
    start_price_ticks: int | None = None,
    script: PriceScript | None = None,
) -> SyntheticSession:
    """The core generator: one session inside explicit windows (see `SessionLayout`).

    `scale` multiplies the event counts (1.0 ≈ 0.5 M trades and 2.6 M quotes on a full day); the
    price plan does not depend on it. `day_type` None lets the seed choose; `start_price_ticks`
    None lets the seed choose a bid near 5000.00. `script` sets the RTH price path (the overnight
    then ends at its first waypoint).
    """
    _check_arguments(seed, scale, start_price_ticks)
    if script is not None:
        _check_script(script)
    chosen_type = _parse_day_type(day_type)
    rng = np.random.default_rng(np.random.SeedSequence([seed, windows.trade_date.toordinal()]))
    default_start = int(
        rng.integers(DEFAULT_START_RANGE_TICKS[0], DEFAULT_START_RANGE_TICKS[1] + 1)
    )
    seeded_type = choose_day_type(rng)
    start = default_start if start_price_ticks is None else int(start_price_ticks)
    plan_type = seeded_type if chosen_type is None else chosen_type

    buckets = build_buckets(windows)
    plan = plan_day(buckets, plan_type, start, rng)
    band: BidBand | None = None
    pinned: np.ndarray | None = None
    if script is not None:
        scripted = script_day(plan, buckets, script, rng)
        plan, band, pinned = scripted.plan, scripted.band, scripted.pinned
    steps = build_steps(buckets, plan, start, scale, rng, band)
    trades_per_activity = TRADES_PER_FULL_DAY * scale * plan.volume_factor / reference_activity()
    rows = _sorted(
        build_rows(
            buckets,
            plan,
            steps,
            windows.open_ns,
            windows.close_ns,
            trades_per_activity,
            rng,
            pinned,
        )
    )
    trades, quotes, depth = _assemble(rows, buckets, start, rng)
    return SyntheticSession(
        trade_date=windows.trade_date,
        seed=int(seed),
        day_type=plan_type,
        trades=trades,
        quotes=quotes,
        depth=depth,
        windows=windows,
        start_price_ticks=start,
        absorptions=_episodes(plan, buckets, start),
        script=script,
    )


def _check_arguments(seed: int, scale: float, start_price_ticks: int | None) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SyntheticMarketError(f"seed must be an integer >= 0, was {seed!r}")
    if not 0.0 < scale <= MAX_SCALE:
        raise SyntheticMarketError(f"scale must be in (0, {MAX_SCALE}], was {scale!r}")
    if start_price_ticks is not None and start_price_ticks < MIN_START_PRICE_TICKS:
        raise SyntheticMarketError(
            f"start_price_ticks must be >= {MIN_START_PRICE_TICKS}, was {start_price_ticks!r}"
        )


def _check_script(script: PriceScript) -> None:
    lowest = min(price for _, price in script.waypoints)
    if lowest < MIN_START_PRICE_TICKS:
        raise SyntheticMarketError(
            f"waypoint prices must be >= {MIN_START_PRICE_TICKS} ticks, was {lowest}"
        )


def _parse_day_type(day_type: SyntheticDayType | str | None) -> SyntheticDayType | None:
    if day_type is None:
        return None
    try:
        return SyntheticDayType(day_type)
    except ValueError:
        allowed = ", ".join(t.value for t in SyntheticDayType)
        raise SyntheticMarketError(
            f"day_type must be one of {allowed} or None, was {day_type!r}"
        ) from None


def _sorted(rows: EventRows) -> EventRows:
    """Rows in time order with strictly increasing times (ties nudged forward by 1 ns each)."""
    order = np.argsort(rows.ts_ns, kind="stable")
    ts = rows.ts_ns[order]
    index = np.arange(ts.size, dtype=np.int64)
    ts = np.maximum.accumulate(ts - index) + index
    return EventRows(
        ts_ns=ts,
        kind=rows.kind[order],
        d_bid=rows.d_bid[order],
        d_ask=rows.d_ask[order],
        side=rows.side[order],
        qty=rows.qty[order],
        position=rows.position[order],
        bucket=rows.bucket[order],
    )


def _top_size(
    price_moves: np.ndarray,
    price: np.ndarray,
    ts_ns: np.ndarray,
    queue_change: np.ndarray,
    taken: np.ndarray,
    in_rth: np.ndarray,
    salt: int,
) -> np.ndarray:
    """Displayed size at one side's best price after each row.

    A level that becomes the best opens with its price's resting size (the size it showed, or would
    have shown, behind the touch). After that the size follows what trades take (`taken`) and the
    orders added and cancelled in its last QUEUE_MEMORY changes (`queue_change`: the queue wanders
    around its opening size instead of drifting away); it never shows less than 1 lot.
    """
    new_level = price_moves != 0
    new_level[0] = True
    level_rows = np.flatnonzero(new_level)
    level_of_row = np.cumsum(new_level) - 1
    opening_size = resting_sizes(
        price[level_rows],
        ts_ns[level_rows],
        np.zeros(level_rows.size, dtype=np.int64),
        in_rth[level_rows],
        salt,
    )
    level_start = level_rows[level_of_row]
    is_change = queue_change != 0
    changes_so_far = np.cumsum(is_change)
    changes_before_level = (changes_so_far - is_change)[level_start]
    queued = np.concatenate(([0], np.cumsum(queue_change[is_change])))
    since = np.maximum(changes_so_far - QUEUE_MEMORY, changes_before_level)
    taken_total = np.concatenate(([0], np.cumsum(taken)))
    value = (
        opening_size[level_of_row]
        + queued[changes_so_far]
        - queued[since]
        + taken_total[1:]
        - taken_total[level_start]
    )
    return np.maximum(value, 1)


def _assemble(
    rows: EventRows, buckets: Buckets, start: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trades, quotes and depth arrays from the time-ordered rows."""
    bid = start + np.cumsum(rows.d_bid, dtype=np.int64)
    ask = start + 1 + np.cumsum(rows.d_ask, dtype=np.int64)
    is_trade = rows.kind == ROW_TRADE
    trades = np.empty(int(is_trade.sum()), dtype=TRADE_DTYPE)
    trades["ts_ns"] = rows.ts_ns[is_trade]
    trades["price_ticks"] = np.where(rows.side[is_trade] > 0, ask[is_trade], bid[is_trade])
    trades["size"] = rows.qty[is_trade]
    trades["side"] = rows.side[is_trade]

    book = np.flatnonzero(~is_trade)
    kind = rows.kind[book]
    side = rows.side[book]
    qty = rows.qty[book]
    in_rth = buckets.in_rth[rows.bucket[book]]
    queue_row = (kind == ROW_TRADE_QUOTE) | (kind == ROW_QUOTE)
    bid_row = queue_row & (side == BOOK_BID)
    ask_row = queue_row & (side == BOOK_ASK)
    after_trade = kind == ROW_TRADE_QUOTE
    book_ts = rows.ts_ns[book]
    book_bid = bid[book]
    book_ask = ask[book]
    salt = int(rng.integers(0, 2**62))
    sizes = []
    for moves, price, on_side in (
        (rows.d_bid[book], book_bid, bid_row),
        (rows.d_ask[book], book_ask, ask_row),
    ):
        change = np.where(on_side, qty, 0)
        sizes.append(
            _top_size(
                moves,
                price,
                book_ts,
                np.where(after_trade, 0, change),
                np.where(after_trade, change, 0),
                in_rth,
                salt,
            )
        )
    bid_size, ask_size = sizes

    is_quote = kind != ROW_DEEP
    quotes = np.empty(int(is_quote.sum()), dtype=QUOTE_DTYPE)
    quotes["ts_ns"] = book_ts[is_quote]
    quotes["bid_ticks"] = book_bid[is_quote]
    quotes["bid_size"] = bid_size[is_quote]
    quotes["ask_ticks"] = book_ask[is_quote]
    quotes["ask_size"] = ask_size[is_quote]

    code = step_codes(rows.d_bid[book], rows.d_ask[book])
    code[kind == ROW_SNAPSHOT] = CODE_SNAPSHOT
    code[bid_row] = CODE_TOP_BID
    code[ask_row] = CODE_TOP_ASK
    code[kind == ROW_DEEP] = CODE_DEEP
    depth = expand_depth(
        code,
        book_ts,
        book_bid,
        book_ask,
        bid_size,
        ask_size,
        side,
        rows.position[book],
        qty,
        in_rth,
        salt,
    )
    return trades, quotes, depth


def _episodes(plan: DayPlan, buckets: Buckets, start: int) -> tuple[AbsorptionEpisode, ...]:
    """The plan's absorption episodes in ns and ticks (the held bid, or the held ask = bid + 1)."""
    episodes = []
    for planned in plan.absorptions:
        first = planned.first_bucket
        bid = int(plan.close_ticks[first - 1]) if first > 0 else start
        price = bid if planned.book_side == BOOK_BID else bid + 1
        episodes.append(
            AbsorptionEpisode(
                start_ns=int(buckets.start_ns[first]),
                end_ns=int(buckets.end_ns[planned.last_bucket]),
                price_ticks=price,
                book_side=planned.book_side,
            )
        )
    return tuple(episodes)
