"""Fixtures for the safety gate tests."""

import pytest
from risk_fakes import START_NS, FlakyStore, RecordingVenue

from orderflow_lib.core.clock import TestClock


@pytest.fixture
def clock() -> TestClock:
    return TestClock(START_NS)


@pytest.fixture
def store() -> FlakyStore:
    return FlakyStore()


@pytest.fixture
def venue(clock: TestClock) -> RecordingVenue:
    return RecordingVenue(clock)
