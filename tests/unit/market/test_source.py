"""`Source.at` classifies a path once for every reader: Lean minute folders and DBN files."""

from __future__ import annotations

import pytest

from orderflow_lib.core.errors import DataError
from orderflow_lib.market.readers import Source
from orderflow_lib.market.readers.source import is_dbn


def test_source_when_folder_of_lean_day_zips_then_lean_at_that_folder(tmp_path):
    (tmp_path / "20131014_trade.zip").write_bytes(b"")

    assert Source.at(tmp_path) == Source("lean", tmp_path)


def test_source_when_folder_has_minute_subfolder_then_lean_at_the_subfolder(tmp_path):
    (tmp_path / "minute").mkdir()

    assert Source.at(tmp_path) == Source("lean", tmp_path / "minute")


def test_source_when_folder_of_dbn_files_then_dbn_with_those_files_in_name_order(tmp_path):
    for name in ("b.dbn.zst", "a.dbn", "notes.txt"):
        (tmp_path / name).write_bytes(b"")

    source = Source.at(tmp_path)

    assert source.kind == "dbn"
    assert [p.name for p in source.files] == ["a.dbn", "b.dbn.zst"]


def test_source_when_single_file_then_dbn_of_that_file(tmp_path):
    file = tmp_path / "day.dbn.zst"
    file.write_bytes(b"")

    assert Source.at(file).files == [file]


def test_source_when_missing_or_unknown_folder_then_data_error_naming_it(tmp_path):
    (tmp_path / "notes.txt").write_text("x")

    with pytest.raises(DataError, match="does not exist"):
        Source.at(tmp_path / "nope")
    with pytest.raises(DataError, match="expected a Lean minute folder"):
        Source.at(tmp_path)


def test_is_dbn_when_names_then_only_dbn_endings():
    assert [is_dbn(n) for n in ("x.dbn", "x.dbn.zst", "x.parquet", "x.zip")] == [
        True,
        True,
        False,
        False,
    ]
