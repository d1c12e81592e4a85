"""The `orderflow` command: run the demo, inspect settings and work with market data.

Only the standard library is imported here and in the parser modules; each command imports what
it needs when it runs, so `orderflow --help` answers at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from orderflow_lib.cli import backtest, data, node, plans, synth
from orderflow_lib.cli.args import Handler, add_command

EXIT_STATUS = """exit status:
  0  done
  1  the command failed (broker, notebook, data files, ...)
  2  bad arguments or settings, or premarket/review found no data for the date"""


def _settings(args: argparse.Namespace) -> int:
    from orderflow_lib.core import load_settings

    settings = load_settings(args.config)
    print(json.dumps(settings.model_dump(mode="json"), indent=2))
    print(f"config hash: {settings.config_hash()}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="orderflow",
        description="OrderFlow workbench for CME E-mini S&P futures (ES read, MES traded).",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", metavar="FILE", help="settings file (TOML); default: $ORDERFLOW_CONFIG or none"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_command(
        commands,
        "settings",
        "print the settings in force (defaults, file and ORDERFLOW_* variables)",
        ["orderflow settings", "ORDERFLOW_PROFILE__VA_PCT=0.68 orderflow settings"],
        _settings,
    )
    synth.add_parsers(commands)
    node.add_parsers(commands)
    plans.add_parsers(commands)
    data.add_parsers(commands)
    backtest.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `orderflow` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from orderflow_lib.core.errors import ConfigError, OrderFlowError

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
