"""Profile shape classification (spec §2.6): P, b, D, B (double distribution), THIN, OTHER.

Every threshold is a `shape.*` setting read as an exact fraction, and every comparison is made
on integers by cross-multiplying (spec §0.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from orderflow_lib.core.config import ShapeSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.plain import plain, plain_dict
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.value_area import DEFAULT_RULES, ValueAreaRules, value_area_of_ladder
from orderflow_lib.profiles.volume import VolumeProfile


@dataclass(frozen=True, slots=True)
class ShapeFeatures:
    """The numbers the shape rules read (row index 0 = lowest row)."""

    n_rows: int
    poc_index: int
    poc_pos: Fraction
    va_ratio: Fraction
    lower_share: Fraction
    upper_share: Fraction
    peaks: tuple[int, ...]
    valley_index: int | None
    valley_volume: int | None
    single_print_share: Fraction | None


@dataclass(frozen=True, slots=True)
class ProfileShape:
    """A shape with its features; for B also both sub-POCs and the low-volume node, as ticks."""

    shape: str
    features: ShapeFeatures | None
    sub_poc_ticks: tuple[int, int] | None = None
    lvn_tick: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (fractions as 'num/den' text, the features last)."""
        return {**plain_dict(self, skip=("features",)), "features": plain(self.features)}


def find_peaks(volumes: np.ndarray, peak_min_frac: Fraction) -> list[int]:
    """Row indices that are peaks: v[i] >= v[i-1] and v[i] > v[i+1] (an edge row must exceed its
    one neighbour) and v[i] >= peak_min_frac x max."""
    n = volumes.size
    top = int(volumes.max()) if n else 0
    peaks = []
    for i in range(n):
        v = int(volumes[i])
        if i == 0 and n > 1:
            is_peak = v > volumes[1]
        elif i == n - 1 and n > 1:
            is_peak = v > volumes[n - 2]
        elif 0 < i < n - 1:
            is_peak = v >= volumes[i - 1] and v > volumes[i + 1]
        else:
            is_peak = True
        if is_peak and v * peak_min_frac.denominator >= peak_min_frac.numerator * top:
            peaks.append(i)
    return peaks


def shape_features(
    volumes: np.ndarray,
    poc_index: int,
    va_rows: int,
    settings: ShapeSettings,
    single_print_share: Fraction | None = None,
) -> ShapeFeatures:
    """Features of a non-empty ladder with known POC row and value-area row count."""
    n = int(volumes.size)
    total = int(volumes.sum())
    k = n // 3
    peaks = find_peaks(volumes, exact(settings.peak_min_frac))
    ranked = sorted(peaks, key=lambda i: (-int(volumes[i]), i))[:2]
    two = tuple(sorted(ranked))
    valley_index = valley_volume = None
    if len(two) == 2:
        between = volumes[two[0] : two[1] + 1]
        valley_index = two[0] + int(np.argmin(between))
        valley_volume = int(volumes[valley_index])
    return ShapeFeatures(
        n_rows=n,
        poc_index=poc_index,
        poc_pos=Fraction(2 * poc_index + 1, 2 * n),
        va_ratio=Fraction(va_rows, n),
        lower_share=Fraction(int(volumes[:k].sum()), total),
        upper_share=Fraction(int(volumes[n - k :].sum()) if k else 0, total),
        peaks=two,
        valley_index=valley_index,
        valley_volume=valley_volume,
        single_print_share=single_print_share,
    )


def shape_of_features(f: ShapeFeatures, volumes: np.ndarray, settings: ShapeSettings) -> str:
    """Apply the rules of spec §2.6 in order; the first that matches names the shape."""
    s = settings
    if len(f.peaks) == 2 and f.valley_volume is not None:
        p1, p2 = f.peaks
        smaller = min(int(volumes[p1]), int(volumes[p2]))
        separation = p2 - p1
        if (
            f.valley_volume <= exact(s.valley_frac) * smaller
            and separation >= s.min_sep_rows
            and separation >= exact(s.min_sep_frac) * f.n_rows
        ):
            return "B"
    thin_va = exact(s.thin_va_ratio)
    if f.va_ratio >= thin_va or (
        f.single_print_share is not None and f.single_print_share >= exact(s.thin_single_frac)
    ):
        return "THIN"
    major, minor = exact(s.third_major), exact(s.third_minor)
    if f.poc_pos >= exact(s.p_poc_pos) and f.upper_share >= major and f.lower_share <= minor:
        return "P"
    if f.poc_pos <= exact(s.b_poc_pos) and f.lower_share >= major and f.upper_share <= minor:
        return "b"
    if exact(s.d_poc_min) <= f.poc_pos <= exact(s.d_poc_max) and f.va_ratio < thin_va:
        return "D"
    return "OTHER"


def classify_shape(
    profile: VolumeProfile | TpoProfile,
    *,
    tpo: TpoProfile | None = None,
    settings: ShapeSettings | None = None,
    rules: ValueAreaRules = DEFAULT_RULES,
) -> ProfileShape:
    """Shape of a volume (or TPO) profile; UNDEFINED below `shape.min_rows` rows (spec §2.6, §8).

    `tpo`, when given, supplies the single-print share for the THIN rule.
    """
    settings = settings or ShapeSettings()
    if isinstance(profile, TpoProfile):
        ladder = profile.counts
        low, high = profile.low_tick, profile.high_tick
    else:
        ladder = profile.volumes
        low, high = profile.low_tick, profile.high_tick
    if ladder.size < settings.min_rows or low is None or high is None:
        return ProfileShape("UNDEFINED", None)
    value = value_area_of_ladder(ladder, rules, profile.base_row, profile.row_ticks, low, high)
    if value is None:
        return ProfileShape("UNDEFINED", None)
    singles = None
    if tpo is not None and not tpo.is_empty:
        singles = Fraction(int((tpo.counts == 1).sum()), tpo.n_rows)
    features = shape_features(
        ladder, value.poc_row, value.hi_row - value.lo_row + 1, settings, singles
    )
    shape = shape_of_features(features, ladder, settings)
    if shape != "B":
        return ProfileShape(shape, features)
    rt = profile.row_ticks
    p1, p2 = features.peaks
    assert features.valley_index is not None
    return ProfileShape(
        shape,
        features,
        sub_poc_ticks=((profile.base_row + p1) * rt, (profile.base_row + p2) * rt),
        lvn_tick=(profile.base_row + features.valley_index) * rt,
    )
