"""Exceptions raised by OrderFlow, as one tree so callers can catch at the level they need.

OrderFlowError
├── ConfigError            an invalid or unreadable setting (names the field and the reason)
├── DataError              input data that cannot be used
│   ├── ValidationError    malformed rows (names the first bad row and why)
│   └── OffGridPriceError  a price that is not a whole number of ticks
├── CalendarError          a date or time the exchange calendar cannot place
├── ClockError             a clock asked to move backwards
├── SafetyError            the safety manager refused or could not start
├── StoreError             the database could not be reached or written
└── BrokerError            the broker connection or an order call failed
"""

from __future__ import annotations


class OrderFlowError(Exception):
    """Base of every error raised by orderflow_lib."""


class ConfigError(OrderFlowError):
    """A setting is invalid or the settings file cannot be read."""


class DataError(OrderFlowError):
    """Input data cannot be used as given."""


class ValidationError(DataError):
    """Rows failed validation; the message names the first bad row and the reason."""


class OffGridPriceError(DataError):
    """A price is not a whole number of ticks."""


class CalendarError(OrderFlowError):
    """The exchange calendar cannot place a date or time."""


class ClockError(OrderFlowError):
    """A clock was asked to move backwards."""


class SafetyError(OrderFlowError):
    """The safety manager refused to start or to act."""


class StoreError(OrderFlowError):
    """The store (database) could not be reached or written."""


class BrokerError(OrderFlowError):
    """The broker connection or an order call failed."""
