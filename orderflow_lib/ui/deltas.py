"""Turns successive column dicts into the smallest ColumnDataSource update: patch, stream or replace.

Replacing a whole `.data` each frame gets slow as a profile grows (dashboard.md), so a
`SourceMirror` remembers what the browser holds and `update` says only what changed: rows whose
values changed are patched in place, rows with new keys are streamed (appended; with a rollover
when the oldest rows fell out of the window), and anything else (a key vanished from the middle,
a new session) is a full replacement. Pure Python, no Bokeh: testable without a browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from orderflow_lib.ui.columns import Columns

Patches = dict[str, list[tuple[int, Any]]]


@dataclass(frozen=True)
class Delta:
    """One update for a ColumnDataSource: apply `patches` first (old row indices), then `stream`."""

    replace: Columns | None = None
    patches: Patches = field(default_factory=dict)
    stream: Columns | None = None
    rollover: int | None = None

    @property
    def empty(self) -> bool:
        """True when the browser already shows these columns."""
        return self.replace is None and not self.patches and self.stream is None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _copy(columns: Columns) -> Columns:
    return {name: list(values) for name, values in columns.items()}


def _check(columns: Columns, key: str) -> int:
    if key not in columns:
        raise ValueError(f"columns must include the key column {key!r}, had {sorted(columns)}")
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns must have equal lengths, were {lengths}")
    keys = columns[key]
    if len(set(keys)) != len(keys):
        raise ValueError(f"key column {key!r} must not repeat a value")
    return len(keys)


class SourceMirror:
    """What one ColumnDataSource holds, keyed by one column; computes deltas to new columns."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._columns: Columns | None = None
        self._index: dict[Any, int] = {}

    @property
    def columns(self) -> Columns:
        """A copy of the columns the source holds now (empty before the first update)."""
        return _copy(self._columns) if self._columns is not None else {}

    def holds(self, keys: Any) -> bool:
        """True when `keys` (a source's key column) are the rows the mirror remembers, in order."""
        held = self._columns[self.key] if self._columns is not None else []
        return len(keys) == len(held) and list(keys) == held

    def forget(self) -> None:
        """Hold nothing: the next update replaces the source's columns whole."""
        self._columns = None
        self._index = {}

    def update(self, new: Columns) -> Delta:
        """The delta that turns the held columns into `new`; the mirror then holds `new`'s rows."""
        _check(new, self.key)
        old = self._columns
        if old is None or set(old) != set(new):
            return self._replace(new)
        new_keys = new[self.key]
        old_keys = old[self.key]
        kept = set(new_keys)
        dropped = [k for k in old_keys if k not in kept]
        if dropped and old_keys[: len(dropped)] != dropped:
            return self._replace(new)
        patches: Patches = {}
        added_rows: list[int] = []
        for row, k in enumerate(new_keys):
            at = self._index.get(k)
            if at is None:
                added_rows.append(row)
                continue
            for name, values in new.items():
                if not _same(old[name][at], values[row]):
                    patches.setdefault(name, []).append((at, values[row]))
        stream = {name: [values[r] for r in added_rows] for name, values in new.items()}
        rollover = len(old_keys) - len(dropped) + len(added_rows) if dropped else None
        if dropped and not added_rows:
            return self._replace(new)
        delta = Delta(patches=patches, stream=stream if added_rows else None, rollover=rollover)
        self._apply(delta)
        return delta

    def _replace(self, new: Columns) -> Delta:
        self._columns = _copy(new)
        self._reindex()
        return Delta(replace=_copy(new))

    def _apply(self, delta: Delta) -> None:
        assert self._columns is not None
        for name, changes in delta.patches.items():
            for at, value in changes:
                self._columns[name][at] = value
        if delta.stream is not None:
            for name, values in delta.stream.items():
                self._columns[name].extend(values)
            if delta.rollover is not None:
                for name in self._columns:
                    self._columns[name] = self._columns[name][-delta.rollover :]
        self._reindex()

    def _reindex(self) -> None:
        assert self._columns is not None
        self._index = {k: i for i, k in enumerate(self._columns[self.key])}
