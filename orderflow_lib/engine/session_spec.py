"""The windows of one trade date that a session's engines need: Globex open and close, RTH, the
VWAP anchor and the initial balance (UTC ns), from the exchange calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.calendar import SessionCalendar

_IB_MINUTES: Final = 60


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """The windows of one trade date the engines need (UTC ns)."""

    trade_date: date
    contract: str
    source: str
    open_ns: int
    close_ns: int
    rth_open_ns: int | None
    rth_close_ns: int | None
    vwap_anchor_ns: int | None

    @property
    def ib_end_ns(self) -> int | None:
        """End of the initial balance (first RTH hour)."""
        return None if self.rth_open_ns is None else self.rth_open_ns + _IB_MINUTES * NS_PER_MINUTE

    @classmethod
    def for_date(
        cls,
        trade_date: date,
        contract: str,
        source: str,
        calendar: SessionCalendar,
        vwap_anchor: str = "rth_open",
    ) -> SessionSpec:
        """The spec of a CME trade date from the exchange calendar."""
        window = calendar.globex_window(trade_date)
        rth = calendar.rth_session(trade_date)
        rth_open = None if rth is None else int(rth.rth_open_ns)
        anchor = int(window.open_ns) if vwap_anchor == "globex_open" else rth_open
        return cls(
            trade_date,
            contract,
            source,
            int(window.open_ns),
            int(window.close_ns),
            rth_open,
            None if rth is None else int(rth.rth_close_ns),
            anchor,
        )
