"""Key levels (spec §5.1/§5.5): naked POCs, VWAP bands, one sorted list with names and sources."""

import datetime as dt
import json

import numpy as np
from auction_builders import tk

from orderflow_lib.auction.inventory import OvernightStats
from orderflow_lib.auction.levels import (
    KeyLevel,
    SessionLevels,
    collect_levels,
    naked_pocs,
    nearest_tick,
    vwap_levels,
)
from orderflow_lib.profiles.archive import BreakoutRefs, Ref
from orderflow_lib.profiles.migration import Levels

D1, D2 = dt.date(2024, 3, 4), dt.date(2024, 3, 5)
PRIOR = SessionLevels(
    D2, tk(5001), tk(5010), tk(4995), tk(5008), tk(4998), tk(5003), tk(5006), tk(5004.1), 8.0
)


def test_naked_pocs_when_later_range_covers_one_poc_then_only_the_other_is_naked():
    pocs = [(D1, tk(5000), 100), (D2, tk(5020), 200)]
    ts = np.array([150, 250, 300], dtype=np.int64)
    lows = np.array([tk(5015), tk(4999), tk(5010)], dtype=np.int64)
    highs = np.array([tk(5025), tk(5002), tk(5019.75)], dtype=np.int64)
    assert naked_pocs(pocs, ts, lows, highs) == [(D2, tk(5020))]


def test_naked_pocs_when_touch_happened_before_the_session_closed_then_still_naked():
    pocs = [(D1, tk(5000), 100)]
    naked = naked_pocs(pocs, np.array([50]), np.array([tk(4999)]), np.array([tk(5001)]))
    assert naked == [(D1, tk(5000))]


def test_vwap_levels_when_sigma_given_then_bands_rounded_to_ticks():
    levels = vwap_levels(20000.4, 3.2, [1.0], prefix="vwap", source="x")
    assert [(k.name, k.tick) for k in levels] == [
        ("vwap", 20000),
        ("vwap+1sd", 20004),
        ("vwap-1sd", 19997),
    ]
    assert vwap_levels(float("nan"), 1.0, [1.0], prefix="vwap", source="x") == []


def test_nearest_tick_when_half_then_up():
    assert nearest_tick(10.5) == 11
    assert nearest_tick(-10.5) == -10


def test_collect_levels_when_prior_without_settlement_then_settlement_is_the_close_and_says_so():
    levels = collect_levels(prior=PRIOR, vwap_mults=())
    by_name = {k.name: k for k in levels}
    assert by_name["prior_settlement"].tick == by_name["prior_close"].tick == tk(5008)
    assert "no settlement" in by_name["prior_settlement"].source
    assert by_name["prior_vah"].tick == tk(5006)
    assert [k.tick for k in levels] == sorted((k.tick for k in levels), reverse=True)


def test_collect_levels_when_every_source_given_then_one_list_with_groups():
    on = OvernightStats(tk(5012), tk(5004), (tk(5012) + tk(5004)) / 2, tk(5007), 20029.6, 32, 1000)
    refs = BreakoutRefs(Ref(tk(5030), "ARCHIVE"), Ref(tk(4970), "MEASURED"))
    levels = collect_levels(
        prior=PRIOR,
        overnight=on,
        ib=(tk(5000), tk(5009)),
        cva=Levels(tk(4980), tk(5000), tk(4990)),
        naked=[(D1, tk(4985))],
        refs=refs,
    )
    groups = {k.group for k in levels}
    assert groups == {"prior", "vwap", "on", "ib", "cva", "naked_poc", "ref"}
    assert KeyLevel("upside_ref", tk(5030), "ref", "ARCHIVE") in levels
    assert {k.name: k.tick for k in levels}["on_mid"] == tk(5008)


def test_key_level_when_round_tripped_through_dict_then_equal():
    level = KeyLevel("cva_vah", tk(5000), "cva", "CVA 2024-02-27..2024-03-04")
    assert KeyLevel.from_dict(level.to_dict()) == level
    assert level.to_dict()["price"] == 5000.0


def test_session_levels_when_round_tripped_through_json_then_equal_with_iso_date():
    data = json.loads(json.dumps(PRIOR.to_dict()))
    assert data["date"] == "2024-03-05" and list(data)[-2:] == ["settlement_tick", "short"]
    assert SessionLevels.from_dict(data) == PRIOR


def test_breakout_refs_when_to_dict_then_spec_names_and_round_trip():
    refs = BreakoutRefs(Ref(tk(5010), "STACKED"), Ref(tk(4990), "MEASURED"))
    data = refs.to_dict()
    assert data == {
        "upside_ref": {"tick": tk(5010), "source": "STACKED"},
        "downside_ref": {"tick": tk(4990), "source": "MEASURED"},
    }
    assert BreakoutRefs.from_dict(data) == refs
