"""Volume and TPO profiles, value area, shapes, day types, composite (CVA) and daily value (DVA),
value migration and the CVA archive (spec §2-§3). Prices are integer ticks inside; the contract
objects (`ValueArea`, `CVA`) also carry decimal prices."""

from orderflow_lib.profiles.archive import ArchiveEntry, CvaArchive
from orderflow_lib.profiles.bars import tpo_profile_from_bars, volume_profile_from_bars
from orderflow_lib.profiles.composite import CVA, SessionProfile, composite, cva_for_date
from orderflow_lib.profiles.daytype import classify_day_type
from orderflow_lib.profiles.developing import DevelopingValueArea, developing_value_areas
from orderflow_lib.profiles.dva import DailyValue, daily_value
from orderflow_lib.profiles.features import profile_features
from orderflow_lib.profiles.migration import Levels, cva_character, relationship
from orderflow_lib.profiles.shape import classify_shape
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.value_area import ValueArea, ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile

__all__ = [
    "CVA",
    "ArchiveEntry",
    "CvaArchive",
    "DailyValue",
    "DevelopingValueArea",
    "Levels",
    "SessionProfile",
    "TpoProfile",
    "ValueArea",
    "ValueAreaRules",
    "VolumeProfile",
    "classify_day_type",
    "classify_shape",
    "composite",
    "cva_character",
    "cva_for_date",
    "daily_value",
    "developing_value_areas",
    "profile_features",
    "relationship",
    "tpo_profile_from_bars",
    "volume_profile_from_bars",
]
