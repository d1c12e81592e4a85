"""The two commands: README opens with them, .ci/run calls exactly the test one, the CLI answers --help."""

import subprocess
import sys
from pathlib import Path

from orderflow_lib.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[3]


def test_readme_opens_with_the_demo_and_test_commands():
    text = (ROOT / "README.md").read_text()
    head = text[: text.index("## ")]
    assert "make demo" in head
    assert "make test" in head
    assert head.index("make demo") < head.index("make test")


def test_ci_runs_exactly_the_readme_test_command():
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["make test"]


def test_cli_help_lists_every_command():
    help_text = build_parser().format_help()
    for command in (
        "demo",
        "run",
        "dashboard",
        "premarket",
        "review",
        "backfill",
        "import",
        "synth",
        "settings",
    ):
        assert command in help_text


def test_cli_without_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: orderflow" in capsys.readouterr().out


def test_cli_settings_when_invalid_value_then_exit_2_with_field(monkeypatch, capsys):
    monkeypatch.setenv("ORDERFLOW_PROFILE__VA_PCT", "2")
    assert main(["settings"]) == 2
    assert "profile.va_pct" in capsys.readouterr().err


def test_console_script_runs_as_module():
    result = subprocess.run(
        [sys.executable, "-m", "orderflow_lib.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "orderflow" in result.stdout
