"""Position reconciliation (pure): where local positions and the broker's disagree."""

from __future__ import annotations

from collections.abc import Mapping


def position_differences(local: Mapping[str, int], broker: Mapping[str, int]) -> list[str]:
    """'MES: local 1 broker 0' for every instrument whose net position differs; empty when they agree."""
    names = sorted(set(local) | set(broker))
    return [
        f"{name}: local {local.get(name, 0)} broker {broker.get(name, 0)}"
        for name in names
        if int(local.get(name, 0)) != int(broker.get(name, 0))
    ]
