"""Machine-checkable scenario conditions (spec §5.5): ACCEPT_ABOVE(x), ACCEPT_BELOW(x), REJECT_AT(x),
ENTER_VALUE_FROM(side), OPEN_TYPE(t), INVENTORY(label) and AND/OR of these."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.plain import PlainRecord
from orderflow_lib.profiles.ladder import price_of


class ConditionKind(StrEnum):
    """Kinds of condition."""

    ACCEPT_ABOVE = "ACCEPT_ABOVE"
    ACCEPT_BELOW = "ACCEPT_BELOW"
    REJECT_AT = "REJECT_AT"
    ENTER_VALUE_FROM = "ENTER_VALUE_FROM"
    OPEN_TYPE = "OPEN_TYPE"
    INVENTORY = "INVENTORY"
    AND = "AND"
    OR = "OR"


def _side_word(side: int) -> str:
    return "above" if side > 0 else "below"


def _words(label: str) -> str:
    """'OPEN_TEST_DRIVE' as 'open test drive'."""
    return label.lower().replace("_", " ")


@dataclass(frozen=True, slots=True)
class Condition(PlainRecord):
    """One condition. `level_tick` for ACCEPT_*/REJECT_AT; `side` +1/-1 is the probe side of
    REJECT_AT and the side ENTER_VALUE_FROM comes from; `val_ticks`/`vah_ticks` the value area of
    ENTER_VALUE_FROM; `label` the open type or inventory label (with `side` the open direction,
    0 for any); `parts` the operands of AND/OR."""

    kind: ConditionKind
    level_tick: int | None = None
    side: int = 0
    val_ticks: int | None = None
    vah_ticks: int | None = None
    label: str = ""
    parts: tuple[Condition, ...] = ()

    def describe(self, tick_size: float = ES_TICK_SIZE) -> str:
        """The condition as a trader would say it after "if", such as 'price holds above
        5012.00' or 'price pokes below 5000.00 and is pushed back'."""
        k = self.kind
        if k in (ConditionKind.ACCEPT_ABOVE, ConditionKind.ACCEPT_BELOW):
            assert self.level_tick is not None
            side = "above" if k == ConditionKind.ACCEPT_ABOVE else "below"
            return f"price holds {side} {price_of(self.level_tick, tick_size):.2f}"
        if k == ConditionKind.REJECT_AT:
            assert self.level_tick is not None
            return (
                f"price pokes {_side_word(self.side)} {price_of(self.level_tick, tick_size):.2f} "
                "and is pushed back"
            )
        if k == ConditionKind.ENTER_VALUE_FROM:
            assert self.val_ticks is not None and self.vah_ticks is not None
            val, vah = price_of(self.val_ticks, tick_size), price_of(self.vah_ticks, tick_size)
            return (
                f"price comes back {'down' if self.side > 0 else 'up'} into the value area "
                f"{val:.2f}-{vah:.2f} and stays there for two half-hours"
            )
        if k == ConditionKind.OPEN_TYPE:
            way = "" if self.side == 0 else f" {'up' if self.side > 0 else 'down'}"
            return f"the open is an {_words(self.label)}{way}"
        if k == ConditionKind.INVENTORY:
            return f"the overnight inventory is {_words(self.label)}"
        word = " and " if k == ConditionKind.AND else " or "
        return word.join(
            f"({p.describe(tick_size)})" if p.parts else p.describe(tick_size) for p in self.parts
        )


def accept_above(level_tick: int) -> Condition:
    """Acceptance above a level (spec §5.4)."""
    return Condition(ConditionKind.ACCEPT_ABOVE, level_tick=level_tick, side=1)


def accept_below(level_tick: int) -> Condition:
    """Acceptance below a level (spec §5.4)."""
    return Condition(ConditionKind.ACCEPT_BELOW, level_tick=level_tick, side=-1)


def reject_at(level_tick: int, side: int) -> Condition:
    """Rejection of a probe beyond a level on `side` (+1 a probe above, -1 below)."""
    if side not in (1, -1):
        raise ValueError(f"side must be +1 or -1, was {side}")
    return Condition(ConditionKind.REJECT_AT, level_tick=level_tick, side=side)


def enter_value_from(side: int, val_ticks: int, vah_ticks: int) -> Condition:
    """Re-entry into a value area from `side` confirmed by the 80% rule's two periods."""
    if side not in (1, -1):
        raise ValueError(f"side must be +1 or -1, was {side}")
    return Condition(
        ConditionKind.ENTER_VALUE_FROM, side=side, val_ticks=val_ticks, vah_ticks=vah_ticks
    )


def open_type_is(open_type: str, direction: int = 0) -> Condition:
    """The final open-type call is `open_type` (direction 0 for either way)."""
    return Condition(ConditionKind.OPEN_TYPE, label=open_type, side=direction)


def inventory_is(label: str) -> Condition:
    """The overnight inventory label is `label`."""
    return Condition(ConditionKind.INVENTORY, label=label)


def all_of(*parts: Condition) -> Condition:
    """Every part holds (triggers when the last one does)."""
    return Condition(ConditionKind.AND, parts=tuple(parts))


def any_of(*parts: Condition) -> Condition:
    """Any part holds (triggers when the first one does)."""
    return Condition(ConditionKind.OR, parts=tuple(parts))
