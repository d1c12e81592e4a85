"""The `orderflow` command: run the demo, inspect settings and work with market data."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from orderflow_lib.cli import data, node, plans, synth
from orderflow_lib.core import ConfigError, OrderFlowError, load_settings

Command = Callable[[argparse.Namespace], int]


def _cmd_settings(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    print(json.dumps(settings.model_dump(mode="json"), indent=2))
    print(f"config hash: {settings.config_hash()}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="orderflow",
        description="OrderFlow workbench for CME E-mini S&P futures (ES read, MES traded).",
    )
    parser.add_argument(
        "--config", metavar="FILE", help="settings file (TOML); default: $ORDERFLOW_CONFIG or none"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    settings = commands.add_parser(
        "settings", help="print the settings in force (defaults, file and ORDERFLOW_* variables)"
    )
    settings.set_defaults(handler=_cmd_settings)
    synth.add_parser(commands)
    node.add_parsers(commands)
    plans.add_parsers(commands)
    data.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `orderflow` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"orderflow: settings problem: {exc}", file=sys.stderr)
        return 2
    except OrderFlowError as exc:
        print(f"orderflow: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
