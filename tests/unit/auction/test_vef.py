"""Value expectations framework (spec §4.1): VEF1 traverse, VEF2 rotation, VEF3 previous balance,
VEF4 acceptance beyond an edge, VEF5 POC holds, VEF6 value building, VEF7 targets done."""

from auction_builders import ny, tk

from orderflow_lib.auction.tape import PeriodSummary
from orderflow_lib.auction.vef import ValueExpectations, VefEvent

VAL, POC, VAH = tk(4980), tk(4990), tk(5000)


def _vef(**kw):
    return ValueExpectations(VAL, POC, VAH, upside_ref=tk(5010), downside_ref=tk(4970), **kw)


def _period(label, start, low, high, close):
    return PeriodSummary(
        label, start, start + 1_800_000_000_000, tk(low), tk(high), tk(low), tk(close), start, start
    )


def test_vef1_when_price_touches_vah_and_comes_back_inside_then_traverse_to_val():
    vef = _vef()
    vef.on_print(ny(9, 30), tk(5000.25))
    vef.on_print(ny(9, 35), tk(4998.00))
    assert [(e.code, e.target_tick) for e in vef.events] == [("VEF1", VAL)]
    assert vef.status().active == ("VEF1", "VEF2")
    vef.on_print(ny(10, 40), tk(4980.00))
    assert vef.events[-1].text.startswith("traverse complete")


def test_vef2_when_inside_without_edge_touch_then_rotation_only():
    vef = _vef()
    vef.on_print(ny(9, 30), tk(4990.00))
    assert vef.status().active == ("VEF2",)


def test_vef4_when_accepted_above_vah_then_bvp_to_upside_ref_and_vef7_when_reached():
    vef = _vef()
    vef.on_print(ny(9, 30), tk(5002.00))
    vef.on_period_end(_period("A", ny(9, 30), 5001.00, 5004.00, 5003.00))
    vef.on_period_end(_period("B", ny(10, 0), 5000.00, 5005.00, 5004.00))
    assert vef.events[-1].code == "VEF4"
    assert vef.events[-1].target_tick == tk(5010)
    assert vef.status().directional == 1
    vef.on_print(ny(10, 35), tk(5010.00))
    assert vef.events[-1].code == "VEF7"
    assert vef.status().targets_done


def test_vef3_when_accepted_outside_whole_composite_then_previous_balance():
    vef = ValueExpectations(
        VAL, POC, VAH, range_low=tk(4975), range_high=tk(5004), upside_ref=tk(5010)
    )
    vef.on_print(ny(9, 30), tk(5006.00))
    vef.on_period_end(_period("A", ny(9, 30), 5005.00, 5007.00, 5006.00))
    vef.on_period_end(_period("B", ny(10, 0), 5004.75, 5008.00, 5007.00))
    assert [e.code for e in vef.events] == ["VEF4", "VEF3"]
    assert vef.status().active == ("VEF3",)


def test_vef5_when_poc_holds_two_periods_after_traverse_armed_then_breakout_watch():
    vef = _vef()
    vef.on_print(ny(9, 30), tk(4979.75))
    vef.on_print(ny(9, 40), tk(4985.00))
    vef.on_period_end(_period("A", ny(9, 30), 4979.75, 4988.00, 4985.00), tk(4990.25))
    vef.on_period_end(_period("B", ny(10, 0), 4984.00, 4993.00, 4989.00), tk(4989.50))
    assert vef.events[-1].code == "VEF5"
    status = vef.status()
    assert status.breakout_watch and status.traverse_target is None


def test_vef6_when_two_periods_overlap_below_val_then_value_building_below():
    vef = _vef()
    vef.on_print(ny(9, 30), tk(4978.00))
    vef.on_period_end(_period("A", ny(9, 30), 4976.00, 4981.00, 4978.00))
    vef.on_period_end(_period("B", ny(10, 0), 4975.00, 4979.50, 4977.00))
    assert [e.code for e in vef.events] == ["VEF6"]
    assert vef.status().directional == -1
    assert vef.status().directional_target == tk(4970)


def test_vef6_when_developing_poc_above_vah_then_value_building_above():
    vef = _vef()
    vef.on_period_end(_period("A", ny(9, 30), 4998.00, 5004.00, 5003.00), tk(5001.00))
    assert [e.code for e in vef.events] == ["VEF6"]


def test_vef4_when_accepted_back_inside_then_balance_again():
    vef = _vef()
    vef.on_period_end(_period("A", ny(9, 30), 5001.00, 5004.00, 5003.00))
    vef.on_period_end(_period("B", ny(10, 0), 5000.00, 5005.00, 5004.00))
    vef.on_period_end(_period("C", ny(10, 30), 4995.00, 5000.25, 4996.00))
    vef.on_period_end(_period("D", ny(11, 0), 4994.00, 4999.00, 4997.00))
    assert vef.events[-1].code == "VEF4" and vef.events[-1].direction == 0
    assert vef.status().directional == 0


def test_vef_event_when_round_tripped_through_dict_then_equal():
    event = VefEvent(5, "VEF1", 1, None, "opened above value")
    assert event.to_dict() == {
        "ts_ns": 5,
        "code": "VEF1",
        "direction": 1,
        "target_tick": None,
        "text": "opened above value",
    }
    assert VefEvent.from_dict(event.to_dict()) == event
