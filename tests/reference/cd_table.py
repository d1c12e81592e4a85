"""Reference CD table, bar by bar (the rules of `flow.cd_table`)."""

from __future__ import annotations

from orderflow_lib.flow.cd_table import DEFAULT_THRESHOLDS, CdReading, CdThresholds, cd_reading


class CdTableTracker:
    """Incremental CD table: feed each closed bar's close and delta, get the current reading."""

    def __init__(
        self, window: int, lookback: int = 20, thresholds: CdThresholds = DEFAULT_THRESHOLDS
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1 bar, was {window}")
        self.window = window
        self.lookback = lookback
        self.thresholds = thresholds
        self.close: list[int] = []
        self.cum_delta: list[int] = []

    def on_bar(self, close_ticks: int, delta: int) -> CdReading | None:
        """Reading for the window ending at this bar (None until a full window exists)."""
        self.close.append(close_ticks)
        self.cum_delta.append((self.cum_delta[-1] if self.cum_delta else 0) + delta)
        end = len(self.close) - 1
        return cd_reading(
            self.close, self.cum_delta, end, self.window, self.lookback, self.thresholds
        )
