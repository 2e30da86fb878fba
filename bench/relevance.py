"""Relevance benchmark: searchkit beside SQLite FTS5 and tantivy (three ways each), per query shape.

    python bench/relevance.py [--corpus PATH] [--workdir DIR] [--devset DIR] [--only V[,V]] [--misses]
                              [--typesense [--typesense-dir DIR] | --backend typesense://KEY@HOST:PORT/C]

Query shapes, read from DEVSET (default bench/devset; see its README.md):
- known items (known_items.jsonl, one variant per typing: accented, unaccented, nfd, …):
  MRR@10 and nDCG@10 (binary);
- topical (topical.jsonl): MRR@10 and nDCG@10 (gain 2^grade − 1);
- questions (questions.jsonl: question, question_unaccented; questions_hand.jsonl:
  question_hand): MRR@10 and nDCG@10 of the one answering article;
- concepts (concepts.jsonl: concept, concept_unaccented): P@10 = share of the top 10 holding
  the exact phrase, over min(10, number of articles holding it);
- question_telex and concept_telex: the accented questions and concepts typed as Telex keys
  (make_devset.telex), with the same judgments.

With --typesense (a local server started for the run) or --backend URL, searchkit on that
backend answers every query too, and a last table sets it beside the local index, variant by
variant (issue 12: within 0.03).

Engines (peers.py says how each is configured): searchkit; FTS5 and tantivy as before (all words
first, then OR); FTS5 OR and tantivy OR (pure OR); tantivy OR+phrase (OR plus each typed run as
a phrase boosted ×3). Every engine answers every query, on the same corpus, in one run. Each table
prints the floors of issues 5 and 8 beside searchkit's figure; nothing here asserts.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from common import BENCH_DIR, base_parser, check_corpus, check_workdir, corpus_fingerprint, machine_note, print_table
from make_devset import telex
from peers import SearchkitEngine, add_typesense_options, ensure_index, typesense_from_args

K = 10
KNOWN_VARIANTS = ["accented", "unaccented", "nfd", "tone_placement", "telex", "vni", "iy", "abbreviation"]
SHAPES = {  # shape: its variants, in table order
    "known items": KNOWN_VARIANTS,
    "topical": ["topical"],
    "questions": ["question", "question_unaccented", "question_telex", "question_hand"],
    "concepts": ["concept", "concept_unaccented", "concept_telex"],
}
#: Variants typed as Telex keystrokes with no input method, derived from the accented ones
#: (same judgments): a question or a concept typed `truyeenf thoong` must work too.
TELEX_FROM = {"question": "question_telex", "concept": "concept_telex"}
#: Issue 5's floors on searchkit's MRR@10 (known items), unchanged.
MRR_FLOORS = {"accented": 0.95, "unaccented": 0.95, "nfd": 0.95, "tone_placement": 0.95, "telex": 0.93,
              "abbreviation": 0.85}
#: Issue 8: every existing variant at least its value before issue 8 (stop 6's run), abbreviation 0.90.
BEFORE_ISSUE_8 = {"accented": 0.978, "unaccented": 0.971, "nfd": 0.978, "tone_placement": 0.963, "telex": 0.949,
                  "vni": 0.969, "iy": 0.988, "abbreviation": 0.881, "topical": 0.928}
ISSUE_8_FLOORS = {**BEFORE_ISSUE_8, "abbreviation": 0.90}
CONCEPT_FLOOR = 0.90
ORIGINAL_PEERS = ["fts5", "tantivy"]  # issue 5's "searchkit >= every peer" compares with these
ENGINE_KEYS = ["searchkit", "fts5", "tantivy", "fts5_or", "tantivy_or", "tantivy_or_phrase"]
LABELS = {"searchkit": "searchkit", "fts5": "FTS5", "tantivy": "tantivy", "fts5_or": "FTS5 OR",
          "tantivy_or": "tantivy OR", "tantivy_or_phrase": "tantivy OR+phrase", "typesense": "sk on Typesense"}
#: Issue 12: searchkit on a backend ranks within this of the local index, on every variant.
BACKEND_TOLERANCE = 0.03


# --------------------------------------------------------------------------- the dev set


def load_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_devset(devset: Path) -> list[dict]:
    """Every judged query as {variant, qid, query, grades: {id: grade}}."""
    items = []
    for name in ("known_items.jsonl", "questions.jsonl", "questions_hand.jsonl", "concepts.jsonl"):
        for row in load_jsonl(devset / name):
            items.append({"variant": row["variant"], "qid": row["qid"], "query": row["query"],
                          "grades": {doc_id: 1 for doc_id in row["relevant"]}})
            if row["variant"] in TELEX_FROM:
                items.append({**items[-1], "variant": TELEX_FROM[row["variant"]], "qid": row["qid"] + "t",
                              "query": telex(row["query"])})
    for row in load_jsonl(devset / "topical.jsonl"):
        items.append({"variant": "topical", "qid": row["qid"], "query": row["query"],
                      "grades": dict(row["relevant"])})
    return items


def shape_of(variant: str) -> str:
    return next((shape for shape, variants in SHAPES.items() if variant in variants), "other")


def select(items: list[dict], only: str | None) -> list[dict]:
    """--only: variants or shape names, comma-separated ('question,concept', 'concepts')."""
    if not only:
        return items
    wanted: set[str] = set()
    for name in (n.strip() for n in only.split(",") if n.strip()):
        wanted.update(SHAPES.get(name, [name]))
    unknown = wanted - {it["variant"] for it in items}
    if unknown:
        sys.exit(f"--only: no judged queries for {', '.join(sorted(unknown))}; variants here: "
                 f"{', '.join(sorted({it['variant'] for it in items}))}")
    return [it for it in items if it["variant"] in wanted]


# --------------------------------------------------------------------------- metrics


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


def precision(ranked: list[str], grades: dict[str, float]) -> float:
    """Share of the top K that is relevant, over min(K, number relevant): 1.0 when every slot
    that could hold a relevant article does."""
    relevant = sum(1 for g in grades.values() if g > 0)
    hits = sum(1 for d in ranked[:K] if grades.get(d, 0) > 0)
    return hits / min(K, relevant) if relevant else 0.0


def evaluate(engine, items: list[dict]) -> tuple[dict, float]:
    """Per (variant, qid): ranked ids and the three metrics; and the mean ms per query."""
    out, cache, seconds = {}, {}, 0.0
    for it in items:
        if it["query"] not in cache:  # nfd and accented are often the same string for a peer
            start = time.perf_counter()
            cache[it["query"]] = engine.search(it["query"], limit=K, snippets=False)
            seconds += time.perf_counter() - start
        ranked = cache[it["query"]]
        out[(it["variant"], it["qid"])] = {"ranked": ranked, "rr": reciprocal_rank(ranked, it["grades"]),
                                           "ndcg": ndcg(ranked, it["grades"]),
                                           "p10": precision(ranked, it["grades"])}
    return out, 1000 * seconds / max(len(cache), 1)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


# --------------------------------------------------------------------------- tables


def floor_check(shape: str, variant: str, metric: dict[str, float], keys: list[str],
                name: str = "rr") -> tuple[str, str]:
    """(the floors in words, 'yes'/'NO') for searchkit's figure on one row of metric `name`.
    Issue 5's 'searchkit >= FTS5, tantivy' holds for MRR and nDCG both; the other floors are on
    MRR (known items, topical, questions) or P@10 (concepts)."""
    sk = metric["searchkit"]
    peers = [k for k in keys if k != "searchkit"]
    best = max((metric[k] for k in peers), default=float("-inf"))
    checks: list[tuple[str, bool]] = []
    if shape in ("known items", "topical") and name == "ndcg":
        originals = [k for k in ORIGINAL_PEERS if k in metric]
        checks.append((">= FTS5, tantivy", all(sk >= metric[k] for k in originals)))
    elif shape in ("known items", "topical"):
        if variant in MRR_FLOORS:
            checks.append((f">= {MRR_FLOORS[variant]:.2f}", sk >= MRR_FLOORS[variant]))
        if variant in ISSUE_8_FLOORS:  # the values before issue 8 were printed to 3 decimals
            checks.append((f">= {ISSUE_8_FLOORS[variant]:.3f} (i8)", round(sk, 3) >= ISSUE_8_FLOORS[variant]))
        originals = [k for k in ORIGINAL_PEERS if k in metric]
        if originals:
            checks.append((">= FTS5, tantivy", all(sk >= metric[k] for k in originals)))
    elif shape == "questions" and name == "rr":
        checks.append((">= best peer", sk >= best))
    elif shape == "concepts":
        checks += [(f">= {CONCEPT_FLOOR:.2f}", sk >= CONCEPT_FLOOR), (">= best peer", sk >= best)]
    if not checks:
        return "", ""
    return "; ".join(text for text, _ in checks), "yes" if all(ok for _, ok in checks) else "NO"


def shape_table(shape: str, groups: list[tuple[str, list[dict]]], scores: dict, keys: list[str],
                metric: str, with_floors: bool) -> None:
    names = {"rr": "MRR@10", "ndcg": "nDCG@10", "p10": "P@10"}
    rows = []
    for variant, group in groups:
        values = {k: mean([scores[k][(it["variant"], it["qid"])][metric] for it in group]) for k in keys}
        row = [variant, len(group)] + [values[k] for k in keys]
        if with_floors and "searchkit" in keys:
            row += list(floor_check(shape, variant, values, keys, metric))
        rows.append(row)
    headers = ["variant", "queries"] + [LABELS[k] for k in keys]
    if with_floors and "searchkit" in keys:
        headers += ["searchkit floors", "met"]
    print_table(headers, [[f"{c:.3f}" if isinstance(c, float) else c for c in r] for r in rows],
                title=f"{shape}: {names[metric]}")


def print_tables(items: list[dict], scores: dict, keys: list[str]) -> None:
    present = {it["variant"] for it in items}
    for shape, variants in SHAPES.items():
        groups = [(v, [it for it in items if it["variant"] == v]) for v in variants if v in present]
        if not groups:
            continue
        if shape == "known items" and len(groups) > 1:
            groups.append(("all known items", [it for _, g in groups for it in g]))
        if shape == "concepts":
            shape_table(shape, groups, scores, keys, "p10", with_floors=True)
        else:
            shape_table(shape, groups, scores, keys, "rr", with_floors=True)
            shape_table(shape, groups, scores, keys, "ndcg", with_floors=shape != "questions")


def print_misses(items: list[dict], scores: dict, keys: list[str]) -> None:
    """Queries where searchkit's first relevant article is not first (P@10 below 1 for concepts),
    or where a peer does better."""
    print("searchkit misses (first relevant not at rank 1 / P@10 < 1, or below a peer):")
    peers = [k for k in keys if k != "searchkit"]
    for it in items:
        key = (it["variant"], it["qid"])
        metric = "p10" if shape_of(it["variant"]) == "concepts" else "rr"
        sk = scores["searchkit"][key][metric]
        best_key = max(peers, key=lambda k: scores[k][key][metric], default=None)
        best = scores[best_key][key][metric] if best_key else 0.0
        if sk < 1.0 or sk < best:
            name = "P@10" if metric == "p10" else "RR"
            relevant = list(it["grades"])
            print(f"  [{it['variant']}] {it['qid']} {it['query']!r}: searchkit {name} {sk:.2f}, best peer "
                  f"{best:.2f} ({LABELS.get(best_key, '-')}); relevant {relevant[:3]}"
                  f"{' …' if len(relevant) > 3 else ''} ({len(relevant)}); searchkit top 3 "
                  f"{scores['searchkit'][key]['ranked'][:3]}")
    print()


def backend_table(items: list[dict], scores: dict) -> None:
    """Every variant's figure on the local index and on the backend, and whether they are
    within BACKEND_TOLERANCE (MRR@10 and nDCG@10; P@10 for concepts)."""
    rows = []
    present = [v for variants in SHAPES.values() for v in variants if any(it["variant"] == v for it in items)]
    for variant in present:
        group = [it for it in items if it["variant"] == variant]
        metrics = ["p10"] if shape_of(variant) == "concepts" else ["rr", "ndcg"]
        for metric in metrics:
            local, remote = (mean([scores[k][(it["variant"], it["qid"])][metric] for it in group])
                             for k in ("searchkit", "typesense"))
            rows.append([variant, {"rr": "MRR@10", "ndcg": "nDCG@10", "p10": "P@10"}[metric], len(group),
                         f"{local:.3f}", f"{remote:.3f}", f"{remote - local:+.3f}",
                         "yes" if abs(remote - local) <= BACKEND_TOLERANCE else "NO"])
    print_table(["variant", "metric", "queries", "searchkit (local)", "sk on Typesense", "difference",
                 f"within {BACKEND_TOLERANCE}"], rows, title="searchkit on the Typesense backend against the local index")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    add_typesense_options(parser)
    parser.add_argument("--devset", type=Path, default=BENCH_DIR / "devset",
                        help="folder with the judged queries (default: bench/devset)")
    parser.add_argument("--only", help="variants or shapes to run, comma-separated "
                        f"(shapes: {', '.join(SHAPES)}; e.g. --only question,concept_unaccented)")
    parser.add_argument("--misses", action="store_true", help="list the queries where searchkit ranks the "
                        "first relevant article below 1 (P@10 below 1 for concepts), or below a peer")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    items = select(load_devset(args.devset), args.only)
    if not items:
        sys.exit(f"no judged queries in {args.devset}")
    fingerprint = corpus_fingerprint(corpus)
    print(f"corpus: {corpus}; workdir: {workdir}; devset: {args.devset} ({len(items)} judged queries)")
    print(machine_note())
    print()

    keys = ENGINE_KEYS if SearchkitEngine.available() else ENGINE_KEYS[1:]
    if "searchkit" not in keys:
        print("searchkit is not importable yet: peer figures only\n")
    scores, ms = {}, {}
    for key in keys:
        engine = ensure_index(key, corpus, workdir, fingerprint)
        scores[key], ms[key] = evaluate(engine, items)
        engine.close()
    backend, server = typesense_from_args(args, workdir)
    try:
        if backend is not None and "searchkit" in keys:
            scores["typesense"], ms["typesense"] = evaluate(backend.ensure(corpus, fingerprint), items)
            backend.close()
    finally:
        if server is not None:
            server.stop()

    print_tables(items, scores, keys)
    if "typesense" in scores:
        backend_table(items, scores)
        keys = keys + ["typesense"]
    print("mean ms per distinct query (all shapes, no snippets): "
          + ", ".join(f"{LABELS[k]} {ms[k]:.1f}" for k in keys) + "\n")
    if args.misses and "searchkit" in keys:
        print_misses(items, scores, keys)
    print(f"at the end: {machine_note()}")


if __name__ == "__main__":
    main()
