"""Safe reading of a node snapshot (SNAPSHOT.md): every key is present but any value may be null."""

from __future__ import annotations

import math
from typing import Any

Snapshot = dict[str, Any]


def dig(data: Any, *path: str) -> Any:
    """The value at `path` inside nested dicts, or None when any step is missing or null."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def as_float(value: Any) -> float:
    """A price or quantity as float, NaN when unknown (Bokeh leaves NaN rows undrawn)."""
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def as_list(value: Any) -> list[Any]:
    """A list field, empty when null."""
    return list(value) if isinstance(value, list | tuple) else []


def tick_size(snapshot: Snapshot) -> float:
    """The instrument's tick size in index points (ES 0.25 when the snapshot does not say)."""
    size = as_float(dig(snapshot, "instrument", "tick_size"))
    return size if size > 0 else 0.25
