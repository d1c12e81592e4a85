"""Store records refuse bad values before any database work, naming the field and the value."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import (
    CompositeRecord,
    CvaArchiveRecord,
    FillRecord,
    ProfileRecord,
    SignalRecord,
    SystemStatusRecord,
)

DAY = date(2024, 5, 29)


def _profile(**changes: object) -> ProfileRecord:
    fields: dict[str, object] = {
        "trade_date": DAY,
        "kind": "volume",
        "contract": "ESM24",
        "source": "replay",
        "row_ticks": 1,
        "as_of_ns": 0,
        "poc_tick": 20040,
        "val_tick": 20020,
        "vah_tick": 20060,
        "payload": {},
    }
    fields.update(changes)
    return ProfileRecord(**fields)  # type: ignore[arg-type]


def test_profile_when_source_unknown_then_error_names_it() -> None:
    with pytest.raises(ValidationError, match="synthetic, replay, live; was 'paper'"):
        _profile(source="paper")


def test_profile_when_levels_out_of_order_then_error_names_them() -> None:
    with pytest.raises(ValidationError, match="val=20020 poc=20070 vah=20060"):
        _profile(poc_tick=20070)


def test_profile_when_row_ticks_zero_then_error() -> None:
    with pytest.raises(ValidationError, match="row_ticks must be > 0; was 0"):
        _profile(row_ticks=0)


def test_profile_when_payload_holds_numpy_value_then_error() -> None:
    with pytest.raises(ValidationError, match=r"profile\.payload must be plain JSON.*int64"):
        _profile(payload={"poc": np.int64(20040)})


def test_profile_when_payload_holds_nan_then_error() -> None:
    with pytest.raises(ValidationError, match=r"profile\.payload must be plain JSON"):
        _profile(payload={"delta": float("nan")})


def test_profile_payload_is_copied_as_plain_json() -> None:
    payload = {"rows": ((20040, 5),), "va": {"pct": 0.7}}

    record = _profile(payload=payload)

    assert record.payload == {"rows": [[20040, 5]], "va": {"pct": 0.7}}


def test_profile_when_contract_too_long_then_error() -> None:
    with pytest.raises(ValidationError, match="at most 16 characters"):
        _profile(contract="E" * 17)


def test_composite_when_first_date_after_last_then_error() -> None:
    with pytest.raises(
        ValidationError, match="first_date 2024-05-29 is after last_date 2024-05-28"
    ):
        CompositeRecord(
            trade_date=DAY,
            kind="rolling5",
            contract="ESM24",
            source="replay",
            first_date=DAY,
            last_date=date(2024, 5, 28),
            n_days=5,
            row_ticks=1,
            as_of_ns=0,
            poc_tick=None,
            val_tick=None,
            vah_tick=None,
        )


def test_archive_when_days_window_empty_then_error() -> None:
    with pytest.raises(ValidationError, match="days_window must be a non-empty tuple of dates"):
        CvaArchiveRecord(
            trade_date=DAY,
            contract="ESM24",
            source="replay",
            poc_tick=2,
            vah_tick=3,
            val_tick=1,
            width_ticks=2,
            days_window=(),
            character="BALANCE",
            shape="NORMAL",
        )


def test_fill_when_action_unknown_then_error() -> None:
    with pytest.raises(ValidationError, match=r"fill\.action must be BUY or SELL; was 'HOLD'"):
        FillRecord(
            exec_id="E-1",
            order_id=None,
            instrument="MES",
            action="HOLD",  # type: ignore[arg-type]
            quantity=1,
            price_ticks=1,
            commission=0.62,
            currency="USD",
            ts_ns=0,
        )


def test_signal_action_given_as_text_becomes_order_action() -> None:
    signal = SignalRecord("S-1", "live", 0, "MES", "ROTATIONAL", "SELL", 20040)  # type: ignore[arg-type]

    assert signal.action is OrderAction.SELL


def test_status_when_exchange_rate_not_positive_then_error() -> None:
    with pytest.raises(ValidationError, match=r"usd_per_gbp must be > 0; was 0\.0"):
        SystemStatusRecord("live", 0, 100.0, 127.0, 0.0, True, True)
