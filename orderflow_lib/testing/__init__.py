"""Reusable test doubles shipped with the package: the FakeGateway (TWS API server)."""

from orderflow_lib.testing.fake_gateway import (
    Entitlements,
    FakeGateway,
    FakeGatewayError,
    GatewayScenario,
    OrderBehaviour,
)

__all__ = ["Entitlements", "FakeGateway", "FakeGatewayError", "GatewayScenario", "OrderBehaviour"]
