"""The `orderflow` commands end to end: backfill against the fake IB gateway, plans on real data,
imports from the current folder."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orderflow_lib.cli import main
from orderflow_lib.testing import FakeGateway

LEAN = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "lean-es-2013" / "minute"


async def test_backfill_command_when_run_twice_then_second_run_stores_nothing_new(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'of.sqlite'}")
    async with FakeGateway(port=0) as gateway:
        monkeypatch.setenv("ORDERFLOW_IB__PORT", str(gateway.port))
        first = await asyncio.wait_for(
            asyncio.to_thread(main, ["backfill", "--historical-days", "2"]), 120
        )
        first_out = capsys.readouterr().out
        second = await asyncio.wait_for(
            asyncio.to_thread(main, ["backfill", "--historical-days", "2"]), 120
        )
        second_out = capsys.readouterr().out
    assert first == second == 0
    assert "records saved" in first_out
    assert "0 changed" not in first_out.splitlines()[0]
    assert ", 0 changed" in second_out


def test_backfill_command_when_no_gateway_then_clear_error_and_exit_1(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'of.sqlite'}")
    monkeypatch.setenv("ORDERFLOW_IB__PORT", "1")
    monkeypatch.setenv("ORDERFLOW_IB__CONNECT_TIMEOUT_S", "2")
    assert main(["backfill", "--historical-days", "1"]) == 1
    assert capsys.readouterr().err.startswith("orderflow: ")


def test_premarket_and_review_commands_on_lean_week(capsys):
    # Data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0.
    if not LEAN.exists():
        pytest.skip(f"real data missing: {LEAN}")
    assert main(["premarket", "--date", "2013-10-14", "--source", str(LEAN)]) == 0
    plan = capsys.readouterr().out
    assert plan.startswith("# Pre-market plan: ES 2013-10-14 (ESZ13)")
    assert (
        "CVA 2013-10-07..2013-10-11 (5 sessions): VAL 1648.75 · POC 1676.75 · VAH 1680.25" in plan
    )
    assert main(["review", "--date", "2013-10-14", "--source", str(LEAN)]) == 0
    review = capsys.readouterr().out
    assert "Day's value: VAL 1686.00 · POC 1689.00 · VAH 1702.00" in review


@pytest.mark.parametrize(
    "argv",
    [
        ["premarket", "--date", "2013-10-21"],
        ["premarket", "--date", "2013-10-21", "--notebook"],
        ["premarket", "--date", "2013-10-01"],
        ["review", "--date", "2013-10-21"],
    ],
)
def test_plan_commands_when_source_has_no_data_for_date_then_exit_2_with_message(argv, capsys):
    # Data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; it ends on 2013-10-14.
    if not LEAN.exists():
        pytest.skip(f"real data missing: {LEAN}")
    assert main([*argv, "--source", str(LEAN)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("orderflow: ")
    assert argv[2] in captured.err


def test_import_command_when_relative_path_then_read_from_current_folder(
    tmp_path, monkeypatch, capsys
):
    open_ns = int(datetime(2024, 3, 5, 14, 30, tzinfo=UTC).timestamp()) * 1_000_000_000
    rows = [f"{open_ns + i * 1_000_000_000},{5100 + i * 0.25},{i + 1},B" for i in range(3)]
    (tmp_path / "trades.csv").write_text("ts,price,size,side\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'of.sqlite'}")
    assert main(["import", "trades.csv", "--contract", "ESH24"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "trades.csv: ESH24, 3 rows, trade date 2024-03-05"
    assert lines[-1].endswith("records saved, 3 changed")


def test_import_command_when_a_path_is_missing_then_nothing_is_imported(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "trades.csv").write_text("ts,price,size,side\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'of.sqlite'}")
    assert main(["import", "trades.csv", "missing.dbn", "--contract", "ESH24"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"no such file or folder: {tmp_path.resolve() / 'missing.dbn'}" in captured.err
