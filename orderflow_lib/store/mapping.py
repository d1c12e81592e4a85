"""One mapper between frozen records and table rows, driven by the records' dataclass fields.

A field maps to the column of the same name. Enums are stored as their values, tuples as JSON
lists (dates in them as ISO text), and a nested record (SafetyState.limits) as its own fields in
the same row; reading converts each back by the field's type.
"""

from __future__ import annotations

import typing
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any, TypeVar

Record = TypeVar("Record")


_FIELD_TYPES: dict[type, dict[str, Any]] = {}


def _field_types(record_type: Any) -> dict[str, Any]:
    """The resolved type of each dataclass field of `record_type`, in field order (cached)."""
    if record_type not in _FIELD_TYPES:
        hints = typing.get_type_hints(record_type)
        _FIELD_TYPES[record_type] = {f.name: hints[f.name] for f in fields(record_type)}
    return _FIELD_TYPES[record_type]


def _column(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [item.isoformat() if isinstance(item, date) else item for item in value]
    return value


def _field(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        return tuple(date.fromisoformat(v) if item is date else v for v in value)
    return value


def row_values(record: Any, **extra: Any) -> dict[str, Any]:
    """The column values of `record` (a nested record's fields inline), then `extra` over them."""
    values: dict[str, Any] = {}
    for name in _field_types(type(record)):
        value = getattr(record, name)
        if is_dataclass(value):
            values.update(row_values(value))
        else:
            values[name] = _column(value)
    values.update(extra)
    return values


def record_from_row(record_type: type[Record], row: Any, **given: Any) -> Record:
    """A `record_type` from the attributes of `row` named like its fields; `given` fields as is."""
    values = {
        name: record_from_row(kind, row)
        if isinstance(kind, type) and is_dataclass(kind)
        else _field(kind, getattr(row, name))
        for name, kind in _field_types(record_type).items()
        if name not in given
    }
    return record_type(**values, **given)
