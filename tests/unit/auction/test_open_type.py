"""Open types (spec §4.4): OD, OTD, ORR, OA with min_drive from the scale S, provisional and final
calls, incomplete period A, and the incremental tracker."""

from fractions import Fraction

from auction_builders import RTH_OPEN_NS, ny, tk, walk

from orderflow_lib.auction.open_location import OpenLocation
from orderflow_lib.auction.open_type import (
    OpenStage,
    OpenType,
    OpenTypeCall,
    OpenTypeTracker,
    classify_open_type,
    min_drive_ticks,
    open_scale_ticks,
)
from orderflow_lib.core.config import OpenSettings

OPEN = tk(5000)
S = 48


def _call(path, as_of=None, refs=(), location=None):
    return classify_open_type(
        path["ts_ns"],
        path["price_ticks"],
        RTH_OPEN_NS,
        OPEN,
        as_of or ny(10, 0),
        refs=refs,
        scale_ticks=S,
        location=location,
    )


OD_UP = [(0, OPEN), (180, tk(4999.50)), (1200, tk(5008.50)), (1790, tk(5008.00))]
OTD_UP = [
    (0, OPEN),
    (600, tk(4997.00)),
    (780, tk(5000.25)),
    (1500, tk(5006.50)),
    (1790, tk(5006.00)),
]
ORR_DOWN = [
    (0, OPEN),
    (100, tk(4999.00)),
    (200, tk(5001.50)),
    (299, tk(5001.50)),
    (480, tk(5006.00)),
    (720, tk(4999.75)),
    (1500, tk(4995.50)),
    (1790, tk(4996.00)),
]
OA = [
    (0, OPEN),
    (200, tk(5002.50)),
    (500, tk(4997.50)),
    (800, tk(5001.50)),
    (1100, tk(4998.50)),
    (1400, tk(5002.00)),
    (1790, tk(5000.50)),
]


def test_min_drive_when_s_is_12_points_then_15_ticks():
    assert min_drive_ticks(S) == 15
    assert min_drive_ticks(None) == 8
    assert min_drive_ticks(Fraction(20)) == 8


def test_open_scale_when_fewer_than_min_sessions_then_none():
    assert open_scale_ticks([40, 50, 60, 70]) is None
    assert open_scale_ticks([40, 50, 60, 70, 45]) == 50
    assert open_scale_ticks([40, 50, 60, 70, 45, 41]) == Fraction(95, 2)


def test_open_type_when_spec_od_case_then_open_drive_up():
    call = _call(walk(OD_UP))
    assert (call.open_type, call.direction, call.stage) == (OpenType.OPEN_DRIVE, 1, OpenStage.FINAL)
    assert (call.a_low, call.a_high, call.a_close) == (tk(4999.50), tk(5008.50), tk(5008.00))
    assert call.label == "OD up"


def test_open_type_when_spec_otd_case_then_open_test_drive_up():
    call = _call(walk(OTD_UP), refs=[tk(4997.00)])
    assert (call.open_type, call.direction) == (OpenType.OPEN_TEST_DRIVE, 1)


def test_open_type_when_otd_path_tests_no_reference_then_not_otd():
    call = _call(walk(OTD_UP), refs=[tk(4990.00)])
    assert call.open_type == OpenType.OPEN_AUCTION


def test_open_type_when_test_excursion_exceeds_half_the_drive_then_not_otd():
    path = [
        (0, OPEN),
        (600, tk(4997.00)),
        (780, tk(5000.25)),
        (1500, tk(5005.00)),
        (1790, tk(5004.50)),
    ]
    call = _call(walk(path), refs=[tk(4997.00)])
    assert call.open_type == OpenType.OPEN_AUCTION


