"""A fake IB Gateway speaking the TWS API wire protocol, for tests and the demo."""

from orderflow_lib.testing.fake_gateway.scenarios import (
    Entitlements,
    GatewayScenario,
    OrderBehaviour,
)
from orderflow_lib.testing.fake_gateway.server import FakeGateway, FakeGatewayError
from orderflow_lib.testing.fake_gateway.state import ContractSpec

__all__ = [
    "ContractSpec",
    "Entitlements",
    "FakeGateway",
    "FakeGatewayError",
    "GatewayScenario",
    "OrderBehaviour",
]
