"""Scenario knobs of the fake gateway: market-data entitlements, order behaviour (fill, partial fill,
hold, reject), history pacing, drop-after-N-messages, and the error texts IB sends for each code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

OrderMode = Literal["fill", "partial", "hold", "reject"]

ERROR_TEXT: dict[int, str] = {
    162: "Historical Market Data Service error message:No market data permissions for CME FUT",
    200: "No security definition has been found for the request",
    201: "Order rejected - reason:The order size exceeds the account's margin",
    202: "Order Canceled - reason:",
    309: "Max number (3) of market depth requests has been reached",
    326: "Unable to connect as the client id is already in use. Retry with a unique client id.",
    354: "Requested market data is not subscribed.",
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1101: "Connectivity between IB and Trader Workstation has been restored - data lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained.",
    2104: "Market data farm connection is OK:usfarm",
    2106: "HMDS data farm connection is OK:ushmds",
    2158: "Sec-def data farm connection is OK:secdefil",
    10089: "Requested market data requires additional subscription for API.",
    10092: "Deep market data is not supported for this combination of security type/exchange",
    10147: "OrderId that needs to be cancelled is not found.",
    10167: "Requested market data is not subscribed. Displaying delayed market data.",
    10168: "Requested market data is not subscribed. Delayed market data is not enabled.",
    10189: "Failed to request tick-by-tick data:No market data permissions.",
    10190: "Max number of tick-by-tick requests has been reached.",
}
FARM_OK_CODES = (2104, 2106, 2158)


def error_text(code: int) -> str:
    """IB's usual message for an error code (a generic text for codes not in the table)."""
    return ERROR_TEXT.get(code, f"Error {code}")


@dataclass(slots=True)
class Entitlements:
    """Which market data the fake account may see; a refused request gets the listed error code.

    `l1_delayed` answers reqMktData with 10167 and delayed ticks (types 66-68) instead of live data.
    """

    l1: bool = True
    l1_error: int = 354
    l1_delayed: bool = False
    tick_by_tick: bool = True
    tick_by_tick_error: int = 10189
    depth: bool = True
    depth_error: int = 354
    history: bool = True
    history_error: int = 162


@dataclass(slots=True)
class OrderBehaviour:
    """How the fake answers placeOrder.

    For market orders, fill: Submitted then one full fill at the contract's last price; partial:
    fill `partial_qty` then stay working; hold: stay Submitted until the test fills or cancels.
    Stop and limit orders rest until a trade print reaches them (FakeGateway.trade). reject: error
    201 then Inactive. `reject_next` rejects only the next order, whatever the mode.
    """

    mode: OrderMode = "fill"
    partial_qty: float = 1.0
    reject_code: int = 201
    reject_reason: str = ERROR_TEXT[201]
    reject_next: bool = False
    commission_per_contract: dict[str, float] = field(
        default_factory=lambda: {"ES": 2.25, "MES": 0.62}
    )

    def take_reject(self) -> bool:
        """True when the next order must be rejected (consumes a one-shot `reject_next`)."""
        if self.reject_next:
            self.reject_next = False
            return True
        return self.mode == "reject"


@dataclass(slots=True)
class GatewayScenario:
    """Every knob of one gateway run; tests change fields before or during the run.

    `silent` keeps sockets open but answers nothing (a hung gateway); `drop_after_messages`
    closes a session after it sent that many messages; `strict` makes stopping the gateway fail
    when a client sent a message id the fake does not handle.
    """

    entitlements: Entitlements = field(default_factory=Entitlements)
    orders: OrderBehaviour = field(default_factory=OrderBehaviour)
    depth_message: Literal[12, 13] = 12
    farm_status_on_connect: bool = True
    max_history_requests: int | None = None
    drop_after_messages: int | None = None
    silent: bool = False
    strict: bool = False
