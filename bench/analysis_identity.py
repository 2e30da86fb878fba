"""Check that two versions of the indexer write the same postings for a corpus.

    python bench/analysis_identity.py --base /work/wt-build-base [--corpus PATH] [--batch 2000]

Each version (this checkout and the one at --base, e.g. a `git worktree` of the commit before a
change) analyses the corpus in batches of --batch articles, in order, with `segments.write_batch`
in its own process; every batch's postings file (`.skp`: every field's terms, documents,
frequencies, positions, lengths, and the syllable pair counts) must be byte for byte the same,
and so must `analysis.analyze_article` on a sample of articles. Prints CPU seconds per version.

The files are compared array by array (each array the header names, and the header's counts):
an array only one version writes (the terms' `sizes`, written since the thirteenth session) is
named, not counted as a difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


HERE = Path(__file__).resolve().parent.parent


def child(code: str, corpus: str, batch: int, sample: int) -> None:
    sys.path.insert(0, code)
    from searchkit.indexing.analysis import analyze_article
    from searchkit.indexing.corpus import iter_articles
    from searchkit.indexing.postings import SUFFIX
    from searchkit.indexing.segments import write_batch
    from searchkit.models import Article

    articles = [a for a in iter_articles([corpus]) if isinstance(a, Article)]
    started = time.process_time()
    digests = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(0, len(articles), batch):
            written = write_batch(folder, articles[i:i + batch])
            (skp,) = [name for name in os.listdir(written.folder) if name.endswith(SUFFIX)]
            digests.append(array_digests(Path(written.folder, skp)))
    seconds = time.process_time() - started
    step = max(1, len(articles) // sample) if sample else 0
    analysed = [hashlib.sha256(json.dumps(analyze_article(a), ensure_ascii=False, sort_keys=True).encode()).hexdigest()
                for a in articles[::step]] if step else []
    print(json.dumps({"articles": len(articles), "batches": digests, "analysed": analysed, "cpu": seconds}))


def array_digests(path: Path) -> dict[str, str]:
    """`field.array` -> digest of its bytes and type, for every array the file's header names
    (read by the checkout's own `SegmentPostings`), and `field.counts` -> its counts."""
    from searchkit.indexing.postings import SegmentPostings

    segment = SegmentPostings(path)
    digests = {}
    for field, info in segment._header.items():
        for name, spec in info.items():
            if isinstance(spec, list):
                digests[f"{field}.{name}"] = hashlib.sha256(segment._array(spec).tobytes() + spec[2].encode()).hexdigest()
            else:
                digests[f"{field}.{name}"] = json.dumps(spec, sort_keys=True)
    return digests


def compare(old: list[dict], new: list[dict]) -> tuple[int, set[str]]:
    """(batches whose common arrays are all the same, arrays only one version writes)."""
    same, apart = 0, set()
    for a, b in zip(old, new):
        common = a.keys() & b.keys()
        apart |= a.keys() ^ b.keys()
        same += all(a[key] == b[key] for key in common)
    return same, apart


def run(code: str, args) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", code, "--corpus", args.corpus, "--batch",
                          str(args.batch), "--sample", str(args.sample)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=False)
    parser.add_argument("--corpus", default="/work/shared/corpus/corpus.jsonl")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.corpus, args.batch, args.sample)
        return 0
    old, new = run(args.base, args), run(str(HERE), args)
    print(f"articles {new['articles']}, batches {len(new['batches'])}; write_batch CPU: base {old['cpu']:.1f} s, "
          f"this checkout {new['cpu']:.1f} s")
    batches, apart = compare(old["batches"], new["batches"])
    same = batches == len(old["batches"]) == len(new["batches"])
    print("postings identical:", same, f"({batches}/{len(old['batches'])} batches, every array both write)"
          + (f"; written by one version only: {', '.join(sorted(apart))}" if apart else ""))
    same_analysis = old["analysed"] == new["analysed"]
    print("analyze_article identical on the sample:", same_analysis, f"({len(new['analysed'])} articles)")
    return 0 if same and same_analysis and old["articles"] == new["articles"] else 1


if __name__ == "__main__":
    sys.exit(main())
