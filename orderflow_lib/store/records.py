"""Frozen records the store reads and writes besides the safety manager's (orderflow_lib.risk.records).

Construction validates every field, so a bad record is refused with its value before any
database work; prices are integer ticks, times int64 UTC ns, trade dates plain `date`s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.market.events import SOURCES
from orderflow_lib.risk.records import OrderAction

ID_MAX = 64
NAME_MAX = 16
LABEL_MAX = 32


class OrderWrite(StrEnum):
    """What saving an order did: a new row, a forward move, or nothing (duplicate or stale)."""

    INSERTED = "INSERTED"
    UPDATED = "UPDATED"
    DUPLICATE = "DUPLICATE"
    STALE = "STALE"


def check_source(source: str) -> str:
    """`source` if it is synthetic, replay or live; ValidationError naming it otherwise."""
    if source not in SOURCES:
        raise ValidationError(f"source must be one of {', '.join(SOURCES)}; was {source!r}")
    return source


def check_text(name: str, value: str, max_len: int) -> str:
    """`value` if it is a non-empty string of at most `max_len` characters."""
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValidationError(
            f"{name} must be a non-empty string of at most {max_len} characters; was {value!r}"
        )
    return value


def check_payload(name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A plain-JSON copy of `payload` (str keys; no NaN, numpy or other non-JSON values)."""
    try:
        text = json.dumps(payload, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{name} must be plain JSON (str keys, finite numbers): {exc}"
        ) from exc
    copy = json.loads(text)
    if not isinstance(copy, dict):
        raise ValidationError(f"{name} must be a JSON object; was {type(payload).__name__}")
    return copy


