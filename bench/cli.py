"""Cold start of the command line: `searchkit query "trạm BTS"` on the sample index.

Prints the median wall time of N fresh processes next to `python -c "import whoosh"` and
`python -c "import numpy"` measured in the same run, so that the query's own cost stands
out from the interpreter's. Floor (issue 2): median ≤ 0.5 s.

    python bench/cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def wall_times(command: list[str], runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    searchkit = shutil.which("searchkit") or str(Path(sys.executable).parent / "searchkit")
    with tempfile.TemporaryDirectory() as scratch:
        index = Path(scratch) / "index"
        subprocess.run([searchkit, "index", str(REPO_ROOT / "corpus"), "--index", str(index), "-q"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([searchkit, "query", "trạm BTS", "--index", str(index)], check=True,
                       stdout=subprocess.DEVNULL)  # warm the page cache, not the process
        rows = [
            ('python -c "import whoosh"', [sys.executable, "-c", "import whoosh"]),
            ('python -c "import numpy"', [sys.executable, "-c", "import numpy"]),
            ('searchkit --help', [searchkit, "--help"]),
            ('searchkit query "trạm BTS"', [searchkit, "query", "trạm BTS", "--index", str(index)]),
            ('searchkit query "tram bts" --json', [searchkit, "query", "tram bts", "--json", "--index", str(index)]),
        ]
        print(f"{'command (cold process, sample index)':44} {'median':>8} {'min':>8} {'max':>8}")
        for label, command in rows:
            times = wall_times(command, args.runs, Path(scratch))
            print(f"{label:44} {statistics.median(times):7.3f}s {min(times):7.3f}s {max(times):7.3f}s")
    print("floor: searchkit query median <= 0.500 s")


if __name__ == "__main__":
    main()
