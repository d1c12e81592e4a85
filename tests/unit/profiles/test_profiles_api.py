"""The public surface of orderflow_lib.profiles (ARCHITECTURE.md contract) behind a tested __all__."""

import dataclasses
import inspect

import orderflow_lib.profiles as profiles
from orderflow_lib.profiles import ValueArea, VolumeProfile


def test_all_when_listed_then_every_name_importable_sorted_and_no_private_or_extra():
    assert all(hasattr(profiles, name) for name in profiles.__all__)
    assert len(set(profiles.__all__)) == len(profiles.__all__)
    assert not [name for name in profiles.__all__ if name.startswith("_")]
    public = {
        name
        for name, value in vars(profiles).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(profiles.__all__)


def test_contract_when_from_trades_and_from_levels_then_signature_as_documented():
    trades = inspect.signature(VolumeProfile.from_trades).parameters
    levels = inspect.signature(VolumeProfile.from_levels).parameters
    assert list(trades)[:3] == ["prices", "sizes", "tick_size"]
    assert trades["tick_size"].default == 0.25
    assert list(levels)[:3] == ["prices", "volumes", "tick_size"]
    value_area = inspect.signature(VolumeProfile.value_area).parameters
    assert (value_area["pct"].default, value_area["method"].default) == (0.70, "dual")


def test_contract_when_value_area_then_fields_start_poc_val_vah_volume_total():
    names = [f.name for f in dataclasses.fields(ValueArea)]
    assert names[:5] == ["poc", "val", "vah", "volume", "total"]
    va = VolumeProfile.from_trades([5000.0, 5000.25], [1, 3], tick_size=0.25).value_area(
        0.70, method="dual"
    )
    poc, val, vah, volume, total = (va.poc, va.val, va.vah, va.volume, va.total)
    assert (poc, val, vah, volume, total) == (5000.25, 5000.25, 5000.25, 3, 4)
