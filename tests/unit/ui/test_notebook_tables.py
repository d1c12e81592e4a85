"""The review's tables in a notebook read in words, the analysis tables keep their codes."""

from __future__ import annotations

import math

import pandas as pd

from orderflow_lib.research.plans import hit_rate_table
from orderflow_lib.ui.notebook_tables import in_words


def _outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trade_date": ["2013-10-11", "2013-10-14"],
            "regime": ["TREND_UP", "BALANCE"],
            "bias": ["BULLISH", "NEUTRAL"],
            "confidence": ["HIGH", "LOW"],
            "expectation": ["EIGHTY", "RTV"],
            "family": ["DIRECTIONAL_BULLISH", "ROTATIONAL"],
            "outcome": ["NO_TRIGGER", "MISSED"],
            "bracket": [None, "LOSS"],
            "mfe_ticks": [0, 12],
        }
    )


def test_in_words_when_review_outcomes_then_codes_become_words_and_numbers_stay():
    shown = in_words(_outcomes())

    assert shown["regime"].tolist() == ["Trending up", "Balanced, range-bound"]
    assert shown["bias"].tolist() == ["buyers", "no side"]
    assert shown["expectation"].tolist() == ["80% rule", "return to value"]
    assert shown["family"].tolist() == ["up trend (longs only)", "rotation"]
    assert shown["outcome"].tolist() == ["never triggered", "missed"]
    assert shown["bracket"].tolist() == ["", "lost"]
    assert shown["mfe_ticks"].tolist() == [0, 12]
    assert _outcomes()["regime"].tolist() == ["TREND_UP", "BALANCE"]


def test_in_words_when_hit_rate_table_by_kind_then_index_in_words():
    table = hit_rate_table(_outcomes(), "expectation")

    shown = in_words(table)

    assert shown.index.tolist() == ["80% rule", "return to value"]
    assert shown["losses"].tolist() == table["losses"].tolist()
    assert math.isnan(shown["hit_rate"].iloc[0])