def test_open_type_when_return_after_test_window_then_not_otd_unless_allowed():
    path = [
        (0, OPEN),
        (600, tk(4997.00)),
        (960, tk(5000.25)),
        (1500, tk(5006.50)),
        (1790, tk(5006.00)),
    ]
    strict = _call(walk(path), refs=[tk(4997.00)])
    loose = classify_open_type(
        walk(path)["ts_ns"],
        walk(path)["price_ticks"],
        RTH_OPEN_NS,
        OPEN,
        ny(10, 0),
        refs=[tk(4997.00)],
        scale_ticks=S,
        settings=OpenSettings(otd_return_within_test_window=False),
    )
    assert strict.open_type == OpenType.OPEN_AUCTION
    assert loose.open_type == OpenType.OPEN_TEST_DRIVE


def test_open_type_when_spec_orr_case_then_rejection_reverse_down():
    call = _call(walk(ORR_DOWN), refs=[tk(5006.00)])
    assert (call.open_type, call.direction) == (OpenType.OPEN_REJECTION_REVERSE, -1)
    assert (call.or_low, call.or_high) == (tk(4999.00), tk(5001.50))
    assert call.label == "ORR down"


def test_open_type_when_spec_oa_case_then_open_auction_with_sub_label():
    inside = _call(walk(OA), location=OpenLocation.INSIDE_VALUE)
    above = _call(walk(OA), location=OpenLocation.ABOVE_RANGE)
    assert inside.open_type == OpenType.OPEN_AUCTION
    assert inside.crosses == 4
    assert inside.label == "OA_IN_RANGE"
    assert above.sub_label == "OA_OUT_OF_RANGE"


def test_open_type_when_before_minute_15_then_pending():
    call = _call(walk(OD_UP), as_of=ny(9, 44, 59))
    assert call.stage == OpenStage.PENDING
    assert call.open_type == OpenType.UNDEFINED


def test_open_type_when_minute_16_then_provisional_on_completed_minutes():
    call = _call(walk(OD_UP), as_of=ny(9, 46, 30))
    assert call.stage == OpenStage.PROVISIONAL
    assert call.open_type == OpenType.OPEN_DRIVE
    assert call.a_close is not None and call.a_close < tk(5008.50)


def test_open_type_when_a_minute_has_no_prints_then_undefined():
    path = walk(OD_UP)
    gap = (path["ts_ns"] >= ny(9, 37)) & (path["ts_ns"] < ny(9, 38))
    call = _call(path[~gap])
    assert call.open_type == OpenType.UNDEFINED
    assert "minute 7" in call.reasons[0]


def test_open_type_tracker_when_fed_print_by_print_then_matches_batch_and_keeps_final():
    path = walk(OTD_UP)
    tracker = OpenTypeTracker(RTH_OPEN_NS, refs=[tk(4997.00)], scale_ticks=S)
    for ts, tick in zip(path["ts_ns"].tolist(), path["price_ticks"].tolist(), strict=True):
        tracker.on_print(ts, tick)
    tracker.on_print(ny(10, 5), tk(4990))
    batch = _call(path, refs=[tk(4997.00)])
    assert tracker.call(ny(10, 0)) == batch
    assert tracker.call(ny(11, 0)) == batch


def test_open_type_tracker_when_no_prints_then_undefined():
    tracker = OpenTypeTracker(RTH_OPEN_NS)
    call = tracker.call(ny(10, 1))
    assert call.open_type == OpenType.UNDEFINED
    assert call.stage == OpenStage.FINAL
    assert call.min_drive_ticks == 8


def test_open_type_call_when_round_tripped_through_dict_then_equal_with_plain_values():
    call = OpenTypeCall(
        OpenType.OPEN_DRIVE, 1, "", OpenStage.FINAL, 5, 8, 1, 2, None, 4, 3, 0, ("a",)
    )
    data = call.to_dict()
    assert (data["open_type"], data["stage"], data["reasons"]) == (
        "OPEN_DRIVE",
        str(OpenStage.FINAL),
        ["a"],
    )
    assert OpenTypeCall.from_dict(data) == call
