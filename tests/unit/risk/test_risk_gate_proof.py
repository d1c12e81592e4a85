"""THE PROOF (2,000 examples): no order reaches the broker while the fence is on, the breaker
has tripped, reconciliation disagrees or the manager is not ready (see safety_machine.py)."""

import time

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from safety_machine import STATS, SafetyGateMachine

from orderflow_lib.risk import DenialReason, ProductionSafetyManager

EXAMPLES = 2_000


def test_gate_when_2000_random_operation_sequences_then_no_order_breaks_a_safety_rule():
    STATS.clear()
    started = time.perf_counter()
    run_state_machine_as_test(
        SafetyGateMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    elapsed = time.perf_counter() - started
    print(
        f"safety proof: {STATS['examples']} examples, {STATS['submits']} submits, "
        f"{STATS['orders_reached_broker']} orders reached the broker, {elapsed:.1f} s"
    )
    assert STATS["examples"] >= EXAMPLES
    assert STATS["orders_reached_broker"] >= EXAMPLES // 4
    denial_kinds = {key for key in STATS if key.startswith("denied:")}
    for reason in ("FENCE_ACTIVE", "BREAKER_TRIPPED", "RECONCILIATION_MISMATCH", "NOT_READY"):
        assert f"denied:{reason}" in denial_kinds


@pytest.mark.parametrize(
    "ignored",
    [
        DenialReason.FENCE_ACTIVE,
        DenialReason.BREAKER_TRIPPED,
        DenialReason.RECONCILIATION_MISMATCH,
        DenialReason.NOT_READY,
    ],
)
def test_proof_when_gate_ignores_one_rule_then_machine_catches_it(monkeypatch, ignored):
    original = ProductionSafetyManager._blocking_violations

    def weakened(self, **kwargs):
        return [v for v in original(self, **kwargs) if v.reason is not ignored]

    monkeypatch.setattr(ProductionSafetyManager, "_blocking_violations", weakened)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(
            SafetyGateMachine,
            settings=settings(
                max_examples=1_000,
                stateful_step_count=25,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                report_multiple_bugs=False,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
