"""IB error codes sorted into the kinds the workbench acts on, and the adapter's exceptions.

IbkrError (a BrokerError)
├── IbkrConnectionError   cannot connect, or the connection is down
├── ContractError         a contract could not be qualified (unknown or ambiguous)
└── EntitlementError      market data refused for lack of a subscription (354, 10089, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orderflow_lib.core.errors import BrokerError

CONNECTIVITY_LOST = 1100
RESTORED_DATA_LOST = 1101
RESTORED_DATA_KEPT = 1102
ORDER_CANCELLED = 202
ENTITLEMENT_CODES = frozenset({354, 10089, 10092, 10168, 10189, 10197})
DELAYED_CODES = frozenset({10167})
LIMIT_CODES = frozenset({100, 309, 10190})
HISTORY_CODES = frozenset({162, 165, 166, 366})
ORDER_REJECT_CODES = frozenset({103, 110, 200, 201, 203, 321, 461, 10147, 10148})


class ErrorKind(StrEnum):
    """What an IB error/system code means for the workbench."""

    CONNECTIVITY_LOST = "connectivity_lost"
    RESTORED_DATA_LOST = "restored_data_lost"
    RESTORED_DATA_KEPT = "restored_data_kept"
    NO_ENTITLEMENT = "no_entitlement"
    DELAYED_DATA = "delayed_data"
    LIMIT_REACHED = "limit_reached"
    HISTORY = "history"
    ORDER_REJECTED = "order_rejected"
    FARM_STATUS = "farm_status"
    OTHER = "other"


def classify_error(code: int) -> ErrorKind:
    """The kind of an IB error code (spec/ibkr.md §2.10-2.11)."""
    fixed = {
        CONNECTIVITY_LOST: ErrorKind.CONNECTIVITY_LOST,
        RESTORED_DATA_LOST: ErrorKind.RESTORED_DATA_LOST,
        RESTORED_DATA_KEPT: ErrorKind.RESTORED_DATA_KEPT,
    }
    if code in fixed:
        return fixed[code]
    for codes, kind in (
        (ENTITLEMENT_CODES, ErrorKind.NO_ENTITLEMENT),
        (DELAYED_CODES, ErrorKind.DELAYED_DATA),
        (LIMIT_CODES, ErrorKind.LIMIT_REACHED),
        (HISTORY_CODES, ErrorKind.HISTORY),
        (ORDER_REJECT_CODES, ErrorKind.ORDER_REJECTED),
    ):
        if code in codes:
            return kind
    if 2100 <= code < 2200:
        return ErrorKind.FARM_STATUS
    return ErrorKind.OTHER


@dataclass(frozen=True, slots=True)
class IbkrErrorEvent:
    """One error or system message from IB, stamped when the adapter saw it."""

    ts_ns: int
    req_id: int
    code: int
    message: str
    kind: ErrorKind


class IbkrError(BrokerError):
    """An Interactive Brokers call failed."""


class IbkrConnectionError(IbkrError):
    """The gateway cannot be reached or the connection is down."""


class ContractError(IbkrError):
    """A contract could not be qualified (unknown or ambiguous)."""


class EntitlementError(IbkrError):
    """IB refused market data for lack of a subscription; the code and IB's text are kept."""

    def __init__(self, feed: str, code: int, message: str) -> None:
        super().__init__(f"no market-data entitlement for {feed}: IB error {code}: {message}")
        self.feed = feed
        self.code = code
        self.ib_message = message
