"""Reusable test doubles shipped with the package: the FakeGateway (TWS API server)."""

from orderflow_lib.testing.fake_gateway import (
    Entitlements,
    FakeGateway,
    FakeGatewayError,
    OrderBehaviour,
    Scenario,
)

__all__ = ["Entitlements", "FakeGateway", "FakeGatewayError", "OrderBehaviour", "Scenario"]
