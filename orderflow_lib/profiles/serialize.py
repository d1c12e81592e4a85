"""Plain dicts and DataFrames for every profile object, so the store and the dashboard can keep
and show them without knowing the engine.

Each object has `to_dict`/`from_dict` (JSON-ready: ints, floats, text, lists); profiles also have
`to_frame`/`from_frame` (one row per price, scalars in `attrs`). This module adds the list forms
(one row per object) and `from_plain`, which rebuilds any object from its dict by its `kind`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from orderflow_lib.profiles.archive import ArchiveEntry
from orderflow_lib.profiles.composite import CVA
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.value_area import ValueArea
from orderflow_lib.profiles.volume import VolumeProfile

_FROM_DICT: dict[str, Callable[[dict[str, Any]], Any]] = {
    "volume_profile": VolumeProfile.from_dict,
    "tpo_profile": TpoProfile.from_dict,
    "value_area": ValueArea.from_dict,
    "cva": CVA.from_dict,
    "archive_entry": ArchiveEntry.from_dict,
}


def from_plain(data: dict[str, Any]) -> Any:
    """Rebuild a VolumeProfile, TpoProfile, ValueArea, CVA or ArchiveEntry from its dict."""
    kind = data.get("kind")
    if kind not in _FROM_DICT:
        raise ValueError(f"dict kind must be one of {sorted(_FROM_DICT)}, was {kind!r}")
    return _FROM_DICT[kind](data)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with missing scalars (NaN/NA, as pandas stores None) turned back into None."""

    def clean(value: Any) -> Any:
        if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        return value

    return [{str(k): clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def value_areas_to_frame(values: Sequence[ValueArea]) -> pd.DataFrame:
    """One row per value area."""
    return pd.DataFrame([v.to_dict() for v in values])


def value_areas_from_frame(frame: pd.DataFrame) -> list[ValueArea]:
    """Inverse of `value_areas_to_frame`."""
    return [ValueArea.from_dict(row) for row in _records(frame)]


def cvas_to_frame(cvas: Sequence[CVA], with_profile: bool = False) -> pd.DataFrame:
    """One row per composite; the value area and (optionally) merged profile as dict cells."""
    return pd.DataFrame([c.to_dict(with_profile=with_profile) for c in cvas])


def cvas_from_frame(frame: pd.DataFrame) -> list[CVA]:
    """Inverse of `cvas_to_frame`."""
    return [CVA.from_dict(row) for row in _records(frame)]


def archive_entries_to_frame(entries: Sequence[ArchiveEntry]) -> pd.DataFrame:
    """One row per archive entry."""
    return pd.DataFrame([e.to_dict() for e in entries])


def archive_entries_from_frame(frame: pd.DataFrame) -> list[ArchiveEntry]:
    """Inverse of `archive_entries_to_frame`."""
    return [ArchiveEntry.from_dict(row) for row in _records(frame)]
