"""Argument types of the `orderflow` command: plain errors that name what was expected."""

import argparse
from datetime import date
from pathlib import Path

import pytest

from orderflow_lib.cli import main
from orderflow_lib.cli.args import at_least_one, local_path, trade_date


def test_trade_date_when_iso_date_then_date():
    assert trade_date("2013-10-14") == date(2013, 10, 14)


@pytest.mark.parametrize("text", ["2024-13-01", "14/10/2013", "yesterday"])
def test_trade_date_when_not_a_date_then_error_names_the_form(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{text} is not a date: use YYYY-MM-DD$"):
        trade_date(text)


def test_premarket_when_month_13_then_exit_2_and_message_names_the_form(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["premarket", "--date", "2024-13-01", "--source", "anywhere"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "--date: 2024-13-01 is not a date: use YYYY-MM-DD" in err
    assert "fromisoformat" not in err


def test_local_path_when_relative_then_read_from_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert local_path("trades.csv") == tmp_path.resolve() / "trades.csv"


def test_local_path_when_absolute_then_unchanged(tmp_path):
    assert local_path(str(tmp_path / "a.dbn")) == tmp_path.resolve() / "a.dbn"


def test_local_path_when_home_then_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert local_path("~/x.csv") == Path(tmp_path).resolve() / "x.csv"


@pytest.mark.parametrize("text", ["0", "-3", "seven"])
def test_at_least_one_when_not_a_positive_whole_number_then_error(text):
    with pytest.raises(argparse.ArgumentTypeError, match="is not a whole number of 1 or more"):
        at_least_one(text)


def test_at_least_one_when_positive_then_number():
    assert at_least_one("20") == 20


def test_backfill_when_zero_days_then_exit_2_before_touching_ib(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["backfill", "--historical-days", "0"])
    assert exit_info.value.code == 2
    assert "0 is not a whole number of 1 or more" in capsys.readouterr().err
