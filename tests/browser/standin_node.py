"""A small stand-in for the node, for the browser tests and the dashboard benchmark.

It serves what the dashboards read (SNAPSHOT.md through `StateHub` on `/ws/state` and
`/api/state`), the safety status and the fence endpoint (401 for a wrong key, 200 for the right
one), fed by a random-walk market of `rate` trades a second in wall-clock time. Test-only endpoints under
`/test/` provoke a signal and set the regime. Run it in a thread with `StandinNode.start()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import math
import random
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException, WebSocket, WebSocketDisconnect

from orderflow_lib.node.stream import StateHub

TICK = 0.25
NS_PER_MINUTE = 60_000_000_000
KEY = "k" * 40


@dataclass
class Market:
    """A random-walk ES market in integer ticks with the running state the snapshot needs."""

    rate: float
    seed: int = 7
    last_ticks: int = 5384 * 4
    volume: int = 0
    trades: int = 0
    profile: dict[int, int] = field(default_factory=dict)
    tape: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=50))
    candles: dict[int, dict[str, Any]] = field(default_factory=dict)
    cells: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    signals: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=50))
    pv: float = 0.0
    pv2: float = 0.0
    cd: int = 0
    regime: str = "BALANCE"
    fence_active: bool = True
    last_ts_ns: int = 0
    open_ticks: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.open_ticks = self.last_ticks

    def trade(self, ts_ns: int) -> None:
        """One trade: a step of the walk, an aggressor side and a size."""
        step = self.rng.choice((-1, 0, 0, 1))
        drift = (
            -1
            if self.last_ticks - self.open_ticks > 40
            else 1
            if self.open_ticks - self.last_ticks > 40
            else 0
        )
        self.last_ticks += step if self.rng.random() > 0.1 else drift
        side = 1 if step > 0 or (step == 0 and self.rng.random() < 0.5) else -1
        size = self.rng.choice((1, 1, 1, 2, 2, 3, 5, 8, 13, 30))
        self.trades += 1
        self.volume += size
        self.last_ts_ns = ts_ns
        price = self.last_ticks * TICK
        self.profile[self.last_ticks] = self.profile.get(self.last_ticks, 0) + size
        self.pv += price * size
        self.pv2 += price * price * size
        self.cd += side * size
        self.tape.append(
            {
                "ts_ns": ts_ns,
                "price": price,
                "size": size,
                "side": "B" if side > 0 else "A",
                "large": size >= 25,
            }
        )
        bar = ts_ns - ts_ns % NS_PER_MINUTE
        candle = self.candles.setdefault(
            bar,
            {
                "ts_ns": bar,
                "open": price,
                "high": price,
                "low": price,
                "close": price,
                "volume": 0,
                "delta": 0,
            },
        )
        candle["high"], candle["low"], candle["close"] = (
            max(candle["high"], price),
            min(candle["low"], price),
            price,
        )
        candle["volume"] += size
        candle["delta"] += side * size
        cell = self.cells.setdefault((bar, self.last_ticks), [0, 0])
        cell[0 if side < 0 else 1] += size

    def add_signal(self, kind: str, direction: int) -> dict[str, Any]:
        """A signal at the last price, as the node would emit it."""
        signal = {
            "id": f"sig-{len(self.signals) + 1}-{self.trades}",
            "ts_ns": self.last_ts_ns or time.time_ns(),
            "kind": kind,
            "direction": direction,
            "price": self.last_ticks * TICK,
            "strength": 0.8,
            "where": "AT_VAL",
        }
        self.signals.append(signal)
        return signal

    def value_area(self) -> tuple[float, float, float]:
        """(poc, val, vah) of the session profile: 70% around the POC, greedy by neighbour volume."""
        prices = sorted(self.profile)
        volumes = [self.profile[p] for p in prices]
        poc = max(range(len(prices)), key=lambda i: volumes[i])
        low = high = poc
        covered, total = volumes[poc], sum(volumes)
        while covered < 0.7 * total:
            below = volumes[low - 1] if low > 0 else -1
            above = volumes[high + 1] if high + 1 < len(prices) else -1
            if above >= below:
                high += 1
                covered += above
            else:
                low -= 1
                covered += below
        return prices[poc] * TICK, prices[low] * TICK, prices[high] * TICK

    def snapshot(self) -> dict[str, Any]:
        """The node snapshot (SNAPSHOT.md) for the market as it is now."""
        last = self.last_ticks * TICK
        poc, val, vah = self.value_area() if self.profile else (None, None, None)
        vwap = self.pv / self.volume if self.volume else None
        sigma = (
            math.sqrt(max(0.0, self.pv2 / self.volume - vwap * vwap)) if vwap is not None else 0.0
        )
        bands = (
            {
                b: [vwap - float(b) * sigma, vwap + float(b) * sigma]
                for b in ("0.5", "1", "1.5", "2", "3")
            }
            if vwap
            else {}
        )
        prices = sorted(self.profile)
        recent = list(self.tape)
        buys = sum(t["size"] for t in recent if t["side"] == "B")
        sells = sum(t["size"] for t in recent if t["side"] == "A")
        bars = sorted(self.candles)[-10:]
        open_ = self.open_ticks * TICK
        return {
            "schema": 1,
            "ts_ns": self.last_ts_ns,
            "source": "synthetic",
            "trade_date": datetime.now(UTC).date().isoformat(),
            "instrument": {
                "display": "ES",
                "execute": "MES",
                "contract": "ESZ26",
                "tick_size": TICK,
            },
            "price": {
                "last": last,
                "bid": last - TICK,
                "ask": last,
                "bid_size": 12,
                "ask_size": 9,
                "volume": self.volume,
            },
            "value": {
                "cva": {
                    "poc": open_ - 2.0,
                    "val": open_ - 8.0,
                    "vah": open_ + 6.0,
                    "days_included": 5,
                },
                "dva": {"poc": poc, "val": val, "vah": vah},
                "prior": {
                    "poc": open_ - 4.0,
                    "val": open_ - 9.0,
                    "vah": open_ + 2.0,
                    "high": open_ + 9.0,
                    "low": open_ - 14.0,
                    "close": open_ - 1.0,
                },
                "vwap": {"vwap": vwap, "sigma": sigma, "bands": bands},
                "ib": {"high": open_ + 3.0, "low": open_ - 3.5},
                "overnight": {
                    "high": open_ + 7.5,
                    "low": open_ - 6.0,
                    "mid": open_ + 0.75,
                    "poc": open_ - 1.5,
                },
                "relationship": "OVERLAPPING_HIGHER",
            },
            "profile": {
                "prices": [p * TICK for p in prices],
                "volumes": [self.profile[p] for p in prices],
            },
            "regime": {
                "regime": self.regime,
                "confidence": "MED",
                "bias": 0,
                "reasons": [f"stand-in regime {self.regime}"],
            },
            "pressure": {
                "tape": (buys - sells) / (buys + sells) if buys + sells else 0.0,
                "large_lot_delta": sum(
                    (1 if t["side"] == "B" else -1) * t["size"] for t in recent if t["large"]
                ),
                "intensity": 1.0,
                "cd": self.cd,
                "cd_strength": max(-1.0, min(1.0, self.cd / 500)),
            },
            "signals": list(self.signals),
            "plan": {
                "trade_date": datetime.now(UTC).date().isoformat(),
                "bias": 0,
                "regime": self.regime,
                "scenarios": [
                    {
                        "id": "S1",
                        "name": "Fade CVA VAH",
                        "family": "ROTATIONAL",
                        "status": "WAITING",
                        "trigger": f"REJECT_AT({open_ + 6.0:.2f})",
                        "target": f"{open_ - 2.0:.2f}",
                        "invalidation": f"acceptance above {open_ + 8.0:.2f}",
                    },
                    {
                        "id": "S2",
                        "name": "Buy CVA VAL",
                        "family": "ROTATIONAL",
                        "status": "ARMED",
                        "trigger": f"REJECT_AT({open_ - 8.0:.2f})",
                        "target": f"{open_ - 2.0:.2f}",
                        "invalidation": f"acceptance below {open_ - 10.0:.2f}",
                    },
                ],
            },
            "position": {
                "instrument": "MES",
                "qty": 0,
                "avg_price": None,
                "unrealized_usd": 0.0,
                "realized_usd": 0.0,
                "daily_pnl_gbp": 0.0,
            },
            "account": {"balance_gbp": 10000.0, "usd_per_gbp": 1.27},
            "connections": {"broker": "connected", "feed": "synthetic", "store": "ok"},
            "gate": {
                "state": "HALTED" if self.fence_active else "ACTIVE",
                "ready": True,
                "fence_active": self.fence_active,
                "fence_reason": "stand-in fence" if self.fence_active else None,
                "breaker_tripped": False,
                "reasons": ["fence active"] if self.fence_active else [],
            },
            "tape": recent,
            "candles": [self.candles[b] for b in sorted(self.candles)[-120:]],
            "footprint": [
                {"bar_ts_ns": bar, "price": ticks * TICK, "bid_volume": v[0], "ask_volume": v[1]}
                for (bar, ticks), v in sorted(self.cells.items())
                if bar in bars
            ],
            "dom": {
                "bids": [[last - TICK * (i + 1), 10 + 3 * i] for i in range(10)],
                "asks": [[last + TICK * i, 9 + 2 * i] for i in range(10)],
            },
        }


def create_standin_app(market: Market, hub: StateHub, publish_hz: float = 20.0) -> FastAPI:
    """The stand-in node's FastAPI app; its market task runs while the app runs."""
    published: dict[int, float] = {}

    async def run_market() -> None:
        started = time.perf_counter()
        next_publish = started
        traded = 0
        while True:
            now = time.perf_counter()
            due = int((now - started) * market.rate) - traded
            for _ in range(max(0, due)):
                market.trade(time.time_ns())
            traded += max(0, due)
            if now >= next_publish and market.trades:
                hub.publish_snapshot(market.snapshot())
                published[market.volume] = time.time()
                next_publish = now + 1.0 / publish_hz
            await asyncio.sleep(0.002)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(run_market())
        yield
        task.cancel()

    app = FastAPI(lifespan=lifespan)

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "viewers": hub.viewers}

    @app.get("/api/state")
    async def state() -> dict[str, Any]:
        return hub.latest()

    @app.get("/api/safety/status")
    async def safety_status() -> dict[str, Any]:
        return {"fence_active": market.fence_active}

    @app.post("/api/safety/fence/deactivate")
    async def deactivate(x_safety_auth_key: str | None = Header(default=None)) -> dict[str, Any]:
        if not x_safety_auth_key or not hmac.compare_digest(x_safety_auth_key, KEY):
            raise HTTPException(status_code=401, detail="wrong x-safety-auth-key header")
        market.fence_active = False
        return {"trading_state": "ACTIVE", "fence_active": False, "fence_reason": ""}

    @app.post("/test/signal")
    async def provoke_signal(kind: str = "ABSORPTION", direction: int = 1) -> dict[str, Any]:
        signal = market.add_signal(kind, direction)
        hub.publish_event({**signal, "kind": "signal", "signal_kind": kind})
        return signal

    @app.post("/test/regime")
    async def set_regime(regime: str) -> dict[str, Any]:
        market.regime = regime
        return {"regime": regime}

    @app.get("/test/published")
    async def publish_times() -> dict[str, float]:
        return {str(k): v for k, v in published.items()}

    @app.websocket("/ws/state")
    async def ws_state(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await hub.serve(websocket.send_json)
        except (WebSocketDisconnect, RuntimeError):
            return

    return app


class StandinNode:
    """The stand-in node served by uvicorn in a background thread."""

    def __init__(self, port: int, rate: float = 200.0, max_hz: float = 5.0) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.market = Market(rate=rate)
        self.hub = StateHub(max_hz=max_hz)
        self.app = create_standin_app(self.market, self.hub)
        self._serve()

    def _serve(self) -> None:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, timeout_s: float = 10.0) -> StandinNode:
        """Serve in the background and wait until it answers."""
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError(f"stand-in node did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def restart(self) -> StandinNode:
        """Serve again on the same port with the same market (as a node coming back)."""
        self._serve()
        return self.start()
