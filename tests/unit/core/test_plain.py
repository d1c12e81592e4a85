"""plain_dict / from_plain: field copies to JSON-ready dicts and back, by the fields' types."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.core.plain import from_plain, plain, plain_dict, ratio_text


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


@dataclass(frozen=True, slots=True)
class Leg:
    side: Side
    ticks: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Record:
    day: dt.date
    share: Fraction
    legs: tuple[Leg, ...]
    note: str | None
    ratio: Fraction | None = None
    count: int = 3


RECORD = Record(dt.date(2024, 1, 2), Fraction(3, 4), (Leg(Side.BUY, (1, 2)),), None)


def test_plain_dict_when_record_then_fields_in_order_as_json_ready_values():
    assert plain_dict(RECORD) == {
        "day": "2024-01-02",
        "share": "3/4",
        "legs": [{"side": "BUY", "ticks": [1, 2]}],
        "note": None,
        "ratio": None,
        "count": 3,
    }
    assert list(plain_dict(RECORD, rename={"day": "date"}, skip=("legs",))) == [
        "date",
        "share",
        "note",
        "ratio",
        "count",
    ]


def test_plain_when_fraction_rule_given_then_used_for_every_fraction():
    assert plain_dict(RECORD, fraction=float)["share"] == 0.75
    assert ratio_text(Fraction(1)) == "1/1" and plain(Fraction(1)) == "1"
    assert plain(np.array([1, 2])) == [1, 2]


def test_from_plain_when_json_round_trip_then_equal_record():
    data = json.loads(json.dumps(plain_dict(RECORD, rename={"day": "date"})))
    assert from_plain(Record, data, rename={"day": "date"}) == RECORD


def test_from_plain_when_defaulted_or_optional_keys_missing_then_default_or_none():
    back = from_plain(Record, {"day": "2024-01-02", "share": "1/2", "legs": []})
    assert (back.note, back.ratio, back.count) == (None, None, 3)


def test_from_plain_when_required_key_missing_then_key_error_names_it():
    with pytest.raises(KeyError, match="share"):
        from_plain(Record, {"day": "2024-01-02", "legs": []})
