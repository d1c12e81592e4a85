"""Clock, time conversion, exact fractions, errors and settings: what every other layer imports."""

from orderflow_lib.core.clock import Clock, LiveClock, ReplayClock
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
from orderflow_lib.core.timeconv import datetime_to_ns, ns_to_datetime

__all__ = [
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
    "ValidationError",
    "datetime_to_ns",
    "load_settings",
    "ns_to_datetime",
]
