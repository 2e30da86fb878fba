"""The damage matrix of issue 18, counted: every kind of index file (14) × every kind of
damage (10), then `check`, searches, a re-sync and `optimize` on a fresh copy each.

    python bench/damage.py [--workdir DIR] [--show]

Prints, per operation, how many cases gave each outcome (see tests/damage.py): `raw` (an
exception that is not a SearchkitError, the CLI's exit 70), `exit3` (damage reported),
`clean` / `correct` (nothing found / the undamaged index's answers), `wrong` (other answers,
no error), `spread` (a re-sync that doubled or lost articles) and `laundered` (an optimize
after which check finds nothing while answers changed); then the cases issue 18 does not
accept (none is the goal). --show prints every case.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.damage import DAMAGES, FILE_KINDS, OPERATIONS, acceptable, build_base, damage, outcome  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=None, help="where to build (default: a temporary folder)")
    parser.add_argument("--show", action="store_true", help="print every case")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="searchkit-damage-", dir=args.workdir))
    started = time.monotonic()
    try:
        (root / "base").mkdir()
        base = build_base(root / "base")
        counts = {operation: Counter() for operation in OPERATIONS}
        refused, cases, unchanged = [], 0, 0
        for kind in FILE_KINDS:
            for how in DAMAGES:
                cases += 1
                row = {}
                for operation in OPERATIONS:
                    work = root / "case"
                    shutil.copytree(base.index, work / "index")
                    changed = damage(work / "index", kind, how, base)
                    row[operation] = outcome(operation, work / "index", base) if changed else "unchanged"
                    shutil.rmtree(work)
                unchanged += all(result == "unchanged" for result in row.values())
                for operation, result in row.items():
                    counts[operation][result.split(":")[0]] += 1
                    if result != "unchanged" and not acceptable(operation, kind, result):
                        refused.append(f"{kind} × {how}: {operation} → {result}")
                if args.show:
                    print(f"{kind:14} {how:12} " + "  ".join(f"{op}={row[op][:60]}" for op in OPERATIONS), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{cases} cases ({len(FILE_KINDS)} file kinds × {len(DAMAGES)} damages; {unchanged} change no byte), "
          f"{time.monotonic() - started:.0f} s")
    for operation in OPERATIONS:
        print(f"  {operation:9} " + ", ".join(f"{word} {n}" for word, n in sorted(counts[operation].items())))
    raw = sum(counts[operation]["raw"] for operation in OPERATIONS)
    print(f"raw exceptions: {raw}; spread by a re-sync: {counts['resync']['spread']}; "
          f"laundered by optimize: {counts['optimize']['laundered']}; not as issue 18 asks: {len(refused)}")
    for line in refused:
        print(f"  {line}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
