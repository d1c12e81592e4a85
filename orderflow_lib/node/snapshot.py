"""The node state snapshot (notes/SNAPSHOT.md): a pure function from what the node knows to the
JSON-ready dict the dashboards read. Prices are decimal index points, times int64 UTC ns; every
key is always present and unknown values are None (lists are empty)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from orderflow_lib.core.config import InstrumentSettings, Settings
from orderflow_lib.engine.context import SessionContext
from orderflow_lib.engine.loop import TradingLoop
from orderflow_lib.engine.plan_strategy import traded_state_word
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.view import MarketView, NodeSignal
from orderflow_lib.flow.candles import VolCandle
from orderflow_lib.market.events import ticks_to_price
from orderflow_lib.plan.monitor import ScenarioState
from orderflow_lib.profiles.migration import relationship

SCHEMA: Final = 1
MAX_SIGNALS: Final = 50
MAX_TAPE: Final = 50
MAX_CANDLES: Final = 120
FOOTPRINT_BARS: Final = 10
SIDE_LETTER: Final = {1: "B", -1: "A", 0: "N"}


@dataclass(frozen=True, slots=True)
class SnapshotInput:
    """Everything a snapshot is built from (collected by the node between two batches)."""

    source: str
    instrument: InstrumentSettings
    contract: str
    view: MarketView | None = None
    context: SessionContext | None = None
    relationship: str | None = None
    overnight_poc_ticks: int | None = None
    profile: tuple[Sequence[int], Sequence[int]] = ((), ())
    signals: Sequence[NodeSignal] = ()
    plan: dict[str, Any] | None = None
    position: dict[str, Any] | None = None
    account: dict[str, Any] | None = None
    connections: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] | None = None
    tape: Sequence[tuple[int, int, int, int]] = ()
    large_lot: int = 25
    candles: Sequence[VolCandle] = ()
    dom_bids: Sequence[tuple[int, int]] = ()
    dom_asks: Sequence[tuple[int, int]] = ()
    band_mults: Sequence[float] = (0.5, 1, 1.5, 2, 3)
    config_hash: str = ""


def _price(ticks: int | float | None, tick_size: float) -> float | None:
    if ticks is None or (isinstance(ticks, float) and not math.isfinite(ticks)):
        return None
    if isinstance(ticks, float):
        return round(ticks * tick_size, 6)
    return ticks_to_price(ticks, tick_size)


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _levels(
    val: int | None, poc: int | None, vah: int | None, ts: float
) -> dict[str, float | None]:
    return {"poc": _price(poc, ts), "val": _price(val, ts), "vah": _price(vah, ts)}


def _value(inp: SnapshotInput, ts: float) -> dict[str, Any]:
    ctx, view = inp.context, inp.view
    cva = ctx.cva if ctx is not None else None
    cva_block: dict[str, Any] = {"poc": None, "val": None, "vah": None, "days_included": None}
    if cva is not None:
        cva_block = {
            **_levels(cva.val_ticks, cva.poc_ticks, cva.vah_ticks, ts),
            "days_included": cva.days_included,
        }
    dva = view.dva if view is not None else None
    prior: dict[str, Any] = {
        "poc": None,
        "val": None,
        "vah": None,
        "high": None,
        "low": None,
        "close": None,
    }
    if ctx is not None and ctx.prior_value is not None:
        v = ctx.prior_value
        prior.update(_levels(v.val_ticks, v.poc_ticks, v.vah_ticks, ts))
    if ctx is not None and ctx.prior is not None:
        p = ctx.prior
        prior.update(
            high=_price(p.high_ticks, ts),
            low=_price(p.low_ticks, ts),
            close=_price(p.close_ticks, ts),
        )
    vwap = view.vwap_ticks if view is not None else math.nan
    sigma = view.sigma_ticks if view is not None else math.nan
    has_vwap = math.isfinite(vwap) and math.isfinite(sigma)
    bands = {
        f"{m:g}": (
            [_price(vwap - m * sigma, ts), _price(vwap + m * sigma, ts)]
            if has_vwap
            else [None, None]
        )
        for m in inp.band_mults
    }
    on_high = view.on_high_ticks if view is not None else None
    on_low = view.on_low_ticks if view is not None else None
    return {
        "cva": cva_block,
        "dva": _levels(dva.val_ticks, dva.poc_ticks, dva.vah_ticks, ts)
        if dva is not None
        else _levels(None, None, None, ts),
        "prior": prior,
        "vwap": {
            "vwap": _price(vwap, ts) if has_vwap else None,
            "sigma": round(sigma * ts, 6) if has_vwap else None,
            "bands": bands,
        },
        "ib": {
            "high": _price(view.ib_high_ticks if view is not None else None, ts),
            "low": _price(view.ib_low_ticks if view is not None else None, ts),
        },
        "overnight": {
            "high": _price(on_high, ts),
            "low": _price(on_low, ts),
            "mid": _price((on_high + on_low) / 2, ts)
            if on_high is not None and on_low is not None
            else None,
            "poc": _price(inp.overnight_poc_ticks, ts),
        },
        "relationship": inp.relationship,
    }


def _regime(ctx: SessionContext | None) -> dict[str, Any]:
    call = ctx.regime if ctx is not None else None
    if call is None:
        return {"regime": None, "confidence": None, "bias": None, "reasons": []}
    return {
        "regime": str(call.regime),
        "confidence": str(call.confidence),
        "bias": call.bias.direction,
        "reasons": list(call.reasons),
    }


def _pressure(view: MarketView | None) -> dict[str, Any]:
    if view is None:
        return {
            "tape": None,
            "large_lot_delta": None,
            "intensity": None,
            "cd": None,
            "cd_strength": None,
        }
    strength = view.cumulative_delta / view.volume if view.volume else None
    return {
        "tape": _finite(view.pressure),
        "large_lot_delta": view.large_lot_delta,
        "intensity": _finite(view.intensity),
        "cd": view.cumulative_delta,
        "cd_strength": strength,
    }


def _signal(s: NodeSignal, ts: float) -> dict[str, Any]:
    return {
        "id": s.id,
        "ts_ns": s.signal.ts_ns,
        "kind": str(s.signal.kind),
        "direction": s.signal.direction,
        "price": _price(s.signal.price_ticks, ts),
        "strength": _finite(float(s.signal.strength)),
        "where": s.where,
    }


def _candle(c: VolCandle, ts: float) -> dict[str, Any]:
    return {
        "ts_ns": c.start_ns,
        "open": _price(c.open_ticks, ts),
        "high": _price(c.high_ticks, ts),
        "low": _price(c.low_ticks, ts),
        "close": _price(c.close_ticks, ts),
        "volume": c.volume,
        "delta": c.delta,
    }


def signal_dict(s: NodeSignal, tick_size: float) -> dict[str, Any]:
    """A signal as in the snapshot's `signals` list (also the body of a signal event)."""
    return _signal(s, tick_size)


