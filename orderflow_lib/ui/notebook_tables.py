"""Research tables as a trader reads them in a notebook: the review's codes (regime, bias, setup
kind, family, outcome) in words; the tables themselves keep the codes for analysis."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from orderflow_lib.ui.wording import (
    confidence_words,
    family_words,
    grade_words,
    regime_words,
    setup_kind_words,
    side_words,
)

_WORDS: dict[str, Callable[[Any], str]] = {
    "regime": regime_words,
    "bias": side_words,
    "confidence": confidence_words,
    "expectation": setup_kind_words,
    "family": family_words,
    "outcome": grade_words,
    "bracket": grade_words,
}


def _blank_or(name: Callable[[Any], str]) -> Callable[[Any], str]:
    def word(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return name(value)

    return word


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose known code columns, and index when it is one of them, are words."""
    out = frame.copy()
    for column, name in _WORDS.items():
        if column in out.columns:
            out[column] = out[column].map(_blank_or(name))
    if out.index.name in _WORDS:
        out.index = out.index.map(_blank_or(_WORDS[out.index.name]))
    return out
