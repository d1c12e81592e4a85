"""Sample node snapshots in the SNAPSHOT.md shape, for the dashboard tests."""

from orderflow_lib.core.timeconv import NS_PER_MINUTE, NS_PER_SECOND

# 2026-11-24 15:00:00 UTC = 10:00:00 New York (EST)
T0 = 1_795_532_400 * NS_PER_SECOND

SNAPSHOT = {
    "schema": 1,
    "ts_ns": T0 + 90 * NS_PER_SECOND,
    "source": "synthetic",
    "trade_date": "2026-11-24",
    "instrument": {"display": "ES", "execute": "MES", "contract": "ESZ26", "tick_size": 0.25},
    "price": {
        "last": 5384.25,
        "bid": 5384.0,
        "ask": 5384.25,
        "bid_size": 12,
        "ask_size": 9,
        "volume": 123456,
    },
    "value": {
        "cva": {"poc": 5380.0, "val": 5370.0, "vah": 5390.0, "days_included": 5},
        "dva": {"poc": 5383.0, "val": 5379.0, "vah": 5386.0},
        "prior": {
            "poc": 5375.0,
            "val": 5368.0,
            "vah": 5382.0,
            "high": 5395.0,
            "low": 5360.0,
            "close": 5378.5,
        },
        "vwap": {
            "vwap": 5382.5,
            "sigma": 2.0,
            "bands": {
                "0.5": [5381.5, 5383.5],
                "1": [5380.5, 5384.5],
                "1.5": [5379.5, 5385.5],
                "2": [5378.5, 5386.5],
                "3": [5376.5, 5388.5],
            },
        },
        "ib": {"high": 5387.0, "low": 5378.0},
        "overnight": {"high": 5389.0, "low": 5372.0, "mid": 5380.5, "poc": 5376.0},
        "relationship": "OVERLAPPING_HIGHER",
    },
    "profile": {"prices": [5383.75, 5384.0, 5384.25], "volumes": [120, 80, 40]},
    "regime": {
        "regime": "BALANCE",
        "confidence": "MED",
        "bias": 0,
        "reasons": ["DVA inside CVA, overlap 100%"],
    },
    "pressure": {
        "tape": 0.12,
        "large_lot_delta": 25,
        "intensity": 3.1,
        "cd": 1520,
        "cd_strength": 0.4,
    },
    "signals": [
        {
            "id": "sig-1",
            "ts_ns": T0 + 30 * NS_PER_SECOND,
            "kind": "ABSORPTION",
            "direction": 1,
            "price": 5380.0,
            "strength": 0.8,
            "where": "AT_VAL",
        }
    ],
    "plan": {
        "trade_date": "2026-11-24",
        "bias": 1,
        "regime": "BALANCE",
        "scenarios": [
            {
                "id": "S1",
                "name": "Fade VAH",
                "family": "ROTATIONAL",
                "status": "WAITING",
                "trigger": "REJECT_AT(5390.00)",
                "target": "5380.00",
                "invalidation": "acceptance above 5392.00",
            },
            {
                "id": "S2",
                "name": "Buy VAL",
                "family": "ROTATIONAL",
                "status": "TRIGGERED",
                "trigger": "REJECT_AT(5370.00)",
                "target": "5380.00",
                "invalidation": "acceptance below 5368.00",
            },
        ],
    },
    "position": {
        "instrument": "MES",
        "qty": 2,
        "avg_price": 5381.0,
        "unrealized_usd": 32.5,
        "realized_usd": -10.0,
        "daily_pnl_gbp": 17.71,
    },
    "account": {"balance_gbp": 10000.0, "usd_per_gbp": 1.27},
    "connections": {"broker": "connected", "feed": "synthetic", "store": "ok"},
    "gate": {
        "state": "ACTIVE",
        "ready": True,
        "fence_active": False,
        "fence_reason": None,
        "breaker_tripped": False,
        "reasons": [],
    },
    "tape": [
        {"ts_ns": T0 + 89 * NS_PER_SECOND, "price": 5384.0, "size": 2, "side": "A", "large": False},
        {
            "ts_ns": T0 + 90 * NS_PER_SECOND,
            "price": 5384.25,
            "size": 40,
            "side": "B",
            "large": True,
        },
    ],
    "candles": [
        {
            "ts_ns": T0,
            "open": 5383.0,
            "high": 5385.0,
            "low": 5382.0,
            "close": 5384.0,
            "volume": 900,
            "delta": 55,
        },
        {
            "ts_ns": T0 + NS_PER_MINUTE,
            "open": 5384.0,
            "high": 5384.5,
            "low": 5383.25,
            "close": 5383.5,
            "volume": 400,
            "delta": -20,
        },
    ],
    "footprint": [
        {"bar_ts_ns": T0, "price": 5383.0, "bid_volume": 10, "ask_volume": 30},
        {"bar_ts_ns": T0, "price": 5383.25, "bid_volume": 25, "ask_volume": 5},
        {"bar_ts_ns": T0 + NS_PER_MINUTE, "price": 5383.5, "bid_volume": 7, "ask_volume": 7},
    ],
    "dom": {"bids": [[5384.0, 12], [5383.75, 20]], "asks": [[5384.25, 9], [5384.5, 15]]},
}


def empty_snapshot() -> dict:
    """A snapshot before anything is known: every key present, values null, lists empty."""
    return {
        "schema": 1,
        "ts_ns": 0,
        "source": "synthetic",
        "trade_date": None,
        "instrument": {"display": "ES", "execute": "MES", "contract": None, "tick_size": 0.25},
        "price": {
            "last": None,
            "bid": None,
            "ask": None,
            "bid_size": None,
            "ask_size": None,
            "volume": None,
        },
        "value": {
            "cva": None,
            "dva": None,
            "prior": None,
            "vwap": None,
            "ib": None,
            "overnight": None,
            "relationship": None,
        },
        "profile": {"prices": [], "volumes": []},
        "regime": None,
        "pressure": None,
        "signals": [],
        "plan": None,
        "position": None,
        "account": None,
        "connections": {"broker": None, "feed": None, "store": None},
        "gate": None,
        "tape": [],
        "candles": [],
        "footprint": [],
        "dom": {"bids": [], "asks": []},
    }
