"""The Command Center's commands: the node's answers in plain words, never a status number."""

import httpx
import pytest

from orderflow_lib.node.client import NodeClient
from orderflow_lib.ui import commands
from orderflow_lib.ui.commands import describe


@pytest.mark.parametrize(
    ("command", "status", "body", "was_on", "ok", "text"),
    [
        ("fence", 200, {"fence_active": False}, True, True, "Fence lifted"),
        ("fence", 200, {"fence_active": False}, False, True, "The fence was already off"),
        ("fence", 401, {"detail": "wrong x-safety-auth-key header"}, True, False, "Wrong key"),
        (
            "fence",
            409,
            {"detail": "cannot lift the fence while the broker is disconnected"},
            True,
            False,
            "Refused: Cannot lift the fence while the broker is disconnected",
        ),
        (
            "halt",
            429,
            {"detail": "too many wrong keys from this address; retry after 4 s"},
            None,
            False,
            "Too many wrong keys: try again in 4 s",
        ),
        (
            "halt",
            200,
            {"message": "Trading halted: from the Command Center"},
            None,
            True,
            "Trading halted: from the Command Center",
        ),
        (
            "flatten",
            503,
            {"detail": "no trading session is attached to flatten"},
            None,
            False,
            "Refused: No trading session is attached to flatten",
        ),
        ("flatten", None, {}, None, False, "No answer: the node is not running"),
    ],
)
def test_describe_when_node_answers_then_plain_words(command, status, body, was_on, ok, text):
    answer = describe(command, status, body, was_on)
    assert (answer.ok, answer.text) == (ok, text)
    assert "x-safety" not in answer.text and str(status) not in answer.text
    assert answer.wrong_key == (status == 401)


async def test_send_when_no_node_then_answer_not_exception():
    answer = await commands.send(NodeClient("http://127.0.0.1:9"), "halt", "k" * 32)
    assert not answer.ok and answer.text.startswith("No answer")


async def test_send_when_unknown_command_then_error():
    with pytest.raises(ValueError, match="command must be one of"):
        await commands.send(NodeClient("http://127.0.0.1:9"), "buy", "k")


async def test_send_when_fence_already_off_then_says_so(monkeypatch):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/safety/status":
            return httpx.Response(200, json={"fence_active": False})
        assert request.headers["x-safety-auth-key"] == "k" * 32
        return httpx.Response(200, json={"fence_active": False, "fence_reason": ""})

    real = httpx.AsyncClient
    monkeypatch.setattr(
        httpx, "AsyncClient", lambda **kw: real(transport=httpx.MockTransport(handler), **kw)
    )
    answer = await commands.send(NodeClient("http://node"), "fence", "k" * 32)
    assert (answer.ok, answer.text) == (True, "The fence was already off")