def build_snapshot(inp: SnapshotInput) -> dict[str, Any]:
    """The snapshot dict of SNAPSHOT.md (schema 1)."""
    ts = inp.instrument.tick_size
    view = inp.view
    prices, volumes = inp.profile
    candles = list(inp.candles)[-MAX_CANDLES:]
    return {
        "schema": SCHEMA,
        "ts_ns": view.ts_ns if view is not None else None,
        "source": inp.source,
        "config_hash": inp.config_hash,
        "trade_date": view.trade_date.isoformat() if view is not None else None,
        "instrument": {
            "display": inp.instrument.display,
            "execute": inp.instrument.execute,
            "contract": inp.contract,
            "tick_size": ts,
        },
        "price": {
            "last": _price(view.last_ticks, ts) if view else None,
            "bid": _price(view.bid_ticks, ts) if view else None,
            "ask": _price(view.ask_ticks, ts) if view else None,
            "bid_size": view.bid_size if view else None,
            "ask_size": view.ask_size if view else None,
            "volume": view.volume if view else None,
        },
        "value": _value(inp, ts),
        "profile": {
            "prices": [_price(p, ts) for p in prices],
            "volumes": [int(v) for v in volumes],
        },
        "regime": _regime(inp.context),
        "pressure": _pressure(view),
        "signals": [_signal(s, ts) for s in list(inp.signals)[-MAX_SIGNALS:]],
        "plan": inp.plan,
        "position": inp.position
        or {
            "instrument": inp.instrument.execute,
            "qty": 0,
            "avg_price": None,
            "stop": None,
            "targets": [],
            "scenario_id": None,
            "unrealized_usd": 0.0,
            "realized_usd": 0.0,
            "daily_pnl_gbp": None,
            "trades": [],
        },
        "account": inp.account or {"balance_gbp": None, "usd_per_gbp": None},
        "connections": {"broker": None, "feed": None, "store": None, **inp.connections},
        "gate": inp.gate
        or {
            "state": None,
            "ready": False,
            "fence_active": None,
            "fence_reason": None,
            "breaker_tripped": None,
            "reasons": [],
        },
        "tape": [
            {
                "ts_ns": t,
                "price": _price(p, ts),
                "size": size,
                "side": SIDE_LETTER.get(side, "N"),
                "large": size >= inp.large_lot,
            }
            for t, p, size, side in list(inp.tape)[-MAX_TAPE:]
        ],
        "candles": [_candle(c, ts) for c in candles],
        "footprint": [
            {
                "bar_ts_ns": c.start_ns,
                "price": _price(row[0], ts),
                "bid_volume": row[1],
                "ask_volume": row[2],
            }
            for c in candles[-FOOTPRINT_BARS:]
            for row in c.rows
        ],
        "dom": {
            "bids": [[_price(p, ts), s] for p, s in list(inp.dom_bids)[:10]],
            "asks": [[_price(p, ts), s] for p, s in list(inp.dom_asks)[:10]],
        },
    }


