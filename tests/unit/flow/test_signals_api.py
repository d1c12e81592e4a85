"""Signal records and the package's public surface."""

from __future__ import annotations

import dataclasses

import pytest

import orderflow_lib.flow as flow
from orderflow_lib.flow.signals import Signal, SignalKind, count_by_kind, sort_signals


def test_signal_when_created_then_immutable_with_frozen_evidence():
    evidence = {"volume": 5}
    signal = Signal(1, SignalKind.PULLING, 1, 100, 0.5, evidence)
    evidence["volume"] = 6

    assert signal.evidence["volume"] == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        signal.price_ticks = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        signal.evidence["volume"] = 7  # type: ignore[index]


def test_signal_when_direction_invalid_then_value_error():
    with pytest.raises(ValueError, match="direction must be"):
        Signal(1, SignalKind.PULLING, 2, 100, 0.5)


def test_signal_when_kind_given_as_text_then_enum_and_hashable():
    signal = Signal(1, "ICEBERG", -1, 100, 2.0)  # type: ignore[arg-type]

    assert signal.kind is SignalKind.ICEBERG
    assert len({signal, Signal(1, SignalKind.ICEBERG, -1, 100, 2.0)}) == 1


def test_count_and_sort_when_mixed_then_by_kind_and_time():
    a = Signal(2, SignalKind.PULLING, 1, 100, 0.5)
    b = Signal(1, SignalKind.ICEBERG, 1, 100, 0.5)

    assert count_by_kind([a, b, a]) == {"ICEBERG": 1, "PULLING": 2}
    assert sort_signals([a, b]) == [b, a]


def test_all_when_imported_then_every_name_exists_and_footprint_is_public():
    missing = [name for name in flow.__all__ if not hasattr(flow, name)]

    assert missing == []
    assert sorted(flow.__all__) == flow.__all__
    assert "footprint" in flow.__all__
    assert len(set(flow.__all__)) == len(flow.__all__)
