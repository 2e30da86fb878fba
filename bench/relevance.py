"""Relevance benchmark: MRR@10 and nDCG@10 per query variant for searchkit, SQLite FTS5 and tantivy.

    python bench/relevance.py [--corpus PATH] [--workdir DIR] [--devset DIR] [--misses]

Reads DEVSET/known_items.jsonl (lines {"qid", "variant", "query", "relevant": [ids]}) and
DEVSET/topical.jsonl (lines {"qid", "query", "relevant": {id: grade}}); DEVSET defaults to
bench/devset. All engines index the same corpus (reusing the workdir indexes when they match it).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from common import BENCH_DIR, base_parser, check_corpus, check_workdir, corpus_fingerprint, machine_note, print_table
from peers import SearchkitEngine, ensure_index

K = 10
MRR_FLOORS = {"accented": 0.95, "unaccented": 0.95, "nfd": 0.95, "tone_placement": 0.95, "telex": 0.93,
              "abbreviation": 0.85}
VARIANT_ORDER = ["accented", "unaccented", "nfd", "tone_placement", "telex", "vni", "iy", "abbreviation"]
LABELS = {"searchkit": "searchkit", "fts5": "FTS5", "tantivy": "tantivy"}


def load_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_devset(devset: Path) -> list[dict]:
    """One list of judged queries: {variant, qid, query, grades: {id: grade}}; topical has variant 'topical'."""
    items = []
    for row in load_jsonl(devset / "known_items.jsonl"):
        items.append({"variant": row["variant"], "qid": row["qid"], "query": row["query"],
                      "grades": {doc_id: 1 for doc_id in row["relevant"]}})
    for row in load_jsonl(devset / "topical.jsonl"):
        items.append({"variant": "topical", "qid": row["qid"], "query": row["query"],
                      "grades": {doc_id: g for doc_id, g in row["relevant"].items()}})
    return items


def reciprocal_rank(ranked: list[str], grades: dict[str, float]) -> float:
    for i, doc_id in enumerate(ranked[:K]):
        if grades.get(doc_id, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def ndcg(ranked: list[str], grades: dict[str, float]) -> float:
    """Exponential gain (2^grade - 1), log2 discount; ideal from all judged documents."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:K]))
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:K]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def variants_in(items: list[dict]) -> list[str]:
    present = {it["variant"] for it in items}
    known = [v for v in VARIANT_ORDER if v in present]
    other = sorted(present - set(VARIANT_ORDER) - {"topical"})
    return known + other + (["topical"] if "topical" in present else [])


def evaluate(engine, items: list[dict]) -> dict[str, dict]:
    """Per qid: ranked ids, RR and nDCG."""
    out = {}
    for it in items:
        ranked = engine.search(it["query"], limit=K, snippets=False)
        out[(it["variant"], it["qid"])] = {"ranked": ranked, "rr": reciprocal_rank(ranked, it["grades"]),
                                           "ndcg": ndcg(ranked, it["grades"])}
    return out


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=BENCH_DIR / "devset",
                        help="folder with known_items.jsonl and topical.jsonl (default: bench/devset)")
    parser.add_argument("--misses", action="store_true", help="list the queries where searchkit ranks the "
                        "first relevant article below 1, or below a peer")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    items = load_devset(args.devset)
    if not items:
        sys.exit(f"no judged queries in {args.devset} (known_items.jsonl / topical.jsonl)")
    fingerprint = corpus_fingerprint(corpus)
    variants = variants_in(items)
    print(f"corpus: {corpus}; workdir: {workdir}; devset: {args.devset} ({len(items)} judged queries)")
    print(machine_note())
    print()

    keys = ["searchkit", "fts5", "tantivy"] if SearchkitEngine.available() else ["fts5", "tantivy"]
    if "searchkit" not in keys:
        print("searchkit is not importable yet: peer figures only\n")
    scores = {}
    for key in keys:
        engine = ensure_index(key, corpus, workdir, fingerprint)
        scores[key] = evaluate(engine, items)
        engine.close()

    rows = []
    groups = [(v, [it for it in items if it["variant"] == v]) for v in variants]
    known = [it for it in items if it["variant"] != "topical"]
    if known and len(variants) > 1:
        groups.append(("all known items", known))
    for variant, group in groups:
        mrr = {k: mean([scores[k][(it["variant"], it["qid"])]["rr"] for it in group]) for k in keys}
        nd = {k: mean([scores[k][(it["variant"], it["qid"])]["ndcg"] for it in group]) for k in keys}
        row = [variant, len(group)] + [mrr[k] for k in keys] + [nd[k] for k in keys]
        floor = MRR_FLOORS.get(variant)
        if "searchkit" in keys:
            peers = [k for k in keys if k != "searchkit"]
            beats = all(mrr["searchkit"] >= mrr[p] and nd["searchkit"] >= nd[p] for p in peers)
            row += [f">= {floor:.2f}" if floor else "", ("yes" if mrr["searchkit"] >= floor else "NO") if floor else "",
                    "yes" if beats else "NO"]
        rows.append(row)
    headers = (["variant", "queries"] + [f"MRR {LABELS[k]}" for k in keys] + [f"nDCG {LABELS[k]}" for k in keys]
               + (["sk MRR floor", "within", "sk >= peers"] if "searchkit" in keys else []))
    print_table(headers, [[f"{c:.3f}" if isinstance(c, float) else c for c in r] for r in rows],
                title=f"Relevance @{K} (known items: binary; topical: graded, gain 2^g-1; "
                      f"'sk >= peers' = MRR and nDCG both)")

    if args.misses and "searchkit" in keys:
        print("searchkit misses (first relevant not at rank 1, or worse than a peer):")
        for it in items:
            key = (it["variant"], it["qid"])
            sk = scores["searchkit"][key]["rr"]
            best_peer = max(scores[k][key]["rr"] for k in keys if k != "searchkit")
            if sk < 1.0 or sk < best_peer:
                print(f"  [{it['variant']}] {it['qid']} {it['query']!r}: searchkit RR {sk:.2f}, best peer "
                      f"{best_peer:.2f}; relevant {list(it['grades'])[:3]}; searchkit top 3 "
                      f"{scores['searchkit'][key]['ranked'][:3]}")
    print(f"at the end: {machine_note()}")


if __name__ == "__main__":
    main()
