"""Key levels (spec §5.1, §5.5): one list of named prices, each with where it came from.

Prior day high/low/close/settlement and value, overnight high/low/mid/POC/VWAP, initial balance,
composite (CVA) and daily (DVA) edges and POC, VWAP bands, naked POCs of recent sessions, stacked
archive levels and the breakout references.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from orderflow_lib.auction.inventory import OvernightStats
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.plain import PlainRecord
from orderflow_lib.profiles.archive import BreakoutRefs, StackedLevel, mean_tick_half_up
from orderflow_lib.profiles.ladder import price_of
from orderflow_lib.profiles.migration import ValueLevels

GROUP_ORDER = ("ref", "stacked", "prior", "on", "ib", "cva", "cva_incl", "dva", "vwap", "naked_poc")


@dataclass(frozen=True, slots=True)
class KeyLevel(PlainRecord):
    """A named price level (ticks), its group and its source (session, composite, archive)."""

    name: str
    tick: int
    group: str
    source: str

    def price(self, tick_size: float = ES_TICK_SIZE) -> float:
        """Decimal price."""
        return price_of(self.tick, tick_size)

    def to_dict(self, tick_size: float = ES_TICK_SIZE) -> dict[str, Any]:
        """Plain dict (ticks and price)."""
        return {
            "name": self.name,
            "tick": self.tick,
            "price": self.price(tick_size),
            "group": self.group,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class SessionLevels(PlainRecord):
    """One RTH session's facts in ticks: range, open, close, settlement, value area and VWAP."""

    date: dt.date
    open_tick: int
    high_tick: int
    low_tick: int
    close_tick: int
    val_ticks: int
    poc_ticks: int
    vah_ticks: int
    vwap_ticks: float
    sigma_ticks: float
    settlement_tick: int | None = None
    short: bool = False

    @property
    def settlement_or_close(self) -> int:
        """The settlement, or the last RTH trade when the source has none (spec §0.2)."""
        return self.close_tick if self.settlement_tick is None else self.settlement_tick


def nearest_tick(value: float) -> int:
    """A continuous price in ticks (VWAP, bands) rounded to the nearest tick, halves up."""
    return math.floor(value + 0.5)


def naked_pocs(
    pocs: Sequence[tuple[dt.date, int, int]],
    ts_ns: np.ndarray,
    low_ticks: np.ndarray,
    high_ticks: np.ndarray,
) -> list[tuple[dt.date, int]]:
    """POCs (date, tick) that no later trading has touched.

    `pocs` holds (session date, POC tick, the session's RTH close ns); the trading after it is given
    as ranges (trades: low = high = price; bars: their low and high). A POC is touched when a range
    starting at or after that close contains it.
    """
    out = []
    for date, tick, after_ns in pocs:
        later = ts_ns >= after_ns
        touched = bool(np.any(later & (low_ticks <= tick) & (high_ticks >= tick)))
        if not touched:
            out.append((date, tick))
    return out


def vwap_levels(
    vwap_ticks: float, sigma_ticks: float, mults: Iterable[float], *, prefix: str, source: str
) -> list[KeyLevel]:
    """VWAP and its +/- m sigma bands as levels rounded to the nearest tick (NaN VWAP: none)."""
    if math.isnan(vwap_ticks):
        return []
    out = [KeyLevel(prefix, nearest_tick(vwap_ticks), "vwap", source)]
    if math.isnan(sigma_ticks):
        return out
    for m in mults:
        out.append(
            KeyLevel(
                f"{prefix}+{m:g}sd", nearest_tick(vwap_ticks + m * sigma_ticks), "vwap", source
            )
        )
        out.append(
            KeyLevel(
                f"{prefix}-{m:g}sd", nearest_tick(vwap_ticks - m * sigma_ticks), "vwap", source
            )
        )
    return out


