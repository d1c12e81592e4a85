"""`orderflow --help` is quick: it imports no heavy package, and every command explains itself."""

import argparse
import subprocess
import sys

import pytest

from orderflow_lib.cli import build_parser

HEAVY = ("bokeh", "nbformat", "papermill", "numba", "pandas", "sqlalchemy", "fastapi", "ib_async")


def imported_packages(*argv: str) -> set[str]:
    """Top-level packages imported by `python ARGV`, as -X importtime lists them."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    names = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    return {name.split(".")[0] for name in names if name}


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each sub-command's parser by name."""
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_imported_packages_when_code_imports_pandas_then_lists_it():
    assert "pandas" in imported_packages("-c", "import pandas")


@pytest.mark.parametrize("argv", [["--help"], ["premarket", "--help"], ["import", "--help"]])
def test_help_when_asked_then_no_heavy_package_is_imported(argv):
    packages = imported_packages("-m", "orderflow_lib.cli", *argv)
    assert "orderflow_lib" in packages
    assert sorted(packages & set(HEAVY)) == []


def test_help_when_asked_then_lists_exit_status():
    assert "2  bad arguments or settings" in build_parser().format_help()


@pytest.mark.parametrize("name", sorted(command_parsers()))
def test_command_help_when_asked_then_has_one_line_summary_and_example(name):
    parser = command_parsers()[name]
    assert parser.description
    assert "\n" not in parser.description
    assert parser.epilog
    assert f"orderflow {name}" in parser.epilog
    assert parser.epilog in parser.format_help()


def test_run_help_when_asked_then_names_safety_key_and_its_length():
    text = " ".join(command_parsers()["run"].format_help().split())
    assert "SAFETY_AUTH_KEY environment variable" in text
    assert "32 or more characters" in text
