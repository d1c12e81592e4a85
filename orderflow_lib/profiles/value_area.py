"""Value area and POC rules (spec §2.3-§2.4) and the `ValueArea` contract object.

`ValueAreaRules` holds the configurable choices (percentage as an exact fraction, dual/single
rows, pair-tie rule, POC tie rules); `value_area_of_ladder` applies them to a zero-filled ladder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from orderflow_lib.core.config import ES_TICK_SIZE, ProfileSettings
from orderflow_lib.core.plain import plain_dict, ratio_text
from orderflow_lib.kernels.profile_value_area import (
    POC_CENTRE_ROWS,
    POC_CENTRE_TRADES,
    POC_HIGHEST,
    POC_LOWEST,
    TIE_BOTH,
    TIE_DOWN,
    TIE_UP,
    _poc,
    _value_area,
)
from orderflow_lib.profiles.ladder import price_of

MAX_PCT_DENOMINATOR = 2**31 - 1

_METHODS = {"dual": "dual", "dual_row": "dual", "single": "single", "single_row": "single"}
_TIES = {"both": TIE_BOTH, "up": TIE_UP, "down": TIE_DOWN}
_POC_TIES = {"closest_to_center": "closest_to_center", "lower": "lower", "upper": "upper"}
_POC_FINALS = {"lower": "lower", "higher": "higher", "upper": "higher"}
_MID_BASES = {"rows": "rows", "trades": "trades", "ticks": "trades"}


def check_pct(pct: float | int | str | Fraction | Decimal) -> Fraction:
    """The value-area percentage as an exact fraction in (0, 1]; anything else is refused by name."""
    if isinstance(pct, bool):
        raise ValueError(f"pct must be a number in (0, 1], was {pct!r}")
    try:
        value = pct if isinstance(pct, Fraction) else Fraction(str(pct))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"pct must be a number in (0, 1], was {pct!r}") from exc
    if not 0 < value <= 1:
        raise ValueError(f"pct must be in (0, 1], was {pct!r}")
    if value.denominator > MAX_PCT_DENOMINATOR:
        raise ValueError(f"pct must have at most 9 decimal digits, was {pct!r}")
    return value


def _pick(options: dict[str, Any], value: str, name: str) -> Any:
    key = str(value).lower()
    if key not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}, was {value!r}")
    return options[key]


@dataclass(frozen=True, slots=True)
class ValueAreaRules:
    """The value-area and POC choices of spec §2.3-§2.4 (defaults = spec §10 `profile.*`)."""

    pct: Fraction = Fraction(7, 10)
    method: str = "dual"
    tie: str = "both"
    poc_tie: str = "closest_to_center"
    poc_tie_final: str = "lower"
    poc_mid_basis: str = "rows"
    tpo_poc_tiebreak_volume: bool = False

    @classmethod
    def make(
        cls,
        pct: float | int | str | Fraction | Decimal = Fraction(7, 10),
        method: str = "dual",
        tie: str = "both",
        poc_tie: str = "closest_to_center",
        poc_tie_final: str = "lower",
        poc_mid_basis: str = "rows",
        tpo_poc_tiebreak_volume: bool = False,
    ) -> ValueAreaRules:
        """Validated rules; accepts the spec's names and the settings' spellings (DUAL_ROW, upper...)."""
        return cls(
            pct=check_pct(pct),
            method=_pick(_METHODS, method, "method"),
            tie=_pick({name: name for name in _TIES}, tie, "tie"),
            poc_tie=_pick(_POC_TIES, poc_tie, "poc_tie"),
            poc_tie_final=_pick(_POC_FINALS, poc_tie_final, "poc_tie_final"),
            poc_mid_basis=_pick(_MID_BASES, poc_mid_basis, "poc_mid_basis"),
            tpo_poc_tiebreak_volume=bool(tpo_poc_tiebreak_volume),
        )

    @classmethod
    def from_settings(cls, settings: ProfileSettings) -> ValueAreaRules:
        """Rules from the `profile` settings section."""
        return cls.make(
            pct=settings.va_pct,
            method=settings.va_method,
            tie=settings.va_tie,
            poc_tie=settings.poc_tie,
            poc_tie_final=settings.poc_tie_final,
            poc_mid_basis=settings.poc_mid_basis,
            tpo_poc_tiebreak_volume=settings.tpo_poc_tiebreak_volume,
        )

    @property
    def width(self) -> int:
        """Rows added per side per step: 2 for the dual-row method, 1 for single."""
        return 2 if self.method == "dual" else 1

    @property
    def tie_code(self) -> int:
        """Kernel code of the pair-tie rule."""
        return _TIES[self.tie]

    @property
    def poc_rule_code(self) -> int:
        """Kernel code of the POC tie rule."""
        if self.poc_tie == "lower":
            return POC_LOWEST
        if self.poc_tie == "upper":
            return POC_HIGHEST
        return POC_CENTRE_TRADES if self.poc_mid_basis == "trades" else POC_CENTRE_ROWS

    @property
    def final_higher(self) -> bool:
        """True when a tie that survives the distance rule goes to the higher row."""
        return self.poc_tie_final == "higher"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (the fraction as 'num/den' text)."""
        return plain_dict(self, fraction=ratio_text)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValueAreaRules:
        """Inverse of `to_dict`."""
        return cls.make(**data)


