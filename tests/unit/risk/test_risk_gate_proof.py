"""THE PROOF (2,000 examples): no entry reaches the broker while the fence is on, the breaker has
tripped, reconciliation disagrees, the state is HALTED or the manager is not ready; no exit can
raise |position| or flip it; the gate never ends a protective child; |position| stays within
max_position (see safety_machine.py). Each weakened gate below must be caught."""

import time

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from risk_fakes import PRICE
from safety_machine import STATS, SafetyGateMachine, bracket_problems

from orderflow_lib.risk import (
    DenialReason,
    OrderAction,
    OrderIntent,
    OrderStatus,
    OrderType,
    ProductionSafetyManager,
)
from orderflow_lib.risk import checks as checks_module
from orderflow_lib.risk import manager as manager_module

EXAMPLES = 2_000
HUNT = settings(
    max_examples=1_000,
    stateful_step_count=25,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)


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
    assert {"denied:HALTED", "exit_denied:REDUCING_ONLY"} <= set(STATS)
    for seen in ("brackets_reached_broker", "child_fills", "oca_cancels"):
        assert STATS[seen] >= 20, seen
    assert STATS["exits_passed_a_block"] >= 10 and STATS["exits_in_an_oca_group"] >= 10


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
        run_state_machine_as_test(SafetyGateMachine, settings=HUNT)


def test_proof_when_gate_ignores_halted_then_machine_catches_an_entry(monkeypatch):
    monkeypatch.setattr(checks_module, "check_trading_state", lambda *args: None)
    with pytest.raises(AssertionError, match="HALTED"):
        run_state_machine_as_test(SafetyGateMachine, settings=HUNT)


def test_proof_when_exit_check_lets_everything_out_then_machine_catches_added_exposure(
    monkeypatch,
):
    monkeypatch.setattr(manager_module, "is_exposure_reducing", lambda *args: True)
    with pytest.raises(AssertionError, match="exit may add exposure"):
        run_state_machine_as_test(SafetyGateMachine, settings=HUNT)


def test_proof_when_exit_check_ignores_working_orders_then_machine_catches_a_flip(monkeypatch):
    original = manager_module.is_exposure_reducing

    def blind(intent, position, open_buy, open_sell):
        return original(intent, position, 0, 0)

    monkeypatch.setattr(manager_module, "is_exposure_reducing", blind)
    with pytest.raises(AssertionError, match="exit may add exposure"):
        run_state_machine_as_test(SafetyGateMachine, settings=HUNT)


def test_proof_when_max_position_check_missing_then_machine_catches_the_position(monkeypatch):
    monkeypatch.setattr(checks_module, "check_max_position", lambda *args: None)
    with pytest.raises(AssertionError, match="beyond max_position"):
        run_state_machine_as_test(SafetyGateMachine, settings=HUNT)


def test_proof_when_gate_cancels_children_on_disconnect_then_machine_catches_it(monkeypatch):
    original = ProductionSafetyManager.on_broker_disconnected

    def cancelling(self, reason):
        original(self, reason)
        for order in self.orders():
            if order.parent_id:
                self.on_order_status(order.order_id, OrderStatus.CANCELLED, 0, reason=reason)

    monkeypatch.setattr(ProductionSafetyManager, "on_broker_disconnected", cancelling)
    with pytest.raises(AssertionError, match="the gate ended a protective child"):
        run_state_machine_as_test(SafetyGateMachine, settings=HUNT)


def _bracket(stop_type=OrderType.STOP, stop_ticks=PRICE - 4, parent_id="P", oca="OCA-P"):
    """A long bracket as the venue receives it, with one part replaceable."""
    buy, sell = OrderAction.BUY, OrderAction.SELL
    child = {"parent_id": parent_id, "oca_group": oca}
    return (
        OrderIntent("s", "MES", buy, 1, PRICE, 0, "P"),
        OrderIntent("s", "MES", sell, 1, stop_ticks, 0, "P-S", stop_type, **child),
        OrderIntent("s", "MES", sell, 1, PRICE + 8, 0, "P-T", OrderType.LIMIT, **child),
    )


def test_bracket_problems_when_well_formed_then_none():
    assert bracket_problems(*_bracket()) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"stop_type": OrderType.LIMIT},
        {"stop_ticks": PRICE + 1},
        {"parent_id": "other"},
        {"oca": ""},
    ],
)
def test_bracket_problems_when_one_part_wrong_then_reported(broken):
    assert bracket_problems(*_bracket(**broken))


class JudgeEveryExitMachine(SafetyGateMachine):
    """The machine judging exits against the broker even while local positions are stale."""

    JUDGE_EXITS_ON_STALE_POSITIONS = True


def test_proof_when_positions_disagree_then_no_exit_adds_exposure():
    run_state_machine_as_test(JudgeEveryExitMachine, settings=HUNT)
