"""Volume and TPO profiles, value area, shapes, day types, composite (CVA) and daily value (DVA),
value migration and the CVA archive (spec §2-§3). Prices are integer ticks inside; the contract
objects (`ValueArea`, `CVA`) also carry decimal prices."""

from orderflow_lib.profiles.archive import ArchiveEntry, BreakoutRefs, CvaArchive, Ref, StackedLevel
from orderflow_lib.profiles.bars import (
    tpo_profile_from_bar_array,
    tpo_profile_from_bars,
    volume_profile_from_bar_array,
    volume_profile_from_bars,
)
from orderflow_lib.profiles.composite import (
    CVA,
    SessionProfile,
    balance_merge,
    composite,
    cva_for_date,
    is_thin_session,
    merge_profiles,
    sessions_for,
)
from orderflow_lib.profiles.daytype import (
    DayInputs,
    average_range_ticks,
    classify_day_type,
    day_inputs_of,
)
from orderflow_lib.profiles.developing import (
    DEVELOPING_DTYPE,
    DevelopingPoint,
    DevelopingValueArea,
    developing_at,
    developing_value_areas,
)
from orderflow_lib.profiles.dva import (
    DailyValue,
    daily_value,
    daily_value_for,
    session_profile_from_bars,
    session_profile_from_trades,
)
from orderflow_lib.profiles.features import (
    PoorExtreme,
    SingleRun,
    Tail,
    TpoFeatures,
    initial_balance,
    profile_features,
)
from orderflow_lib.profiles.migration import (
    CvaCharacter,
    Levels,
    ValueRelationship,
    character_history,
    cva_character,
    relationship,
)
from orderflow_lib.profiles.periods import Period, make_periods
from orderflow_lib.profiles.serialize import (
    archive_entries_from_frame,
    archive_entries_to_frame,
    cvas_from_frame,
    cvas_to_frame,
    from_plain,
    value_areas_from_frame,
    value_areas_to_frame,
)
from orderflow_lib.profiles.shape import ProfileShape, ShapeFeatures, classify_shape
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.value_area import ValueArea, ValueAreaRules, check_pct
from orderflow_lib.profiles.volume import VolumeProfile

__all__ = [
    "CVA",
    "DEVELOPING_DTYPE",
    "ArchiveEntry",
    "BreakoutRefs",
    "CvaArchive",
    "CvaCharacter",
    "DailyValue",
    "DayInputs",
    "DevelopingPoint",
    "DevelopingValueArea",
    "Levels",
    "Period",
    "PoorExtreme",
    "ProfileShape",
    "Ref",
    "SessionProfile",
    "ShapeFeatures",
    "SingleRun",
    "StackedLevel",
    "Tail",
    "TpoFeatures",
    "TpoProfile",
    "ValueArea",
    "ValueAreaRules",
    "ValueRelationship",
    "VolumeProfile",
    "archive_entries_from_frame",
    "archive_entries_to_frame",
    "average_range_ticks",
    "balance_merge",
    "character_history",
    "check_pct",
    "classify_day_type",
    "classify_shape",
    "composite",
    "cva_character",
    "cva_for_date",
    "cvas_from_frame",
    "cvas_to_frame",
    "daily_value",
    "daily_value_for",
    "day_inputs_of",
    "developing_at",
    "developing_value_areas",
    "from_plain",
    "initial_balance",
    "is_thin_session",
    "make_periods",
    "merge_profiles",
    "profile_features",
    "relationship",
    "session_profile_from_bars",
    "session_profile_from_trades",
    "sessions_for",
    "tpo_profile_from_bar_array",
    "tpo_profile_from_bars",
    "value_areas_from_frame",
    "value_areas_to_frame",
    "volume_profile_from_bar_array",
    "volume_profile_from_bars",
]
