"""Persistence: SQLAlchemy models, repositories and Alembic migrations (the only code using sqlalchemy).

`store = open_store(url)` opens a SQLite file (default data/orderflow.sqlite) or PostgreSQL
(ORDERFLOW_DATABASE_URL), migrating it to the newest schema; `store.safety_store(source, actor)`
is the risk layer's SafetyStore port. Rows from market data carry a `source`, one of `SOURCES`
(re-exported from market.events).
"""

from orderflow_lib.store.database import Store, open_store
from orderflow_lib.store.errors import OrderConflictError
from orderflow_lib.store.market import (
    MarketSnapshotRepository,
    SignalRepository,
    SystemStatusRepository,
)
from orderflow_lib.store.orders import OrderRepository
from orderflow_lib.store.plans import PlanRepository
from orderflow_lib.store.positions import PositionRepository
from orderflow_lib.store.profiles import CvaArchiveRepository, ProfileRepository
from orderflow_lib.store.records import (
    SOURCES,
    BacktestRunRecord,
    CompositeRecord,
    CvaArchiveRecord,
    FillRecord,
    MarketSnapshotRecord,
    OrderWrite,
    PlanRecord,
    ProfileRecord,
    ReviewRecord,
    SignalRecord,
    SystemStatusRecord,
)
from orderflow_lib.store.safety import SafetyRepository
from orderflow_lib.store.safety_store import SqlSafetyStore
from orderflow_lib.store.urls import DEFAULT_URL, mask_url

__all__ = [
    "DEFAULT_URL",
    "SOURCES",
    "BacktestRunRecord",
    "CompositeRecord",
    "CvaArchiveRecord",
    "CvaArchiveRepository",
    "FillRecord",
    "MarketSnapshotRecord",
    "MarketSnapshotRepository",
    "OrderConflictError",
    "OrderRepository",
    "OrderWrite",
    "PlanRecord",
    "PlanRepository",
    "PositionRepository",
    "ProfileRecord",
    "ProfileRepository",
    "ReviewRecord",
    "SafetyRepository",
    "SignalRecord",
    "SignalRepository",
    "SqlSafetyStore",
    "Store",
    "SystemStatusRecord",
    "SystemStatusRepository",
    "mask_url",
    "open_store",
]
