"""Interactive Brokers adapter on ib_async (the only package that imports it): connection with
reconnect and fence, ES/MES front month, market data, MES orders and brackets, GBP account, and bar
backfill."""

from orderflow_lib.adapters.ibkr.account import (
    BrokerPosition,
    IbAccount,
    IbAccountValues,
    PnlUpdate,
)
from orderflow_lib.adapters.ibkr.backfill import (
    BackfillResult,
    PacingLimiter,
    RateLimiter,
    backfill_bars,
    bars_to_array,
    bars_to_frame,
    last_complete_trade_date,
    recent_trade_dates,
    trade_date_of,
)
from orderflow_lib.adapters.ibkr.broker import IbBroker
from orderflow_lib.adapters.ibkr.connection import ConnectionState, IbConnection
from orderflow_lib.adapters.ibkr.contracts import FrontMonth, resolve_front_month, roll_date
from orderflow_lib.adapters.ibkr.errors import (
    ContractError,
    EntitlementError,
    ErrorKind,
    IbkrConnectionError,
    IbkrError,
    IbkrErrorEvent,
    classify_error,
)
from orderflow_lib.adapters.ibkr.market_data import (
    FeedState,
    FeedStatus,
    MarketDataFeed,
    MarketDataHandlers,
    MarketDataStream,
    TopOfBook,
    quote_rule_side,
)
from orderflow_lib.adapters.ibkr.order_build import BracketRefs
from orderflow_lib.adapters.ibkr.orders import (
    CommissionUpdate,
    FillReport,
    IbOrderRouter,
    OrderHandlers,
    OrderState,
    OrderUpdate,
)

__all__ = [
    "BackfillResult",
    "BracketRefs",
    "BrokerPosition",
    "CommissionUpdate",
    "ConnectionState",
    "ContractError",
    "EntitlementError",
    "ErrorKind",
    "FeedState",
    "FeedStatus",
    "FillReport",
    "FrontMonth",
    "IbAccount",
    "IbAccountValues",
    "IbBroker",
    "IbConnection",
    "IbOrderRouter",
    "IbkrConnectionError",
    "IbkrError",
    "IbkrErrorEvent",
    "MarketDataFeed",
    "MarketDataHandlers",
    "MarketDataStream",
    "OrderHandlers",
    "OrderState",
    "OrderUpdate",
    "PacingLimiter",
    "PnlUpdate",
    "RateLimiter",
    "TopOfBook",
    "backfill_bars",
    "bars_to_array",
    "bars_to_frame",
    "classify_error",
    "last_complete_trade_date",
    "quote_rule_side",
    "recent_trade_dates",
    "resolve_front_month",
    "roll_date",
    "trade_date_of",
]