def loop_snapshot(
    loop: TradingLoop,
    trading: TradingSession | None,
    settings: Settings,
    *,
    plan: dict[str, Any] | None,
    source: str,
    contract: str,
    connections: dict[str, str],
    config_hash: str,
) -> dict[str, Any]:
    """The snapshot of a trading loop: its open session (or the one just ended), the trade. A
    scenario shows "in trade" only while the position is open, then "done" (its trade closed
    before the strategy's next bar noticed)."""
    position = trading.position() if trading is not None else None
    if plan is not None and (position is None or position["qty"] == 0):
        plan = {
            **plan,
            "scenarios": [
                {**sc, "state": traded_state_word(ScenarioState(sc["status"]))}
                if sc["state"] == "in trade"
                else sc
                for sc in plan["scenarios"]
            ],
        }
    pipeline = loop.pipeline or loop.shown
    view = pipeline.view() if pipeline is not None else None
    context = pipeline.context if pipeline is not None else None
    rel = None
    if (
        view is not None
        and view.dva is not None
        and context is not None
        and context.cva is not None
    ):
        rel = relationship(view.dva, context.cva, settings.migration.edge_tol_ticks).relation
    candles = []
    if pipeline is not None:
        candles = list(pipeline.bars.candles)
        open_candle = pipeline.bars.open_candle()
        if open_candle is not None:
            candles.append(open_candle)
    inp = SnapshotInput(
        source=source,
        instrument=settings.instrument,
        contract=pipeline.spec.contract if pipeline is not None else contract,
        view=view,
        context=context,
        relationship=rel,
        overnight_poc_ticks=pipeline.overnight_poc() if pipeline is not None else None,
        profile=pipeline.profile_levels() if pipeline is not None else ((), ()),
        signals=list(loop.signals),
        plan=plan,
        position=position,
        account=trading.account_gbp() if trading is not None else None,
        connections=connections,
        gate=trading.gate() if trading is not None else None,
        tape=pipeline.recent_trades() if pipeline is not None else (),
        large_lot=settings.tape.large_lot,
        candles=candles,
        dom_bids=pipeline.dom.bids if pipeline is not None else (),
        dom_asks=pipeline.dom.asks if pipeline is not None else (),
        band_mults=settings.vwap.band_mults,
        config_hash=config_hash,
    )
    return build_snapshot(inp)
