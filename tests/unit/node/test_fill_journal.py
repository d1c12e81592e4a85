"""The local fill journal: appended and fsynced, read back in order, a torn last line skipped and
the next append still readable, acknowledged fills dropped (the file goes when none is left)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow_lib.node.fill_journal import FillJournal, fill_journal_path
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import FillRecord


def _fill(n: int, quantity: int = 1) -> FillRecord:
    return FillRecord(
        f"replay:o{n}:PAPER-FILL-{n}", f"replay:o{n}", "MES", OrderAction.BUY, quantity,
        24_000 + n, 0.0, "USD", 1_700_000_000_000_000_000 + n,
    )  # fmt: skip


def test_journal_when_fills_appended_then_read_back_in_order_with_their_source(tmp_path: Path):
    journal = FillJournal(fill_journal_path(tmp_path))

    journal.append("replay", _fill(1))
    journal.append("live", _fill(2, quantity=3))

    assert journal.pending() == [("replay", _fill(1)), ("live", _fill(2, quantity=3))]
    assert journal.path == tmp_path / "fills_journal.jsonl"


def test_journal_when_last_line_torn_then_skipped_and_the_next_append_kept(tmp_path: Path):
    journal = FillJournal(tmp_path / "fills.jsonl")
    journal.append("replay", _fill(1))
    with open(journal.path, "ab") as out:
        out.write(b'{"source":"replay","exec_id":"replay:o2:PAP')

    assert journal.pending() == [("replay", _fill(1))]
    journal.append("replay", _fill(3))
    assert journal.pending() == [("replay", _fill(1)), ("replay", _fill(3))]


def test_journal_when_a_line_is_not_a_fill_then_only_that_line_skipped(tmp_path: Path):
    journal = FillJournal(tmp_path / "fills.jsonl")
    journal.append("replay", _fill(1))
    with open(journal.path, "ab") as out:
        out.write(b'{"source": "replay", "exec_id": "x"}\n[1, 2]\n')
    journal.append("replay", _fill(2))

    assert journal.pending() == [("replay", _fill(1)), ("replay", _fill(2))]


def test_journal_when_some_acknowledged_then_only_the_rest_left(tmp_path: Path):
    journal = FillJournal(tmp_path / "fills.jsonl")
    for n in range(3):
        journal.append("replay", _fill(n))

    journal.acknowledge({_fill(1).exec_id})

    assert journal.pending() == [("replay", _fill(0)), ("replay", _fill(2))]


def test_journal_when_all_acknowledged_then_file_removed(tmp_path: Path):
    journal = FillJournal(tmp_path / "fills.jsonl")
    journal.append("replay", _fill(1))

    journal.acknowledge({_fill(1).exec_id})

    assert not journal.path.exists()
    assert journal.pending() == []


@settings(max_examples=40, deadline=None)
@given(
    appended=st.lists(st.integers(0, 30), max_size=12),
    acknowledged=st.sets(st.integers(0, 30)),
    torn=st.binary(max_size=40).filter(lambda b: b"\n" not in b),
)
def test_journal_when_appended_torn_and_acknowledged_then_exactly_the_unacknowledged_left(
    tmp_path_factory, appended: list[int], acknowledged: set[int], torn: bytes
):
    journal = FillJournal(tmp_path_factory.mktemp("j") / "fills.jsonl")
    half = len(appended) // 2
    for n in appended[:half]:
        journal.append("replay", _fill(n))
    if torn:
        with open(journal.path, "ab") as out:
            out.write(torn)
    for n in appended[half:]:
        journal.append("replay", _fill(n))

    journal.acknowledge({_fill(n).exec_id for n in acknowledged})

    assert journal.pending() == [("replay", _fill(n)) for n in appended if n not in acknowledged]
