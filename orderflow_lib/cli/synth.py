"""`orderflow synth`: generate a seeded synthetic ES session and print what it contains."""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from orderflow_lib.cli.args import add_command, trade_date


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register `orderflow synth`."""
    parser = add_command(
        commands,
        "synth",
        "generate a synthetic ES session (same seed, same session) and summarise it",
        ["orderflow synth", "orderflow synth --date 2024-03-05 --seed 11 --scale 0.1"],
        run,
    )
    parser.add_argument(
        "--date", type=trade_date, help="trade date YYYY-MM-DD (default: the last complete one)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="activity scale (1.0 = a full day)"
    )


def last_trade_date(now_ns: int) -> date:
    """The most recent complete CME trade date before now."""
    from orderflow_lib.market import default_calendar

    calendar = default_calendar()
    today = calendar.trade_date(now_ns)
    window = calendar.globex_window(today)
    if now_ns >= window.close_ns:
        return today
    previous = [d for d in calendar.trade_dates(date(today.year - 1, 1, 1), today) if d < today]
    return previous[-1]


def format_summary(summary: dict[str, Any], tick_size: float) -> list[str]:
    """Plain-language lines for a session summary (prices shown in index points)."""
    from orderflow_lib.market.events import ticks_to_price

    def price(key: str) -> str:
        value = summary.get(key)
        return "-" if value is None else f"{ticks_to_price(int(value), tick_size):.2f}"

    buy, sell = summary["buy_volume"], summary["sell_volume"]
    return [
        f"Synthetic ES session for trade date {summary['trade_date']} (seed {summary['seed']}, "
        f"day type {summary['day_type']})",
        f"  trades {summary['trades']:,}  contracts {summary['contracts']:,}  "
        f"buyers lifting the offer {buy:,}  sellers hitting the bid {sell:,}",
        f"  quote updates {summary['quote_updates']:,}  depth updates {summary['depth_updates']:,}",
        f"  open {price('open_ticks')}  high {price('high_ticks')}  low {price('low_ticks')}  "
        f"close {price('close_ticks')}",
        f"  overnight high {price('on_high_ticks')}  low {price('on_low_ticks')}   "
        f"RTH high {price('rth_high_ticks')}  low {price('rth_low_ticks')}",
    ]


def run(args: argparse.Namespace) -> int:
    """Generate and print the session summary."""
    from orderflow_lib.core import load_settings
    from orderflow_lib.core.timeconv import ns_to_ny
    from orderflow_lib.market.synthetic import generate_session, session_summary

    settings = load_settings(args.config)
    day = args.date or last_trade_date(time.time_ns())
    session = generate_session(day, args.seed, scale=args.scale)
    for line in format_summary(session_summary(session), settings.instrument.tick_size):
        print(line)
    if session.trades.size:
        first, last = session.trades["ts_ns"][[0, -1]]
        print(
            f"  first trade {ns_to_ny(int(first)):%Y-%m-%d %H:%M:%S} ET, "
            f"last {ns_to_ny(int(last)):%Y-%m-%d %H:%M:%S} ET"
        )
    return 0
