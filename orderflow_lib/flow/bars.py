"""Bar specifications for footprints and volumetric candles: time, volume or tick bars."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from orderflow_lib.core.config import BarSettings
from orderflow_lib.kernels.footprint import BAR_TICK, BAR_TIME, BAR_VOLUME

BarKind = Literal["time", "volume", "tick"]
_KIND_CODES = {"time": BAR_TIME, "volume": BAR_VOLUME, "tick": BAR_TICK}
_COUNTED: dict[str, BarKind] = {"volume": "volume", "tick": "tick"}


@dataclass(frozen=True)
class BarSpec:
    """How trades are grouped into bars.

    `length` is nanoseconds for time bars (on the grid origin_ns + k * length, UTC), contracts for
    volume bars (a bar closes once its volume reaches it; a trade is never split) and trades for
    tick bars.
    """

    kind: BarKind
    length: int
    origin_ns: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _KIND_CODES:
            raise ValueError(f"bar kind must be 'time', 'volume' or 'tick', was {self.kind!r}")
        if self.length <= 0:
            raise ValueError(f"bar length must be > 0, was {self.length}")

    @property
    def code(self) -> int:
        """Kernel code of the bar kind."""
        return _KIND_CODES[self.kind]

    @classmethod
    def parse(cls, bar: str | BarSpec) -> BarSpec:
        """A BarSpec from '1min', '30s', '1h' (time), 'volume:3000' or 'tick:500'."""
        if isinstance(bar, BarSpec):
            return bar
        text = str(bar).strip()
        kind, _, amount = text.partition(":")
        if amount:
            counted = _COUNTED.get(kind)
            if counted is None or not amount.isdigit():
                raise ValueError(
                    f"bar must be a duration like '1min' or 'volume:N' / 'tick:N', was {bar!r}"
                )
            return cls(counted, int(amount))
        try:
            length = pd.Timedelta(text)
        except ValueError as exc:
            raise ValueError(
                f"bar must be a duration like '1min' or 'volume:N' / 'tick:N', was {bar!r}"
            ) from exc
        return cls("time", int(length.value))

    @classmethod
    def from_settings(cls, settings: BarSettings) -> BarSpec:
        """The bar of `orderflow.bar` (type and size; a time bar's size is in seconds)."""
        if settings.type == "time":
            return cls("time", settings.size * 1_000_000_000)
        return cls(settings.type, settings.size)


def anchor_array(anchors_ns: np.ndarray | list[int] | None) -> np.ndarray:
    """Sorted int64 anchor times (session starts where CD resets and bars split); empty if None."""
    if anchors_ns is None:
        return np.empty(0, dtype=np.int64)
    anchors = np.asarray(anchors_ns, dtype=np.int64)
    if anchors.ndim != 1:
        raise ValueError(f"anchors_ns must be one-dimensional, had shape {anchors.shape}")
    if anchors.size > 1 and (np.diff(anchors) <= 0).any():
        raise ValueError("anchors_ns must be strictly increasing")
    return np.ascontiguousarray(anchors)
