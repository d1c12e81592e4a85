"""benchmarks/trade_the_plan.py: it runs end to end on two small synthetic days, and its
protective-stop invariant fails when a stop is cancelled without an exit."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus, OrderType

ROOT = Path(__file__).resolve().parents[3]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "trade_the_plan", ROOT / "benchmarks" / "trade_the_plan.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _bracket() -> dict[str, OrderRecord]:
    """A long entry P1 with its stop P1-S and target P1-T, and the exit order X1."""

    def order(order_id, action, kind, parent=None):
        return OrderRecord(
            order_id, order_id, "MES", action, 1, 100, OrderStatus.PENDING, 0, 0,
            order_type=kind, parent_id=parent,
        )  # fmt: skip

    return {
        "P1": order("P1", OrderAction.BUY, OrderType.MARKET),
        "P1-S": order("P1-S", OrderAction.SELL, OrderType.STOP, "P1"),
        "P1-T": order("P1-T", OrderAction.SELL, OrderType.LIMIT, "P1"),
        "X1": order("X1", OrderAction.SELL, OrderType.MARKET),
    }


def _entered() -> list[dict]:
    return [
        {"kind": "session", "trade_date": "2026-10-01"},
        {"kind": "order", "order_id": "P1", "status": "SUBMITTED"},
        {"kind": "order", "order_id": "P1-S", "status": "SUBMITTED"},
        {"kind": "order", "order_id": "P1-T", "status": "SUBMITTED"},
        {"kind": "fill", "order_id": "P1", "action": "BUY", "quantity": 1},
        {"kind": "order", "order_id": "P1", "status": "FILLED"},
    ]


def _cancelled() -> list[dict]:
    return [
        {"kind": "order", "order_id": "P1-S", "status": "CANCELLED", "reason": "cancelled"},
        {"kind": "order", "order_id": "P1-T", "status": "CANCELLED", "reason": "cancelled"},
    ]


def _closed() -> list[dict]:
    return [{"kind": "fill", "order_id": "X1", "action": "SELL", "quantity": 1}]


@pytest.mark.slow
def test_bench_when_two_small_synthetic_days_then_prints_them_and_every_invariant_holds(capsys):
    assert _bench().main(["--synthetic", "2", "--scale", "0.02"]) == 0
    out = capsys.readouterr().out
    assert "2026-10-01" in out and "2026-10-02" in out
    assert out.count("  PASS  ") == 5
    assert "FAIL" not in out
    assert "all invariants hold" in out


def test_protective_stop_check_when_children_cancelled_before_an_exit_then_holds():
    bench = _bench()
    events = [*_entered(), *_cancelled(), {"kind": "exit", "reason": "invalidated"}, *_closed()]
    check = bench.check_protective_stop(events, _bracket())
    assert (check.checked, check.failures) == (1, [])


def test_protective_stop_check_when_stop_cancelled_without_an_exit_then_fails():
    bench = _bench()
    events = [*_entered(), *_cancelled(), *_closed()]
    check = bench.check_protective_stop(events, _bracket())
    assert check.checked == 1
    assert len(check.failures) == 1 and "P1-S CANCELLED" in check.failures[0]


def test_protective_stop_check_when_stop_submitted_after_the_entry_fill_then_fails():
    bench = _bench()
    entered = _entered()
    late = [entered[0], entered[1], entered[3], entered[4], entered[2], entered[5]]
    events = [*late, *_cancelled(), {"kind": "exit", "reason": "late"}, *_closed()]
    check = bench.check_protective_stop(events, _bracket())
    assert len(check.failures) == 1 and "from fill P1" in check.failures[0]
