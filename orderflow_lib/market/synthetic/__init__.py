"""The synthetic ES market: seeded, calendar-following sessions for the demo, tests and benchmarks.

`generate_session(trade_date, seed)` gives trades (with aggressor), quotes and 10-level depth of
one trade date; `iter_events` / `paced_events` stream them in time order; `session_summary` gives
the session's key facts. A `PriceScript` (waypoints of the RTH path) makes a day play a chosen
path; the named setups (`eighty_percent_day`, `acceptance_pullback_day`, `failed_breakout_day`,
`stop_first_day`) build scripts from a reference value area (`PriorLevels`), and
`generate_sessions(..., script_last=...)` ends a chain of days with one.
"""

from orderflow_lib.market.synthetic.generator import (
    SyntheticSession,
    generate_in_windows,
    generate_session,
    generate_sessions,
)
from orderflow_lib.market.synthetic.regimes import SyntheticDayType
from orderflow_lib.market.synthetic.script import PriceScript
from orderflow_lib.market.synthetic.setups import (
    PriorLevels,
    acceptance_pullback_day,
    eighty_percent_day,
    failed_breakout_day,
    stop_first_day,
)
from orderflow_lib.market.synthetic.stream import iter_events, paced_events
from orderflow_lib.market.synthetic.summary import session_summary
from orderflow_lib.market.synthetic.windows import (
    SessionLayout,
    SyntheticMarketError,
    standard_windows,
)

__all__ = [
    "PriceScript",
    "PriorLevels",
    "SessionLayout",
    "SyntheticDayType",
    "SyntheticMarketError",
    "SyntheticSession",
    "acceptance_pullback_day",
    "eighty_percent_day",
    "failed_breakout_day",
    "generate_in_windows",
    "generate_session",
    "generate_sessions",
    "iter_events",
    "paced_events",
    "session_summary",
    "standard_windows",
    "stop_first_day",
]
