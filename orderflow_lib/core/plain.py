"""Dataclasses to and from plain dicts (JSON-ready) by their fields, so that records need no
hand-written field copies: enums as their value, dates as ISO text, fractions as 'num/den' text
(or as chosen), tuples and arrays as lists, nested records as dicts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from fractions import Fraction
from typing import Any, ClassVar, Self, TypeVar

import numpy as np

T = TypeVar("T")

FractionText = Callable[[Fraction], Any]


def ratio_text(value: Fraction) -> str:
    """'num/den' even for a whole number ('1/1'), as value-area percentages are stored."""
    return f"{value.numerator}/{value.denominator}"


def plain(value: Any, fraction: FractionText = str) -> Any:
    """`value` as JSON-ready data; a nested record through its own `to_dict` when it has one."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Fraction):
        return fraction(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | list):
        return [plain(v, fraction) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, fraction) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain_dict(value, fraction=fraction)
    return value


def plain_dict(
    obj: Any,
    *,
    fraction: FractionText = str,
    rename: Mapping[str, str] | None = None,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The fields of dataclass `obj` in order as plain values; `rename` maps field to key names."""
    keys = rename or {}
    return {
        keys.get(f.name, f.name): plain(getattr(obj, f.name), fraction)
        for f in dataclasses.fields(obj)
        if f.name not in skip
    }


def from_plain(
    cls: type[T], data: Mapping[str, Any], *, rename: Mapping[str, str] | None = None
) -> T:
    """Inverse of `plain_dict`, parsing each value by its field's type; other keys are ignored.

    A missing key takes the field's default, or None when the field is optional.
    """
    keys = rename or {}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = keys.get(f.name, f.name)
        if key in data:
            values[f.name] = _parse(hints[f.name], data[key])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            if not _optional(hints[f.name]):
                raise KeyError(key)
            values[f.name] = None
    return cls(**values)


def _optional(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(tp)


def _parse(tp: Any, value: Any) -> Any:
    """`value` read back as type `tp`."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = (a for a in args if a is not type(None))
        return _parse(inner, value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_parse(args[0], v) for v in value)
        return tuple(_parse(a, v) for a, v in zip(args, value, strict=True))
    if origin is not None or not isinstance(tp, type):
        return value
    if tp is Fraction:
        return Fraction(str(value))
    if tp is dt.date:
        return dt.date.fromisoformat(str(value))
    if issubclass(tp, Enum | int | float | str):
        return tp(value)
    if hasattr(tp, "from_dict"):
        return tp.from_dict(value)
    if dataclasses.is_dataclass(tp):
        return from_plain(tp, value)
    return value


class PlainRecord:
    """Base of a dataclass record whose `to_dict` / `from_dict` are its fields as plain values;
    `_keys` renames fields to the stored key names."""

    __slots__ = ()
    _keys: ClassVar[Mapping[str, str]] = {}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields, in order."""
        return plain_dict(self, rename=self._keys)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Inverse of `to_dict`."""
        return from_plain(cls, data, rename=cls._keys)
