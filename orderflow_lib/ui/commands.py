"""The Command Center's three commands (lift the fence, flatten, halt) and their answers in plain words.

Each sends one authenticated request to the node's control API and never raises: every outcome,
including no node at all, becomes an `Answer` a trader can read ("Fence lifted", "Wrong key").
HTTP status numbers and header names stay out of the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from orderflow_lib.node.client import AUTH_HEADER, NodeClient
from orderflow_lib.ui.wording import plain

COMMANDS = {
    "fence": "/api/safety/fence/deactivate",
    "flatten": "/api/position/flatten",
    "halt": "/api/safety/halt",
}
REASON = "from the Command Center"


@dataclass(frozen=True)
class Answer:
    """What the node said: `ok` when it did it, `wrong_key` when the key was refused."""

    ok: bool
    text: str
    wrong_key: bool = False


def _detail(body: Any) -> str:
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    text = str(detail or "").replace(AUTH_HEADER, "safety key").replace(" header", "")
    return plain(text)


def describe(
    command: str, status: int | None, body: Any, fence_was_on: bool | None = None
) -> Answer:
    """The answer in words for `command` given the HTTP status (None: no node) and the reply body."""
    if status is None:
        return Answer(False, f"No answer: {_detail(body) or 'the node is not running'}")
    if status == 401:
        return Answer(False, "Wrong key", wrong_key=True)
    if status == 429:
        wait = re.search(r"(\d+)\s*s\b", str(_detail(body)))
        return Answer(
            False,
            "Too many wrong keys: try again" + (f" in {wait.group(1)} s" if wait else " later"),
        )
    if status >= 300:
        return Answer(False, f"Refused: {_detail(body) or 'the node could not do it now'}")
    if command == "fence":
        if isinstance(body, dict) and body.get("fence_active"):
            return Answer(False, f"The fence is still on: {plain(body.get('fence_reason'))}")
        if fence_was_on is False:
            return Answer(True, "The fence was already off")
        return Answer(True, "Fence lifted")
    message = body.get("message") if isinstance(body, dict) else None
    done = {"flatten": "Flattening", "halt": "Trading halted"}.get(command, "Done")
    return Answer(True, plain(message) or done)


async def _fence_on(client: NodeClient) -> bool | None:
    try:
        return bool((await client.safety_status()).get("fence_active"))
    except (httpx.HTTPError, ValueError, ConnectionError):
        return None


async def send(client: NodeClient, command: str, key: str) -> Answer:
    """Send `command` ("fence", "flatten" or "halt") with `key`; the node's answer in words."""
    if command not in COMMANDS:
        raise ValueError(f"command must be one of {sorted(COMMANDS)}, was {command!r}")
    fence_was_on = await _fence_on(client) if command == "fence" else None
    try:
        async with httpx.AsyncClient(timeout=10.0) as http:
            response = await http.post(
                client.base_url + COMMANDS[command],
                headers={AUTH_HEADER: key},
                json={"reason": REASON},
            )
    except httpx.TransportError:
        return describe(command, None, {})
    try:
        body: Any = response.json()
    except ValueError:
        body = {"detail": response.text}
    return describe(command, response.status_code, body, fence_was_on)