def _check_ticks(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(f"{name} must be an int number of ticks or None; was {value!r}")


def _check_levels(what: str, val: int | None, poc: int | None, vah: int | None) -> None:
    for name, tick in (("val_tick", val), ("poc_tick", poc), ("vah_tick", vah)):
        _check_ticks(f"{what}.{name}", tick)
    if val is not None and poc is not None and vah is not None and not val <= poc <= vah:
        raise ValidationError(f"{what} needs val <= poc <= vah; was val={val} poc={poc} vah={vah}")


def _check_session(what: str, contract: str, source: str) -> None:
    check_text(f"{what}.contract", contract, NAME_MAX)
    check_source(source)


def _check_profile(what: str, record: ProfileRecord | CompositeRecord) -> None:
    """Row size, levels and payload, the checks a daily profile and a composite share."""
    if record.row_ticks <= 0:
        raise ValidationError(f"{what}.row_ticks must be > 0; was {record.row_ticks}")
    _check_levels(what, record.val_tick, record.poc_tick, record.vah_tick)
    _own_payload(what, record)


def _own_payload(what: str, record: Any, name: str = "payload") -> None:
    """Replace the record's JSON field `name` by its checked plain-JSON copy."""
    object.__setattr__(record, name, check_payload(f"{what}.{name}", getattr(record, name)))


def _check_action(name: str, value: str) -> OrderAction:
    try:
        return OrderAction(value)
    except ValueError:
        raise ValidationError(f"{name} must be BUY or SELL; was {value!r}") from None


def _check_money(name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite amount; was {value!r}")


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One execution reported by the broker; `exec_id` is the broker's id, so a repeat is ignored."""

    exec_id: str
    order_id: str | None
    instrument: str
    action: OrderAction
    quantity: int
    price_ticks: int
    commission: float
    currency: str
    ts_ns: int

    def __post_init__(self) -> None:
        check_text("fill.exec_id", self.exec_id, ID_MAX)
        if self.order_id is not None:
            check_text("fill.order_id", self.order_id, ID_MAX)
        check_text("fill.instrument", self.instrument, NAME_MAX)
        object.__setattr__(self, "action", _check_action("fill.action", self.action))
        if self.quantity <= 0:
            raise ValidationError(f"fill.quantity must be > 0; was {self.quantity}")
        _check_ticks("fill.price_ticks", self.price_ticks)
        _check_money("fill.commission", self.commission)
        if len(self.currency) != 3:
            raise ValidationError(f"fill.currency must be a 3-letter code; was {self.currency!r}")


@dataclass(frozen=True, slots=True)
class SignalRecord:
    """A strategy signal: why an order was wanted; the full signal is kept in `payload`."""

    signal_id: str
    source: str
    ts_ns: int
    instrument: str
    strategy: str
    action: OrderAction
    price_ticks: int
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_text("signal.signal_id", self.signal_id, ID_MAX)
        check_source(self.source)
        check_text("signal.instrument", self.instrument, NAME_MAX)
        check_text("signal.strategy", self.strategy, LABEL_MAX)
        object.__setattr__(self, "action", _check_action("signal.action", self.action))
        _check_ticks("signal.price_ticks", self.price_ticks)
        _own_payload("signal", self)


@dataclass(frozen=True, slots=True)
class MarketSnapshotRecord:
    """Last trade and top of book of one contract at `ts_ns` (ticks; None where not known)."""

    contract: str
    source: str
    ts_ns: int
    last_ticks: int | None
    bid_ticks: int | None
    ask_ticks: int | None
    volume: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_session("snapshot", self.contract, self.source)
        for name in ("last_ticks", "bid_ticks", "ask_ticks"):
            _check_ticks(f"snapshot.{name}", getattr(self, name))
        if self.volume is not None and self.volume < 0:
            raise ValidationError(f"snapshot.volume must be >= 0; was {self.volume}")
        _own_payload("snapshot", self)


@dataclass(frozen=True, slots=True)
class SystemStatusRecord:
    """Account balance (GBP and USD), the broker's USD per GBP rate and the connection states."""

    source: str
    updated_ts_ns: int
    balance_gbp: float | None
    balance_usd: float | None
    usd_per_gbp: float | None
    broker_connected: bool
    feed_connected: bool
    connections: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_source(self.source)
        for name in ("balance_gbp", "balance_usd", "usd_per_gbp"):
            _check_money(f"status.{name}", getattr(self, name))
        if self.usd_per_gbp is not None and self.usd_per_gbp <= 0:
            raise ValidationError(f"status.usd_per_gbp must be > 0; was {self.usd_per_gbp}")
        _own_payload("status", self, "connections")


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """One session's profile: key figures plus the profile's `to_dict()` output as `payload`.

    `kind` names the profile ("volume", "tpo", "rth", "eth", ...); levels are None for an empty one.
    """

    trade_date: date
    kind: str
    contract: str
    source: str
    row_ticks: int
    as_of_ns: int
    poc_tick: int | None
    val_tick: int | None
    vah_tick: int | None
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_text("profile.kind", self.kind, LABEL_MAX)
        _check_session("profile", self.contract, self.source)
        _check_profile("profile", self)


@dataclass(frozen=True, slots=True)
class CompositeRecord:
    """A composite (CVA) built from `n_days` sessions `first_date`..`last_date`, used on `trade_date`."""

    trade_date: date
    kind: str
    contract: str
    source: str
    first_date: date
    last_date: date
    n_days: int
    row_ticks: int
    as_of_ns: int
    poc_tick: int | None
    val_tick: int | None
    vah_tick: int | None
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_text("composite.kind", self.kind, LABEL_MAX)
        _check_session("composite", self.contract, self.source)
        if self.first_date > self.last_date:
            raise ValidationError(
                f"composite.first_date {self.first_date} is after last_date {self.last_date}"
            )
        if self.n_days <= 0:
            raise ValidationError(f"composite.n_days must be > 0; was {self.n_days}")
        _check_profile("composite", self)


@dataclass(frozen=True, slots=True)
class CvaArchiveRecord:
    """One entry of the 30-day CVA archive (spec §3.5)."""

    trade_date: date
    contract: str
    source: str
    poc_tick: int
    vah_tick: int
    val_tick: int
    width_ticks: int
    days_window: tuple[date, ...]
    character: str
    shape: str

    def __post_init__(self) -> None:
        _check_session("archive", self.contract, self.source)
        _check_levels("archive", self.val_tick, self.poc_tick, self.vah_tick)
        if self.width_ticks < 0:
            raise ValidationError(f"archive.width_ticks must be >= 0; was {self.width_ticks}")
        if not self.days_window or not all(isinstance(d, date) for d in self.days_window):
            raise ValidationError(
                f"archive.days_window must be a non-empty tuple of dates; was {self.days_window!r}"
            )
        object.__setattr__(self, "days_window", tuple(sorted(self.days_window)))
        check_text("archive.character", self.character, LABEL_MAX)
        check_text("archive.shape", self.shape, LABEL_MAX)


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A pre-market trade plan (spec §5.5): key fields plus the whole plan as `payload`."""

    trade_date: date
    contract: str
    source: str
    regime: str
    bias: str
    confidence: str
    created_ts_ns: int
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_session("plan", self.contract, self.source)
        check_text("plan.regime", self.regime, LABEL_MAX)
        check_text("plan.bias", self.bias, NAME_MAX)
        check_text("plan.confidence", self.confidence, NAME_MAX)
        _own_payload("plan", self)


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """The review (grading) of one day's plan: key fields plus the whole review as `payload`."""

    trade_date: date
    contract: str
    source: str
    grade: str
    score: float | None
    created_ts_ns: int
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_session("review", self.contract, self.source)
        check_text("review.grade", self.grade, NAME_MAX)
        _check_money("review.score", self.score)
        _own_payload("review", self)


CONFIG_HASH_MAX = 64
BACKTEST_SOURCE_MAX = 255


@dataclass(frozen=True, slots=True)
class BacktestRunRecord:
    """One backtest run: its settings' hash (runs with the same hash can be compared), the source
    named on the command line, the seed, the trade dates it covered (None when it had none), the
    totals and one JSON object per day. `run_id` is None until the store numbers it."""

    config_hash: str
    created_ts_ns: int
    source: str
    seed: int
    first_date: date | None
    last_date: date | None
    totals: dict[str, Any] = field(default_factory=dict)
    days: list[dict[str, Any]] = field(default_factory=list)
    run_id: int | None = None

    def __post_init__(self) -> None:
        check_text("backtest.config_hash", self.config_hash, CONFIG_HASH_MAX)
        check_text("backtest.source", self.source, BACKTEST_SOURCE_MAX)
        _check_date_span("backtest", self.first_date, self.last_date)
        _own_payload("backtest", self, "totals")
        days = [check_payload(f"backtest.days[{i}]", d) for i, d in enumerate(self.days)]
        object.__setattr__(self, "days", days)


def _check_date_span(what: str, first: date | None, last: date | None) -> None:
    if (first is None) != (last is None):
        raise ValidationError(
            f"{what}.first_date and last_date must both be dates or both None; were {first} and {last}"
        )
    if first is not None and last is not None and first > last:
        raise ValidationError(f"{what}.first_date {first} is after last_date {last}")