def _value(levels: ValueLevels, prefix: str, group: str, source: str) -> list[KeyLevel]:
    return [
        KeyLevel(f"{prefix}_vah", levels.vah_ticks, group, source),
        KeyLevel(f"{prefix}_poc", levels.poc_ticks, group, source),
        KeyLevel(f"{prefix}_val", levels.val_ticks, group, source),
    ]


def collect_levels(
    *,
    prior: SessionLevels | None = None,
    overnight: OvernightStats | None = None,
    overnight_source: str = "ON",
    ib: tuple[int, int] | None = None,
    cva: ValueLevels | None = None,
    cva_source: str = "CVA",
    cva_incl_prior: ValueLevels | None = None,
    cva_incl_source: str = "CVA incl. prior day",
    dva: ValueLevels | None = None,
    dva_source: str = "developing value",
    vwap: tuple[float, float] | None = None,
    vwap_mults: Iterable[float] = (1.0, 2.0),
    naked: Iterable[tuple[dt.date, int]] = (),
    stacked: Iterable[StackedLevel] = (),
    refs: BreakoutRefs | None = None,
) -> list[KeyLevel]:
    """The one list of key levels, highest price first (ties in `GROUP_ORDER`)."""
    out: list[KeyLevel] = []
    if prior is not None:
        src = f"prior RTH {prior.date.isoformat()}"
        out += [
            KeyLevel("prior_high", prior.high_tick, "prior", src),
            KeyLevel("prior_low", prior.low_tick, "prior", src),
            KeyLevel("prior_close", prior.close_tick, "prior", src),
            KeyLevel(
                "prior_settlement",
                prior.settlement_or_close,
                "prior",
                src
                if prior.settlement_tick is not None
                else f"{src} (last RTH trade, no settlement)",
            ),
            *_value(prior, "prior", "prior", src),
        ]
        out += vwap_levels(
            prior.vwap_ticks, prior.sigma_ticks, vwap_mults, prefix="prior_vwap", source=src
        )
    if overnight is not None:
        out += [
            KeyLevel("on_high", overnight.on_high, "on", overnight_source),
            KeyLevel("on_low", overnight.on_low, "on", overnight_source),
            KeyLevel(
                "on_mid",
                mean_tick_half_up([overnight.on_high, overnight.on_low]),
                "on",
                overnight_source,
            ),
            KeyLevel("on_poc", overnight.on_poc, "on", overnight_source),
            KeyLevel("on_vwap", nearest_tick(overnight.on_vwap), "on", overnight_source),
        ]
    if ib is not None:
        out += [
            KeyLevel("ib_high", ib[1], "ib", "initial balance"),
            KeyLevel("ib_low", ib[0], "ib", "initial balance"),
        ]
    if cva is not None:
        out += _value(cva, "cva", "cva", cva_source)
    if cva_incl_prior is not None:
        out += _value(cva_incl_prior, "cva_incl", "cva_incl", cva_incl_source)
    if dva is not None:
        out += _value(dva, "dva", "dva", dva_source)
    if vwap is not None:
        out += vwap_levels(vwap[0], vwap[1], vwap_mults, prefix="vwap", source="session VWAP")
    out += [
        KeyLevel("naked_poc", tick, "naked_poc", f"RTH POC {d.isoformat()}, untested")
        for d, tick in naked
    ]
    for level in stacked:
        out.append(
            KeyLevel(
                "stacked",
                level.tick,
                "stacked",
                f"{len(level.members)} archived {'/'.join(level.types)} levels, "
                f"{level.distinct_sessions} sessions, last {level.last_seen.isoformat()}",
            )
        )
    if refs is not None:
        out.append(KeyLevel("upside_ref", refs.upside.tick, "ref", refs.upside.source))
        out.append(KeyLevel("downside_ref", refs.downside.tick, "ref", refs.downside.source))
    return sorted(out, key=lambda k: (-k.tick, GROUP_ORDER.index(k.group), k.name))
