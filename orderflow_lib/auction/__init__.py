"""Auction context (spec §4, §5.2, §5.4): key levels, session state, open location and open type,
the 80% rule, value expectations, overnight inventory, acceptance and the pre-market regime.
Prices are integer ticks and times int64 UTC ns; each concept is a pure function or a small
state machine fed prints (trades, or 1-minute bars as four prints) and period ends."""

from orderflow_lib.auction.acceptance import LevelAcceptance
from orderflow_lib.auction.eighty import EightyPercentRule, overnight_eighty
from orderflow_lib.auction.inventory import OvernightInventory, overnight_inventory
from orderflow_lib.auction.levels import KeyLevel, SessionLevels, collect_levels
from orderflow_lib.auction.open_location import OpenLocation, open_location
from orderflow_lib.auction.open_type import OpenType, OpenTypeTracker, classify_open_type
from orderflow_lib.auction.regime import Regime, classify_regime
from orderflow_lib.auction.session import SessionState, session_state
from orderflow_lib.auction.vef import ValueExpectations

__all__ = [
    "EightyPercentRule",
    "KeyLevel",
    "LevelAcceptance",
    "OpenLocation",
    "OpenType",
    "OpenTypeTracker",
    "OvernightInventory",
    "Regime",
    "SessionLevels",
    "SessionState",
    "ValueExpectations",
    "classify_open_type",
    "classify_regime",
    "collect_levels",
    "open_location",
    "overnight_eighty",
    "overnight_inventory",
    "session_state",
]
