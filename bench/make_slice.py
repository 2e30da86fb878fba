#!/usr/bin/env python3
"""The relevance gate's slice: a few hundred corpus articles and the dev-set queries they judge.

    python bench/make_slice.py [--corpus PATH]            # choose the slice, write its queries
    python bench/make_slice.py --record [--corpus PATH]   # re-measure figures.json with this code
    python bench/make_slice.py --embed PATH               # the slice's articles as gzip'd JSONL

Writes tests/data/relevance/ (read by tests/test_relevance_gate.py):
- `slice.json`: the article ids, each with a hash of its text (the gate refuses a corpus that
  changed under it);
- `queries.jsonl`: the queries, judged on the slice: `{"variant", "qid", "query", "grades", "metric"}`;
- `figures.json` (`--record`): searchkit's figure per variant on the slice, and per query.

The articles themselves are NOT written into the repository: the corpus README forbids
committing them (publishers' copyright). The gate reads them from the shared corpus by id
(or from `--embed`'s file, named by $SEARCHKIT_RELEVANCE_SLICE, where the owners allow it).

How the slice is chosen (deterministic, SEED): for every shape of bench/relevance.py, ITEMS[shape]
dev-set items (one item = one qid with all its variants: `k001` typed 8 ways), in a seeded
order that takes the shape's variants in turn (so `iy`, `abbreviation`, `question_hand` are
covered). Each item brings its relevant article (up to RELEVANT_PER_ITEM where every holder is
relevant; topical: its best-graded) and its DISTRACTORS strongest non-relevant articles: most
query syllables held (folded, weighted by idf, title double), and the folded phrase held as a
whole first, so a look-alike's decoys are the articles holding `nghe an` but not `Nghệ An`,
a concept's hold its syllables apart, a bag's hold most of its words. Relevant means what it
means in the dev set: for a query, every slice article its full judgment lists.

Scored on the slice as in the bench (MRR@10) except where every holder is relevant: a slice
holds too few articles for P@10 to bite (every holder reaches the top 10), so those variants
score R-precision: the share of the top R that is relevant, R = min(10, relevant in the slice).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relevance import (  # noqa: E402
    BENCH_DIR, P10_SHAPES, SHAPES, git_head, load_devset, reciprocal_rank, shape_of)

REPO_ROOT = BENCH_DIR.parent
SLICE_DIR = REPO_ROOT / "tests" / "data" / "relevance"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "corpus.jsonl"
SEED = 20240618
MAX_ARTICLES = 400
ITEMS = {"known items": 22, "topical": 6, "questions": 28, "concepts": 22, "bags": 22, "variant bags": 28,
         "look-alikes": 25, "names": 22}
RELEVANT_PER_ITEM = {"topical": 3}  # default 2, where every holder is relevant
DISTRACTORS = 1
K = 10
METRIC_LABELS = {"rr": "MRR@10", "rprec": "R-precision"}


# --------------------------------------------------------------------------- choosing the slice


def item_key(it: dict) -> tuple[str, str]:
    """(shape, qid without its variant suffix): 'c001u' and 'c001t' belong to item 'c001'."""
    return shape_of(it["variant"]), re.sub(r"(?<=\d)[ut]+$", "", it["qid"])


def choose_items(items: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """ITEMS[shape] items per shape, the shape's variants taken in turn (rarest first), each
    variant's items in an order fixed by SEED."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for it in items:
        groups[item_key(it)].append(it)
    chosen: dict[tuple[str, str], list[dict]] = {}
    for shape in SHAPES:
        keys = sorted(k for k in groups if k[0] == shape)
        random.Random(f"{SEED}:{shape}").shuffle(keys)
        by_variant = {v: [k for k in keys if any(it["variant"] == v for it in groups[k])] for v in SHAPES[shape]}
        turns = sorted((v for v in by_variant if by_variant[v]), key=lambda v: len(by_variant[v]))
        taken = 0
        while turns and taken < min(ITEMS[shape], len(keys)):
            for v in list(turns):
                pick = next((k for k in by_variant[v] if k not in chosen), None)
                if pick is None:
                    turns.remove(v)
                elif taken < ITEMS[shape]:
                    chosen[pick] = groups[pick]
                    taken += 1
    return chosen


