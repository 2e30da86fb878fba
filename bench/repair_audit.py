"""Audit searchkit.text.legacy.repair_text over a corpus: what would it change?

Usage:
    python bench/repair_audit.py [PATH ...] [--samples N]

PATH is a JSON-lines corpus (fields id, title, body; default
/work/shared/corpus/corpus.jsonl) or plain .txt files (the file name is the id).
Prints how many articles and tokens were changed, the time taken, and sample
(before -> after) pairs with their article id. Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from searchkit.text.legacy import repair_text  # noqa: E402

DEFAULT_CORPUS = "/work/shared/corpus/corpus.jsonl"


def records(paths: list[str]):
    """Yield (id, [texts]) from JSON-lines corpora and .txt files."""
    for path in paths:
        p = Path(path)
        if p.suffix == ".jsonl":
            with p.open(encoding="utf-8") as f:
                for line in f:
                    rec = json.loads(line)
                    yield rec.get("id", "?"), [rec.get("title") or "", rec.get("body") or ""]
        else:
            yield p.name, [p.read_text(encoding="utf-8")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("paths", nargs="*", default=[DEFAULT_CORPUS])
    ap.add_argument("--samples", type=int, default=20, help="sample pairs to print (default 20)")
    ap.add_argument("--all", action="store_true", help="print every changed pair")
    args = ap.parse_args(argv)

    n_articles = n_changed = n_tokens = n_chars = 0
    pairs: list[tuple[str, str, str]] = []
    seconds = 0.0
    for rid, texts in records(args.paths):
        n_articles += 1
        changes: list[tuple[str, str]] = []
        for text in texts:
            n_chars += len(text)
            t0 = time.perf_counter()
            repair_text(text, changes)
            seconds += time.perf_counter() - t0
        if changes:
            n_changed += 1
            n_tokens += len(changes)
            pairs.extend((rid, before, after) for before, after in changes)

    print(f"articles: {n_articles:,}  characters: {n_chars:,}")
    print(f"articles changed: {n_changed:,}  tokens changed: {n_tokens:,}")
    print(f"repair_text time: {seconds:.2f} s ({n_chars / max(seconds, 1e-9) / 1e6:.1f} M chars/s)")
    if pairs:
        kinds = Counter(after for _, _, after in pairs)
        print(f"distinct repaired words: {len(kinds):,}; most common: "
              + ", ".join(f"{w} ×{c}" for w, c in kinds.most_common(10)))
        shown = pairs if args.all or len(pairs) <= args.samples else sorted(
            random.Random(0).sample(pairs, args.samples))
        print(f"{'all' if shown is pairs else len(shown)} (before -> after) pairs:")
        for rid, before, after in shown:
            print(f"  {rid}: {before!r} -> {after!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
