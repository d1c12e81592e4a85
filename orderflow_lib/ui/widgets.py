"""ipywidgets pieces: HTML panels that only send when their content changes, and the fence control."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from orderflow_lib.ui.html import GREEN, RED, attrs, esc


class HtmlPanel:
    """A titled card whose HTML is replaced only when it differs (no traffic for unchanged panels)."""

    def __init__(self, title: str, name: str, card: bool = True) -> None:
        self.title = title
        self.name = name
        self.widget = w.HTML()
        if card:
            self.widget.add_class("of-card")
        self.widget.add_class(f"of-{name}")
        self.show('<span class="of-muted">waiting for the node…</span>')

    def show(self, inner_html: str) -> bool:
        """Display `inner_html` under the title; True when it changed what the page shows."""
        title = f"<h3>{esc(self.title)}</h3>" if self.title else ""
        value = f'<div class="of-root" data-panel="{esc(self.name)}">{title}{inner_html}</div>'
        if value == self.widget.value:
            return False
        self.widget.value = value
        return True


@dataclass(frozen=True)
class FenceAnswer:
    """The node's answer to a fence-deactivate request: HTTP status (None: no node) and its words."""

    status: int | None
    detail: str

    @property
    def accepted(self) -> bool:
        """True when the node lifted the fence."""
        return self.status == 200


def describe_fence_answer(status: int | None, body: Any) -> FenceAnswer:
    """Turn the control API's HTTP answer into plain words for the trader."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if status == 200:
        reason = body.get("fence_reason") if isinstance(body, dict) else ""
        active = body.get("fence_active") if isinstance(body, dict) else False
        words = "fence lifted" if not active else f"fence still active: {reason}"
        return FenceAnswer(200, words)
    if status == 401:
        return FenceAnswer(401, f"refused: {detail or 'wrong or missing key'}")
    if status == 409:
        return FenceAnswer(409, f"refused in the current state: {detail or 'conflict'}")
    if status == 429:
        return FenceAnswer(429, f"locked out: {detail or 'too many failed attempts'}")
    if status is None:
        return FenceAnswer(None, f"no answer: {detail or 'node unavailable'}")
    return FenceAnswer(status, f"unexpected answer {status}: {detail or body}")


Deactivate = Callable[[str], Awaitable[FenceAnswer]]


def fence_answer_html(answer: FenceAnswer | None) -> str:
    """The last answer, coloured green when accepted and red otherwise."""
    if answer is None:
        return f'<div class="of-fence-result" {attrs(status="none")}></div>'
    colour = GREEN if answer.accepted else RED
    return (
        f'<div class="of-fence-result" {attrs(status=answer.status or "none", accepted=str(answer.accepted).lower())}>'
        f'<b style="color:{colour}">{esc(answer.status or "—")}</b> {esc(answer.detail)}</div>'
    )


class FenceControl:
    """Asks for the safety key, sends the fence-deactivate request and shows the node's answer."""

    def __init__(self, deactivate: Deactivate) -> None:
        self._deactivate = deactivate
        self.key = w.Password(placeholder="SAFETY_AUTH_KEY", layout=w.Layout(width="220px"))
        self.key.add_class("of-fence-key")
        self.button = w.Button(description="Lift fence", button_style="warning", icon="unlock")
        self.button.add_class("of-fence-submit")
        self.result = w.HTML(fence_answer_html(None))
        self.result.add_class("of-fence-answer")
        self.widget = w.VBox([w.HBox([self.key, self.button]), self.result])
        self.widget.add_class("of-fence")
        self.button.on_click(self._clicked)
        self._task: asyncio.Task[FenceAnswer] | None = None

    def _clicked(self, _button: w.Button) -> None:
        self._task = asyncio.ensure_future(self.submit(self.key.value))

    async def submit(self, key: str) -> FenceAnswer:
        """Send the request with `key`, show the answer and forget the key."""
        self.button.disabled = True
        self.result.value = (
            '<div class="of-fence-result" data-status="pending">asking the node…</div>'
        )
        try:
            answer = await self._deactivate(key)
        finally:
            self.button.disabled = False
            self.key.value = ""
        self.result.value = fence_answer_html(answer)
        return answer
