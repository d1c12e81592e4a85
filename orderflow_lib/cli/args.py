"""Building blocks of the `orderflow` sub-commands: a command with its summary and examples, and
argument types that say plainly what they expect. Standard library only, so `--help` is quick."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]


def add_command(
    commands: argparse._SubParsersAction,
    name: str,
    summary: str,
    examples: list[str],
    handler: Handler,
) -> argparse.ArgumentParser:
    """Register a sub-command whose --help shows its one-line summary and its examples."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog="examples:\n" + "\n".join(f"  {example}" for example in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def trade_date(text: str) -> date:
    """A date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a date: use YYYY-MM-DD") from None


def ny_time(text: str) -> time:
    """A New York clock time written HH:MM."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a time: use HH:MM (New York)") from None


def local_path(text: str) -> Path:
    """A file or folder, read from the current folder when relative."""
    return Path(text).expanduser().resolve()


def at_least_one(text: str) -> int:
    """A whole number of 1 or more."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of 1 or more")
    return number