DEFAULT_RULES = ValueAreaRules()


@dataclass(frozen=True, slots=True)
class ValueArea:
    """A value area: POC, VAL, VAH as decimal prices (and as ticks), captured volume and total.

    `volume` is what the value area captured (TPOs when `basis` is "TPO"); `total` the profile's.
    VAL is the lowest tick of its row and VAH the highest tick of its row (spec §2.4).
    """

    poc: float
    val: float
    vah: float
    volume: int
    total: int
    poc_ticks: int
    val_ticks: int
    vah_ticks: int
    tick_size: float = ES_TICK_SIZE
    pct: Fraction = Fraction(7, 10)
    method: str = "dual"
    basis: str = "VOLUME"
    as_of_ns: int | None = field(default=None, compare=True)

    @classmethod
    def from_ticks(
        cls,
        poc_ticks: int,
        val_ticks: int,
        vah_ticks: int,
        volume: int,
        total: int,
        tick_size: float = ES_TICK_SIZE,
        pct: Fraction = Fraction(7, 10),
        method: str = "dual",
        basis: str = "VOLUME",
        as_of_ns: int | None = None,
    ) -> ValueArea:
        """Build from ticks; the decimal prices are derived from `tick_size`."""
        if not val_ticks <= poc_ticks <= vah_ticks:
            raise ValueError(
                f"value area needs val <= poc <= vah in ticks, was {val_ticks}, {poc_ticks}, {vah_ticks}"
            )
        return cls(
            poc=price_of(poc_ticks, tick_size),
            val=price_of(val_ticks, tick_size),
            vah=price_of(vah_ticks, tick_size),
            volume=int(volume),
            total=int(total),
            poc_ticks=int(poc_ticks),
            val_ticks=int(val_ticks),
            vah_ticks=int(vah_ticks),
            tick_size=float(tick_size),
            pct=pct,
            method=method,
            basis=basis,
            as_of_ns=None if as_of_ns is None else int(as_of_ns),
        )

    @property
    def width_ticks(self) -> int:
        """Ticks covered, both edges included: vah - val + 1 (spec §0.1)."""
        return self.vah_ticks - self.val_ticks + 1

    @property
    def captured(self) -> Fraction:
        """Share of the total inside the value area, exactly."""
        return Fraction(self.volume, self.total)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict: ticks are the source of truth, prices are included for people."""
        return {"kind": "value_area", **plain_dict(self, fraction=ratio_text)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValueArea:
        """Inverse of `to_dict` (prices are re-derived from the ticks)."""
        return cls.from_ticks(
            poc_ticks=int(data["poc_ticks"]),
            val_ticks=int(data["val_ticks"]),
            vah_ticks=int(data["vah_ticks"]),
            volume=int(data["volume"]),
            total=int(data["total"]),
            tick_size=float(data["tick_size"]),
            pct=Fraction(str(data["pct"])),
            method=str(data["method"]),
            basis=str(data["basis"]),
            as_of_ns=None if data.get("as_of_ns") is None else int(data["as_of_ns"]),
        )


@dataclass(frozen=True, slots=True)
class LadderValue:
    """Kernel result on ladder rows: POC row, VA rows, captured and total."""

    poc_row: int
    lo_row: int
    hi_row: int
    captured: int
    total: int


def poc_row(
    volumes: np.ndarray,
    rules: ValueAreaRules,
    base_row: int,
    row_ticks: int,
    traded_low: int,
    traded_high: int,
    secondary: np.ndarray | None = None,
) -> int:
    """Index of the POC row of a non-empty ladder under `rules` (secondary breaks primary ties)."""
    use_secondary = secondary is not None
    second = secondary if secondary is not None else volumes
    return int(
        _poc(
            volumes,
            second,
            use_secondary,
            rules.poc_rule_code,
            rules.final_higher,
            base_row,
            row_ticks,
            traded_low,
            traded_high,
        )
    )


def value_area_of_ladder(
    volumes: np.ndarray,
    rules: ValueAreaRules,
    base_row: int,
    row_ticks: int,
    traded_low: int,
    traded_high: int,
    secondary: np.ndarray | None = None,
) -> LadderValue | None:
    """POC and value area of a zero-filled int64 ladder; None when its total is 0 (spec §8)."""
    if volumes.size == 0 or int(volumes.sum()) == 0:
        return None
    poc = poc_row(volumes, rules, base_row, row_ticks, traded_low, traded_high, secondary)
    lo, hi, captured, total = _value_area(
        volumes, poc, rules.pct.numerator, rules.pct.denominator, rules.width, rules.tie_code
    )
    return LadderValue(int(poc), int(lo), int(hi), int(captured), int(total))
