"""The synthetic ES market: seeded, calendar-following sessions for the demo, tests and benchmarks.

`generate_session(trade_date, seed)` gives trades (with aggressor), quotes and 10-level depth of
one trade date; `iter_events` / `paced_events` stream them in time order; `session_summary` gives
the session's key facts.
"""

from orderflow_lib.market.synthetic.generator import (
    AbsorptionEpisode,
    SyntheticSession,
    generate_in_windows,
    generate_session,
    generate_sessions,
)
from orderflow_lib.market.synthetic.regimes import DAY_TYPE_WEIGHTS, SyntheticDayType
from orderflow_lib.market.synthetic.stream import Event, iter_events, paced_events
from orderflow_lib.market.synthetic.summary import session_summary
from orderflow_lib.market.synthetic.windows import (
    SessionWindows,
    SyntheticMarketError,
    standard_windows,
    windows_from_calendar,
)

__all__ = [
    "DAY_TYPE_WEIGHTS",
    "AbsorptionEpisode",
    "Event",
    "SessionWindows",
    "SyntheticDayType",
    "SyntheticMarketError",
    "SyntheticSession",
    "generate_in_windows",
    "generate_session",
    "generate_sessions",
    "iter_events",
    "paced_events",
    "session_summary",
    "standard_windows",
    "windows_from_calendar",
]