class Distractors:
    """The corpus, folded, to find each query's strongest non-relevant articles."""

    def __init__(self, corpus: Path) -> None:
        sys.path.insert(0, str(BENCH_DIR))
        from devset_corpus import CorpusIndex

        self.index = CorpusIndex.load(corpus)
        self.ids = {d["id"]: i for i, d in enumerate(self.index.docs)}
        self.titles = [frozenset(_fold(s) for s in title) for title, _ in self.index.fields]

    def strongest(self, query: str, relevant: Iterable[str], n: int) -> list[str]:
        """The n articles, not relevant, holding the most of the query's syllables (folded;
        idf-weighted, title double), those holding the folded query as a phrase first."""
        from devset_corpus import text_syllables

        index, skip = self.index, {self.ids[r] for r in relevant if r in self.ids}
        folded = tuple(_fold(s) for s in text_syllables(query))
        scores: dict[int, float] = defaultdict(float)
        for s in set(folded):
            postings = index.folded_postings.get(s, frozenset())
            weight = math.log(1 + index.size / (1 + len(postings)))
            for i in postings:
                scores[i] += weight * (2 if s in self.titles[i] else 1)
        top = sorted((i for i in scores if i not in skip), key=lambda i: (-scores[i], index.docs[i]["id"]))[:50]
        whole = set(index.holders(folded, folded=True)) if len(folded) > 1 else set()
        top.sort(key=lambda i: (i not in whole, -scores[i], index.docs[i]["id"]))
        return [index.docs[i]["id"] for i in top[:n]]


def _fold(syllable: str) -> str:
    from searchkit.text.fold import fold

    return fold(syllable)


def item_articles(shape: str, group: list[dict], distractors: Distractors) -> list[str]:
    """The item's relevant articles (best grade first, then by id) and its distractors."""
    grades = group[0]["grades"]
    relevant = sorted(grades, key=lambda d: (-grades[d], hashlib.sha256(f"{SEED}:{d}".encode()).hexdigest()))
    wanted = RELEVANT_PER_ITEM.get(shape, 2 if shape in P10_SHAPES else 1)
    if shape == "topical":  # unjudged articles may be relevant: no distractors
        return relevant[:wanted]
    return relevant[:wanted] + distractors.strongest(group[0]["query"], grades, DISTRACTORS)


def build_slice(corpus: Path) -> tuple[list[str], list[dict]]:
    """(article ids, queries judged on them), at most MAX_ARTICLES articles."""
    chosen = choose_items(load_devset(BENCH_DIR / "devset"))
    distractors = Distractors(corpus)
    ids: list[str] = []
    for (shape, _), group in chosen.items():
        ids += [d for d in item_articles(shape, group, distractors) if d not in ids]
    if len(ids) > MAX_ARTICLES:
        sys.exit(f"the slice holds {len(ids)} articles, more than {MAX_ARTICLES}: lower ITEMS")
    in_slice = set(ids)
    queries = []
    for group in chosen.values():
        for it in group:
            grades = {d: g for d, g in it["grades"].items() if d in in_slice}
            metric = "rprec" if shape_of(it["variant"]) in P10_SHAPES else "rr"
            queries.append({"variant": it["variant"], "qid": it["qid"], "query": it["query"], "grades": grades,
                            "metric": metric})
    return sorted(ids), queries


# --------------------------------------------------------------------------- articles


