"""Safety proof at scale: the gate state machine (tests/unit/risk/safety_machine.py) for 10,000
examples, printing the example count and time; plus the gate's cost per order against a direct
venue call measured in the same run.

Run: .venv/bin/python benchmarks/safety.py [--examples 10000] [--steps 25]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "risk"))

from risk_fakes import PRICE, START_NS, RecordingVenue, make_manager
from safety_machine import STATS, SafetyGateMachine

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.risk import InMemorySafetyStore, OrderAction, OrderIntent


def run_proof(examples: int, steps: int) -> float:
    """Run the state machine for `examples` examples; return the seconds taken."""
    STATS.clear()
    started = time.perf_counter()
    run_state_machine_as_test(
        SafetyGateMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    return time.perf_counter() - started


async def gate_cost(orders: int) -> tuple[float, float]:
    """(µs per order through manager.submit, µs per direct venue.place_order); each gated order
    is filled and confirmed, as a broker would, so the book stays realistic."""
    clock = ReplayClock(START_NS)
    venue = RecordingVenue(clock)
    risk = RiskSettings(max_position=1000, max_orders_per_minute=600)
    manager = await make_manager(InMemorySafetyStore(), clock, risk=risk, venue=venue)
    intents = [
        OrderIntent(
            f"s{i}", "MES", OrderAction.BUY if i % 2 else OrderAction.SELL, 1, PRICE, START_NS
        )
        for i in range(orders)
    ]
    started = time.perf_counter()
    for intent in intents:
        clock.advance_ns(NS_PER_SECOND)
        result = await manager.submit(intent)
        assert result.accepted and result.order_id is not None, result
        manager.on_fill(result.order_id, 1, PRICE, clock.now_ns())
        venue.broker_positions = manager.positions
    gated = time.perf_counter() - started
    started = time.perf_counter()
    for i, intent in enumerate(intents):
        await venue.place_order(
            OrderIntent(intent.signal_id, "MES", intent.action, 1, PRICE, 0, f"d{i}")
        )
    direct = time.perf_counter() - started
    return gated / orders * 1e6, direct / orders * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--orders", type=int, default=5_000)
    args = parser.parse_args()

    seconds = run_proof(args.examples, args.steps)
    print(
        f"safety proof: {STATS['examples']} examples (asked {args.examples}, "
        f"{args.steps} steps max), {STATS['submits']} submits, "
        f"{STATS['orders_reached_broker']} orders reached the broker, no violation (one would raise), "
        f"{seconds:.1f} s ({STATS['examples'] / seconds:.0f} examples/s)"
    )
    denials = sorted(
        (k.removeprefix("denied:"), v) for k, v in STATS.items() if k.startswith("denied:")
    )
    print("denials by reason: " + ", ".join(f"{k}={v}" for k, v in denials))
    gated_us, direct_us = asyncio.run(gate_cost(args.orders))
    print(
        f"gate cost: {gated_us:.1f} µs per order through the gate (checks, store writes, fill "
        f"confirmation) vs {direct_us:.1f} µs direct to the venue (baseline), ratio "
        f"{gated_us / direct_us:.1f}x over {args.orders} orders"
    )


if __name__ == "__main__":
    main()
