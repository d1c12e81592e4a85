"""Historical bars for reqHistoricalData: request-field parsing and deterministic synthetic bars
over the CME Globex session (Sun-Fri 17:00-16:00 Central; ``useRTH`` keeps 08:30-15:00 Central).

Holidays and halts are not modelled. Prices are a fixed function of the bar's start time, so the
same request always returns the same bars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from orderflow_lib.core.errors import OrderFlowError
from orderflow_lib.testing.fake_gateway.state import CENTRAL

_DURATION_S = {"S": 1, "D": 86_400, "W": 7 * 86_400, "M": 30 * 86_400, "Y": 365 * 86_400}
_BAR_UNIT_S = {"sec": 1, "secs": 1, "min": 60, "mins": 60, "hour": 3600, "hours": 3600}
MAX_BAR_S = 3600
BarRow = tuple[str, float, float, float, float, float, float, int]


class HistoryRequestError(OrderFlowError):
    """A historical-data request the fake cannot serve (IB would answer error 321)."""


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """The parts of a reqHistoricalData the fake uses."""

    end_s: int
    duration_s: int
    bar_s: int
    use_rth: bool
    format_date: int


def parse_end(text: str, now_s: int) -> int:
    """Epoch seconds of IB's endDateTime text ('' = now; 'YYYYMMDD HH:MM:SS [UTC]' read as UTC)."""
    if not text:
        return now_s
    stamp = text.replace("-", " ").split(" ")
    try:
        dt = datetime.strptime(stamp[0] + " " + stamp[1], "%Y%m%d %H:%M:%S").replace(tzinfo=UTC)
    except (ValueError, IndexError) as exc:
        raise HistoryRequestError(
            f"endDateTime must be 'YYYYMMDD HH:MM:SS UTC', was {text!r}"
        ) from exc
    return int(dt.timestamp())


def parse_duration(text: str) -> int:
    """Seconds of IB's durationStr ('7 D', '1 W', '86400 S')."""
    parts = text.split()
    if len(parts) != 2 or parts[1] not in _DURATION_S or not parts[0].isdigit():
        raise HistoryRequestError(f"durationStr must look like '7 D', was {text!r}")
    return int(parts[0]) * _DURATION_S[parts[1]]


def parse_bar_size(text: str) -> int:
    """Seconds of IB's barSizeSetting ('5 mins', '1 hour'); bars over one hour are not served."""
    parts = text.split()
    if len(parts) != 2 or parts[1] not in _BAR_UNIT_S or not parts[0].isdigit():
        raise HistoryRequestError(f"barSizeSetting must look like '5 mins', was {text!r}")
    seconds = int(parts[0]) * _BAR_UNIT_S[parts[1]]
    if seconds > MAX_BAR_S:
        raise HistoryRequestError(f"bar size must be at most 1 hour, was {text!r}")
    return seconds


def in_session(epoch_s: int, use_rth: bool) -> bool:
    """Whether a bar starting at `epoch_s` lies in the Globex session (or RTH when `use_rth`)."""
    local = datetime.fromtimestamp(epoch_s, CENTRAL)
    weekday, clock = local.weekday(), local.time()
    if use_rth:
        return weekday < 5 and time(8, 30) <= clock < time(15, 0)
    if weekday == 5:
        return False
    if weekday == 6:
        return clock >= time(17, 0)
    if weekday == 4:
        return clock < time(16, 0)
    return not time(16, 0) <= clock < time(17, 0)


def synthetic_bar(start_s: int, bar_s: int) -> tuple[float, float, float, float, float, float, int]:
    """(open, high, low, close, volume, wap, count) of the deterministic bar starting at `start_s`."""
    k = start_s // bar_s
    open_ticks = 24_000 + (k * 7) % 41 - 20
    open_ = open_ticks * 0.25
    return (
        open_,
        open_ + 0.5,
        open_ - 0.5,
        open_ + 0.25,
        float(100 + k % 50),
        open_ + 0.125,
        10 + k % 5,
    )


def date_text(epoch_s: int, format_date: int) -> str:
    """Bar date as IB sends it: epoch seconds (formatDate 2) or Central wall time (formatDate 1)."""
    if format_date == 2:
        return str(epoch_s)
    return datetime.fromtimestamp(epoch_s, CENTRAL).strftime("%Y%m%d %H:%M:%S") + " US/Central"


def bars_for(request: HistoryRequest) -> list[BarRow]:
    """Every session bar whose start lies in [end - duration, end)."""
    start_s = request.end_s - request.duration_s
    first = -(-start_s // request.bar_s) * request.bar_s
    rows: list[BarRow] = []
    for t in range(first, request.end_s, request.bar_s):
        if in_session(t, request.use_rth):
            rows.append((date_text(t, request.format_date), *synthetic_bar(t, request.bar_s)))
    return rows


def range_text(epoch_s: int) -> str:
    """Start/end text of a historicalData message."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y%m%d %H:%M:%S")
