"""How fast `orderflow --help` answers, against a bare Python start measured in the same run.

Times, each as the median of N fresh processes run in turn: `python -c pass` (the baseline: no program can
answer faster), `python -c "import pandas"` (what one heavy import would add), `orderflow --help`
through the console script and through `python -m orderflow_lib.cli`, and `premarket --help`.
Prints milliseconds, the ratio to the baseline and whether each help answers within 0.5 s.

Run: .venv/bin/python benchmarks/cli_help.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.5
PYTHON = sys.executable
CONSOLE_SCRIPT = str(Path(PYTHON).parent / "orderflow")
CASES = {
    "python -c pass (baseline)": [PYTHON, "-c", "pass"],
    'python -c "import pandas" (reference)': [PYTHON, "-c", "import pandas"],
    "orderflow --help": [CONSOLE_SCRIPT, "--help"],
    "python -m orderflow_lib.cli --help": [PYTHON, "-m", "orderflow_lib.cli", "--help"],
    "orderflow premarket --help": [CONSOLE_SCRIPT, "premarket", "--help"],
    "orderflow run --help": [CONSOLE_SCRIPT, "run", "--help"],
}


def wall_seconds(command: list[str]) -> float:
    """Wall time of one run of `command` in a new process."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_seconds(runs: int) -> dict[str, float]:
    """Median wall time of each case over `runs` rounds; every round runs each case once, so a
    busy moment on the machine slows all cases alike."""
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(runs):
        for name, command in CASES.items():
            times[name].append(wall_seconds(command))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    print(__doc__.splitlines()[0])
    median_seconds(1)
    results = median_seconds(args.runs)
    baseline = results["python -c pass (baseline)"]
    print(f"median of {args.runs} runs each:")
    for name, seconds in results.items():
        verdict = ""
        if "--help" in name:
            verdict = f"  within {TARGET_S} s: {'yes' if seconds < TARGET_S else 'NO'}"
        print(f"  {name:40s} {seconds * 1e3:7.1f} ms  x{seconds / baseline:5.2f} baseline{verdict}")


if __name__ == "__main__":
    main()
