"""Value relationships between two value areas (spec §3.3) and the migration character of
successive composites (spec §3.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar, Protocol

from orderflow_lib.core.config import MigrationSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.plain import PlainRecord

RELATIONSHIPS = (
    "UNCHANGED",
    "HIGHER",
    "LOWER",
    "INSIDE",
    "OUTSIDE",
    "OVERLAP_HIGHER",
    "OVERLAP_LOWER",
)
_UP = ("HIGHER", "OVERLAP_HIGHER")
_DOWN = ("LOWER", "OVERLAP_LOWER")


class ValueLevels(Protocol):
    """Anything with POC, VAL and VAH in ticks (ValueArea, CVA, ArchiveEntry, Levels)."""

    @property
    def poc_ticks(self) -> int: ...

    @property
    def val_ticks(self) -> int: ...

    @property
    def vah_ticks(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Levels:
    """Plain POC/VAL/VAH in ticks, e.g. a stored composite."""

    val_ticks: int
    vah_ticks: int
    poc_ticks: int

    @property
    def width_ticks(self) -> int:
        """vah - val + 1."""
        return self.vah_ticks - self.val_ticks + 1


def width_ticks(levels: ValueLevels) -> int:
    """Ticks a value area covers, both edges included (spec §0.1)."""
    return levels.vah_ticks - levels.val_ticks + 1


@dataclass(frozen=True, slots=True)
class ValueRelationship(PlainRecord):
    """How a current value area sits against a reference one (Dalton's seven relationships)."""

    relation: str
    overlap_pct: Fraction
    poc_shift_ticks: int
    mid_shift_ticks: Fraction
    migration_bias: int

    _keys: ClassVar[Mapping[str, str]] = {"relation": "class"}


def classify_relationship(h: int, low: int, ref_h: int, ref_low: int, tol: int) -> str:
    """The relationship class of value (low..h) against reference (ref_low..ref_h), in order."""
    if abs(h - ref_h) <= tol and abs(low - ref_low) <= tol:
        return "UNCHANGED"
    if low > ref_h:
        return "HIGHER"
    if h < ref_low:
        return "LOWER"
    if h <= ref_h and low >= ref_low:
        return "INSIDE"
    if h > ref_h and low < ref_low:
        return "OUTSIDE"
    if h > ref_h:
        return "OVERLAP_HIGHER"
    return "OVERLAP_LOWER"


def relationship(
    current: ValueLevels, reference: ValueLevels, tol: int | None = None
) -> ValueRelationship:
    """Class, overlap share of the current VA, POC shift, midpoint shift and bias (spec §3.3).

    `tol` defaults to `migration.edge_tol_ticks` (1 tick).
    """
    tol = MigrationSettings().edge_tol_ticks if tol is None else tol
    h, low = current.vah_ticks, current.val_ticks
    ref_h, ref_low = reference.vah_ticks, reference.val_ticks
    relation = classify_relationship(h, low, ref_h, ref_low, tol)
    overlap = max(0, min(h, ref_h) - max(low, ref_low) + 1)
    bias = 1 if relation in _UP else -1 if relation in _DOWN else 0
    return ValueRelationship(
        relation=relation,
        overlap_pct=Fraction(overlap, width_ticks(current)),
        poc_shift_ticks=current.poc_ticks - reference.poc_ticks,
        mid_shift_ticks=Fraction((h + low) - (ref_h + ref_low), 2),
        migration_bias=bias,
    )


@dataclass(frozen=True, slots=True)
class CvaCharacter(PlainRecord):
    """Migration character of the newest composite and the bias it implies."""

    character: str
    bias: int
    relationships: tuple[ValueRelationship, ...]
    poc_shift_sum: int


def _bias(character: str, failed_bias: str) -> int:
    if character == "MIGRATING_UP":
        return 1
    if character == "MIGRATING_DOWN":
        return -1
    if failed_bias == "reverse":
        return {"FAILED_UP": -1, "FAILED_DOWN": 1}.get(character, 0)
    return 0


def _inside(tick: int, levels: ValueLevels) -> bool:
    return levels.val_ticks <= tick <= levels.vah_ticks


def cva_character(
    history: Sequence[ValueLevels],
    prev_character: str | None = None,
    settings: MigrationSettings | None = None,
) -> CvaCharacter:
    """Character of the newest composite in `history` (oldest first), spec §3.4.

    `prev_character` is the character stored for the previous session (needed for FAILED_*).
    """
    s = settings or MigrationSettings()
    k = s.character_k
    if len(history) < k + 1:
        return CvaCharacter("UNKNOWN", 0, (), 0)
    window = list(history[-(k + 1) :])
    rels = tuple(relationship(window[i], window[i - 1], s.edge_tol_ticks) for i in range(1, k + 1))
    shift = sum(r.poc_shift_ticks for r in rels)
    newest, oldest, rel_t = window[-1], window[0], rels[-1]
    ups = sum(r.relation in _UP for r in rels)
    downs = sum(r.relation in _DOWN for r in rels)
    if (
        prev_character == "MIGRATING_UP"
        and rel_t.relation in _DOWN
        and _inside(newest.poc_ticks, oldest)
    ):
        character = "FAILED_UP"
    elif (
        prev_character == "MIGRATING_DOWN"
        and rel_t.relation in _UP
        and _inside(newest.poc_ticks, oldest)
    ):
        character = "FAILED_DOWN"
    elif ups >= 2 and shift >= s.min_shift_ticks:
        character = "MIGRATING_UP"
    elif downs >= 2 and -shift >= s.min_shift_ticks:
        character = "MIGRATING_DOWN"
    elif rel_t.relation == "INSIDE" and width_ticks(newest) <= (
        1 - exact(s.contract_frac)
    ) * width_ticks(oldest):
        character = "CONTRACTING"
    elif rel_t.relation == "OUTSIDE":
        character = "EXPANDING"
    else:
        character = "SIDEWAYS"
    return CvaCharacter(character, _bias(character, s.failed_bias), rels, shift)


def character_history(
    history: Sequence[ValueLevels], settings: MigrationSettings | None = None
) -> list[CvaCharacter]:
    """The character after each composite of `history`, each fed the previous one."""
    result: list[CvaCharacter] = []
    for t in range(len(history)):
        prev = result[-1].character if result else None
        result.append(cva_character(history[: t + 1], prev, settings))
    return result
