"""The public surface of orderflow_lib.risk and orderflow_lib.execution is what __all__ says."""

import pytest

import orderflow_lib.execution as execution
import orderflow_lib.risk as risk


@pytest.mark.parametrize("package", [risk, execution])
def test_all_when_listed_then_every_name_importable_once(package):
    assert len(set(package.__all__)) == len(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_risk_all_when_read_then_names_the_gate_and_its_port():
    assert {"ProductionSafetyManager", "SafetyStore", "InMemorySafetyStore", "OrderIntent"} <= set(
        risk.__all__
    )
    assert {"PaperBroker", "SafeBroker", "Broker"} <= set(execution.__all__)
