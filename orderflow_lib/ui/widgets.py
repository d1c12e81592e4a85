"""ipywidgets pieces: HTML panels that only send when their content changes, and the command buttons."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import ipywidgets as w

from orderflow_lib.ui.commands import Answer
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


Command = Callable[[str, str], Awaitable[Answer]]
"""Sends (command, key) to the node and returns its answer in words (commands.send, bound)."""


def answer_html(answer: Answer | None, pending: str = "") -> str:
    """The last answer, green when done and red otherwise (or a pending note)."""
    if pending:
        return f'<div class="of-answer" data-state="pending">{esc(pending)}</div>'
    if answer is None:
        return '<div class="of-answer" data-state="none"></div>'
    colour = GREEN if answer.ok else RED
    return (
        f'<div class="of-answer" {attrs(state="ok" if answer.ok else "refused")}>'
        f'<b style="color:{colour}">{esc(answer.text)}</b></div>'
    )


class ControlPanel:
    """Lift fence, flatten and halt, with the safety key asked once per page (again after a wrong key)."""

    def __init__(self, command: Command) -> None:
        self._command = command
        self._key = ""
        self.key = w.Password(placeholder="safety key", layout=w.Layout(width="150px"))
        self.key.add_class("of-key")
        self.held = w.HTML('<span class="of-muted">key held for this page</span>')
        self.held.add_class("of-key-held")
        self.held.layout.display = "none"
        self.buttons = {
            "fence": w.Button(description="Lift fence", layout=w.Layout(width="auto")),
            "flatten": w.Button(description="Flatten", layout=w.Layout(width="auto")),
            "halt": w.Button(description="Halt", layout=w.Layout(width="auto")),
        }
        for name, button in self.buttons.items():
            button.add_class(f"of-cmd-{name}")
            button.on_click(lambda _b, name=name: self._clicked(name))
        self.result = w.HTML(answer_html(None))
        self.result.add_class("of-command-answer")
        row = w.HBox([self.key, self.held, *self.buttons.values()])
        row.add_class("of-command-row")
        self.widget = w.VBox([row, self.result])
        self.widget.add_class("of-controls")
        self._task: asyncio.Task[Answer | None] | None = None

    def _clicked(self, name: str) -> None:
        self._task = asyncio.ensure_future(self.submit(name))

    async def submit(self, name: str) -> Answer | None:
        """Send command `name` with the held key (or the one just typed) and show the answer."""
        key = self._key or self.key.value
        self.key.value = ""
        if not key:
            self.result.value = answer_html(Answer(False, "Enter the safety key first"))
            return None
        for button in self.buttons.values():
            button.disabled = True
        self.result.value = answer_html(None, pending="asking the node…")
        try:
            answer = await self._command(name, key)
        finally:
            for button in self.buttons.values():
                button.disabled = False
        self._key = "" if answer.wrong_key else key
        self.key.layout.display = "none" if self._key else None
        self.held.layout.display = None if self._key else "none"
        self.result.value = answer_html(answer)
        return answer