def article_hash(article: dict) -> str:
    text = json.dumps([article["id"], article.get("title"), article["body"]], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_articles(wanted: dict[str, str | None], corpus: Path) -> list[dict]:
    """The wanted articles ({id: hash, or None while the slice is being made}) from a JSONL
    corpus (gzip'd or not), in id order; ValueError when one is missing or its text differs
    from when the slice was made."""
    opener = gzip.open if corpus.suffix == ".gz" else open
    found = {}
    with opener(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            m = re.match(r'\{"id": "([^"]+)"', line)
            if m and m.group(1) in wanted:
                d = json.loads(line)
                found[d["id"]] = {"id": d["id"], "title": d.get("title"), "body": d["body"]}
    changed = sorted(i for i, h in wanted.items() if i not in found or h not in (None, article_hash(found[i])))
    if changed:
        raise ValueError(f"{len(changed)} slice articles missing from {corpus} or changed since the slice was "
                         f"made (e.g. {changed[:3]}): rebuild it with bench/make_slice.py, then --record")
    return [found[i] for i in sorted(found)]


# --------------------------------------------------------------------------- measuring


def r_precision(ranked: list[str], grades: dict[str, float]) -> float:
    """Relevant articles in the top R, over R = min(10, relevant ones)."""
    r = min(K, sum(1 for g in grades.values() if g > 0))
    return sum(1 for d in ranked[:r] if grades.get(d, 0) > 0) / r if r else 0.0


def build_engine(articles: list[dict], where: Path):
    """A searchkit index of the articles under `where` (the JSONL beside it)."""
    from searchkit import SearchEngine

    where.mkdir(parents=True, exist_ok=True)
    source = where / "slice.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    engine = SearchEngine(where / "index")
    engine.index([source], workers=1)
    return engine


def measure(engine, queries: list[dict]) -> dict:
    """{"variants": {variant: {metric, value, queries}}, "queries": {"variant qid": score}}."""
    from searchkit import SearchkitError

    per_query: dict[str, float] = {}
    per_variant: dict[str, list[float]] = defaultdict(list)
    for q in queries:
        try:
            ranked = [hit.id for hit in engine.search(q["query"], limit=K, snippets=0).hits]
        except SearchkitError:
            ranked = []
        score = (r_precision if q["metric"] == "rprec" else reciprocal_rank)(ranked, q["grades"])
        per_query[f"{q['variant']} {q['qid']}"] = round(score, 4)
        per_variant[q["variant"]].append(score)
    metric = {q["variant"]: q["metric"] for q in queries}
    variants = {v: {"metric": METRIC_LABELS[metric[v]], "value": round(sum(s) / len(s), 4), "queries": len(s)}
                for v, s in per_variant.items()}
    return {"variants": variants, "queries": per_query}


def load_slice(slice_dir: Path = SLICE_DIR) -> tuple[dict[str, str], list[dict]]:
    """({article id: hash}, queries) as written by this script."""
    articles = json.loads((slice_dir / "slice.json").read_text(encoding="utf-8"))["articles"]
    with open(slice_dir / "queries.jsonl", encoding="utf-8") as f:
        return articles, [json.loads(line) for line in f if line.strip()]


# --------------------------------------------------------------------------- main


def write_slice(corpus: Path) -> None:
    ids, queries = build_slice(corpus)
    articles = read_articles(dict.fromkeys(ids), corpus)
    SLICE_DIR.mkdir(parents=True, exist_ok=True)
    meta = {"built_by": "bench/make_slice.py", "seed": SEED, "corpus": "shared/corpus/corpus.jsonl",
            "articles": {a["id"]: article_hash(a) for a in articles}}
    (SLICE_DIR / "slice.json").write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    with open(SLICE_DIR / "queries.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(f"wrote {SLICE_DIR}: {len(articles)} articles, {len(queries)} queries")


def record(corpus: Path) -> None:
    """Re-measure figures.json with the searchkit of this working tree."""
    import tempfile

    wanted, queries = load_slice()
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_engine(read_articles(wanted, corpus), Path(tmp))
        figures = measure(engine, queries)
        engine.close()
    figures = {"_meta": {"git_head": git_head(), "articles": len(wanted), "queries": len(queries)}, **figures}
    (SLICE_DIR / "figures.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for variant, f in figures["variants"].items():
        print(f"  {variant:30s} {f['metric']:12s} {f['value']:.3f}  ({f['queries']} queries)")
    print(f"wrote {SLICE_DIR / 'figures.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--record", action="store_true", help="re-measure figures.json on the existing slice")
    parser.add_argument("--embed", type=Path, metavar="PATH", help="write the slice's articles to PATH "
                        "(gzip'd JSONL; outside the repository unless the corpus owners allow it)")
    args = parser.parse_args()
    if args.embed:
        wanted, _ = load_slice()
        with gzip.open(args.embed, "wt", encoding="utf-8") as f:
            for a in read_articles(wanted, args.corpus):
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
        print(f"wrote {args.embed}: {args.embed.stat().st_size / 1024:.0f} KiB")
    elif args.record:
        record(args.corpus)
    else:
        write_slice(args.corpus)


if __name__ == "__main__":
    main()
