"""Execution: the Broker protocol, the paper broker, positions and P&L (USD and GBP), and the
SafeBroker through which every order passes the safety gate."""

from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.events import BrokerListener, Fill, OpenOrder, OrderStatusUpdate
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.execution.pnl import (
    TICK_VALUE_USD,
    Position,
    PositionBook,
    tick_value_usd,
    trade_pnl_usd,
    usd_to_gbp,
)
from orderflow_lib.execution.safe_broker import SafeBroker
from orderflow_lib.risk.records import OrderAction, OrderStatus
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent, SubmitResult

__all__ = [
    "TICK_VALUE_USD",
    "AccountSnapshot",
    "Broker",
    "BrokerListener",
    "Fill",
    "OpenOrder",
    "OrderAction",
    "OrderIntent",
    "OrderStatus",
    "OrderStatusUpdate",
    "PaperBroker",
    "Position",
    "PositionBook",
    "SafeBroker",
    "SubmitResult",
    "tick_value_usd",
    "trade_pnl_usd",
    "usd_to_gbp",
]
