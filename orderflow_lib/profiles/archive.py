"""30-day CVA archive, stacked levels and breakout reference levels (spec §3.5)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, ClassVar

import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE, ArchiveSettings
from orderflow_lib.core.plain import PlainRecord
from orderflow_lib.profiles.composite import CVA
from orderflow_lib.profiles.ladder import price_of
from orderflow_lib.profiles.migration import ValueLevels

LEVEL_TYPES = ("VAL", "POC", "VAH")


@dataclass(frozen=True, slots=True)
class ArchiveEntry(PlainRecord):
    """One session's stored composite: its levels in ticks, window, character and shape."""

    date: dt.date
    contract: str
    poc_ticks: int
    vah_ticks: int
    val_ticks: int
    days_window: tuple[dt.date, ...]
    character: str = "UNKNOWN"
    shape: str = "UNDEFINED"

    @property
    def width_ticks(self) -> int:
        """vah - val + 1."""
        return self.vah_ticks - self.val_ticks + 1

    @classmethod
    def from_cva(cls, date: dt.date, cva: CVA, character: str = "UNKNOWN") -> ArchiveEntry:
        """The entry for a session's composite."""
        return cls(
            date,
            cva.contract,
            cva.poc_ticks,
            cva.vah_ticks,
            cva.val_ticks,
            cva.dates,
            character,
            cva.shape,
        )

    def levels(self) -> list[tuple[str, int]]:
        """(type, tick) of the entry's VAL, POC and VAH."""
        return [("VAL", self.val_ticks), ("POC", self.poc_ticks), ("VAH", self.vah_ticks)]

    def shifted(self, ticks: int, contract: str) -> ArchiveEntry:
        """The entry moved into another contract by a calendar spread (spec §1.2)."""
        return replace(
            self,
            contract=contract,
            poc_ticks=self.poc_ticks + ticks,
            vah_ticks=self.vah_ticks + ticks,
            val_ticks=self.val_ticks + ticks,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (dates as ISO text)."""
        return {
            "kind": "archive_entry",
            "date": self.date.isoformat(),
            "contract": self.contract,
            "poc_ticks": self.poc_ticks,
            "vah_ticks": self.vah_ticks,
            "val_ticks": self.val_ticks,
            "width_ticks": self.width_ticks,
            "days_window": [d.isoformat() for d in self.days_window],
            "character": self.character,
            "shape": self.shape,
        }


@dataclass(frozen=True, slots=True)
class StackedLevel(PlainRecord):
    """A price zone where archived composite levels stacked, with its strength."""

    tick: int
    members: tuple[tuple[dt.date, str, int], ...]
    types: tuple[str, ...]
    dominant_character: str
    distinct_sessions: int
    last_seen: dt.date
    strength: Fraction
    age_decay: float


@dataclass(frozen=True, slots=True)
class Ref:
    """A breakout reference level and where it came from (STACKED, ARCHIVE or MEASURED)."""

    tick: int
    source: str

    def price(self, tick_size: float = ES_TICK_SIZE) -> float:
        """Decimal price."""
        return price_of(self.tick, tick_size)


@dataclass(frozen=True, slots=True)
class BreakoutRefs(PlainRecord):
    """The next objectives above and below the current composite."""

    upside: Ref
    downside: Ref

    _keys: ClassVar[Mapping[str, str]] = {"upside": "upside_ref", "downside": "downside_ref"}


def mean_tick_half_up(ticks: list[int]) -> int:
    """Mean of ticks rounded half up, (2 x sum + n) // (2n); never Python's round-half-even."""
    n = len(ticks)
    return (2 * sum(ticks) + n) // (2 * n)


class CvaArchive:
    """The last `archive_days` stored composites, one per session date (newest kept)."""

    def __init__(
        self, entries: Iterable[ArchiveEntry] = (), settings: ArchiveSettings | None = None
    ) -> None:
        self.settings = settings or ArchiveSettings()
        self._entries: dict[dt.date, ArchiveEntry] = {}
        for entry in entries:
            self.add(entry)

    @property
    def entries(self) -> list[ArchiveEntry]:
        """Entries, oldest first."""
        return [self._entries[d] for d in sorted(self._entries)]

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: ArchiveEntry) -> None:
        """Store an entry (replacing one of the same date) and drop the oldest beyond the limit."""
        self._entries[entry.date] = entry
        for old in sorted(self._entries)[: max(0, len(self._entries) - self.settings.archive_days)]:
            del self._entries[old]

    def add_cva(self, date: dt.date, cva: CVA, character: str = "UNKNOWN") -> ArchiveEntry:
        """Store a session's composite with its character; returns the entry."""
        entry = ArchiveEntry.from_cva(date, cva, character)
        self.add(entry)
        return entry

    def converted(self, spread_ticks: int, contract: str) -> CvaArchive:
        """The archive with entries of other contracts shifted into `contract` (spec §1.2)."""
        return CvaArchive(
            (
                e if e.contract == contract else e.shifted(spread_ticks, contract)
                for e in self.entries
            ),
            self.settings,
        )

    def _pooled(self) -> list[tuple[int, str, ArchiveEntry]]:
        return sorted(
            ((tick, kind, e) for e in self.entries for kind, tick in e.levels()),
            key=lambda x: (x[0], x[2].date, LEVEL_TYPES.index(x[1])),
        )

    def stacked_levels(self) -> list[StackedLevel]:
        """Groups of >= 2 pooled POC/VAH/VAL levels within stack_tol_ticks of the group's lowest."""
        s = self.settings
        dates = sorted(self._entries)
        groups: list[list[tuple[int, str, ArchiveEntry]]] = []
        for item in self._pooled():
            if groups and item[0] - groups[-1][0][0] <= s.stack_tol_ticks:
                groups[-1].append(item)
            else:
                groups.append([item])
        result = []
        for group in groups:
            if len(group) < 2:
                continue
            sessions = set().union(*(e.days_window or (e.date,) for _, _, e in group))
            last_seen = max(e.date for _, _, e in group)
            since = sum(d > last_seen for d in dates)
            characters = Counter(e.character for _, _, e in group)
            dominant = max(
                characters,
                key=lambda c: (characters[c], max(e.date for _, _, e in group if e.character == c)),
            )
            result.append(
                StackedLevel(
                    tick=mean_tick_half_up([t for t, _, _ in group]),
                    members=tuple((e.date, kind, t) for t, kind, e in group),
                    types=tuple(k for k in LEVEL_TYPES if any(kind == k for _, kind, _ in group)),
                    dominant_character=dominant,
                    distinct_sessions=len(sessions),
                    last_seen=last_seen,
                    strength=min(Fraction(1), Fraction(len(sessions), s.strength_sessions)),
                    age_decay=0.5 ** (since / s.age_half_life_sessions),
                )
            )
        return result

    def refs(self, current: ValueLevels) -> BreakoutRefs:
        """Upside/downside breakout references for the current composite (spec §3.5 precedence:
        stacked level, then any archived level, then the measured move)."""
        off = self.settings.ref_offset_ticks
        above, below = current.vah_ticks + off, current.val_ticks - off
        stacked = [x.tick for x in self.stacked_levels()]
        archived = [t for t, _, _ in self._pooled()]
        height = current.vah_ticks - current.val_ticks

        def pick(candidates: list[int], up: bool) -> int | None:
            found = [t for t in candidates if (t > above if up else t < below)]
            if not found:
                return None
            return min(found) if up else max(found)

        def ref(up: bool) -> Ref:
            for source, candidates in (("STACKED", stacked), ("ARCHIVE", archived)):
                tick = pick(candidates, up)
                if tick is not None:
                    return Ref(tick, source)
            measured = current.vah_ticks + height if up else current.val_ticks - height
            return Ref(measured, "MEASURED")

        return BreakoutRefs(ref(True), ref(False))

    def to_frame(self) -> pd.DataFrame:
        """One row per entry (columns of `ArchiveEntry.to_dict`)."""
        columns = list(ArchiveEntry(dt.date.min, "", 0, 0, 0, ()).to_dict())
        return pd.DataFrame([e.to_dict() for e in self.entries], columns=columns)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, settings: ArchiveSettings | None = None) -> CvaArchive:
        """Inverse of `to_frame`."""
        rows = ({str(k): v for k, v in row.items()} for row in frame.to_dict("records"))
        return cls((ArchiveEntry.from_dict(row) for row in rows), settings)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict: the settings' archive_days and the entries."""
        return {
            "archive_days": self.settings.archive_days,
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], settings: ArchiveSettings | None = None) -> CvaArchive:
        """Inverse of `to_dict` (archive_days from the dict unless settings are given)."""
        settings = settings or ArchiveSettings(archive_days=int(data["archive_days"]))
        return cls((ArchiveEntry.from_dict(e) for e in data["entries"]), settings)
