"""Clock, time conversion, exact fractions, errors and settings: what every other layer imports."""

from orderflow_lib.core.clock import Clock, LiveClock, ReplayClock, TestClock
from orderflow_lib.core.config import Settings, load_settings
from orderflow_lib.core.errors import (
    BrokerError,
    CalendarError,
    ClockError,
    ConfigError,
    DataError,
    OffGridPriceError,
    OrderFlowError,
    SafetyError,
    StoreError,
    ValidationError,
)
from orderflow_lib.core.fractions import at_least, exact
from orderflow_lib.core.timeconv import (
    NY,
    datetime_to_ns,
    ns_to_datetime,
    ns_to_ny,
    ny_to_ns,
)

__all__ = [
    "NY",
    "BrokerError",
    "CalendarError",
    "Clock",
    "ClockError",
    "ConfigError",
    "DataError",
    "LiveClock",
    "OffGridPriceError",
    "OrderFlowError",
    "ReplayClock",
    "SafetyError",
    "Settings",
    "StoreError",
    "TestClock",
    "ValidationError",
    "at_least",
    "datetime_to_ns",
    "exact",
    "load_settings",
    "ns_to_datetime",
    "ns_to_ny",
    "ny_to_ns",
]
