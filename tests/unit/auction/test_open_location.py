"""Open location against prior value and range (spec §4.2 table)."""

import pytest
from auction_builders import tk

from orderflow_lib.auction.open_location import (
    OPEN_EXPECTATIONS,
    OpenLocation,
    OpenReference,
    open_location,
)
from orderflow_lib.core.config import OpenSettings

REF = OpenReference(val_ticks=tk(5000), vah_ticks=tk(5010), low_tick=tk(4995), high_tick=tk(5018))


@pytest.mark.parametrize(
    ("open_price", "expected"),
    [
        (5005.00, OpenLocation.INSIDE_VALUE),
        (5010.25, OpenLocation.AT_VAH),
        (4999.75, OpenLocation.AT_VAL),
        (5014.00, OpenLocation.ABOVE_VALUE_IN_RANGE),
        (5020.00, OpenLocation.ABOVE_RANGE),
        (4997.00, OpenLocation.BELOW_VALUE_IN_RANGE),
        (4990.00, OpenLocation.BELOW_RANGE),
    ],
)
def test_open_location_when_spec_table_then_each_code(open_price, expected):
    assert open_location(tk(open_price), REF) == expected


@pytest.mark.parametrize(
    ("open_price", "expected"),
    [(5010.00, OpenLocation.INSIDE_VALUE), (5010.25, OpenLocation.ABOVE_VALUE_IN_RANGE)],
)
def test_open_location_when_edge_codes_off_then_daltons_five(open_price, expected):
    assert open_location(tk(open_price), REF, OpenSettings(edge_codes=False)) == expected


def test_open_location_when_edge_tol_zero_then_at_vah_still_fires_on_the_edge():
    assert open_location(tk(5010), REF, OpenSettings(edge_tol_ticks=0)) == OpenLocation.AT_VAH
    assert (
        open_location(tk(5010.25), REF, OpenSettings(edge_tol_ticks=0))
        == OpenLocation.ABOVE_VALUE_IN_RANGE
    )


def test_open_location_when_at_range_high_then_still_in_range():
    assert open_location(tk(5018), REF) == OpenLocation.ABOVE_VALUE_IN_RANGE
    assert open_location(tk(5018.25), REF) == OpenLocation.ABOVE_RANGE


def test_open_reference_when_levels_out_of_order_then_refused():
    with pytest.raises(ValueError, match="low <= val <= vah <= high"):
        OpenReference(val_ticks=tk(5010), vah_ticks=tk(5000), low_tick=tk(4995), high_tick=tk(5018))


def test_open_expectations_when_any_code_then_text_exists():
    assert set(OPEN_EXPECTATIONS) == set(OpenLocation)
    assert "80% rule to VAL" in OPEN_EXPECTATIONS[OpenLocation.ABOVE_VALUE_IN_RANGE]
