"""Relevance benchmark: searchkit beside SQLite FTS5 and tantivy (three ways each), per query shape.

    python bench/relevance.py [--corpus PATH] [--workdir DIR] [--devset DIR] [--only V[,V]] [--misses]
                              [--half tune|test|both] [--json PATH] [--compare OLD.json]
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
  (make_devset.telex), with the same judgments;
- bags (bags.jsonl: bag, bag_unaccented) and variant bags (variant_bags.jsonl: bag_tone, bag_iy,
  bag_telex, bag_abbreviation): MRR@10 and nDCG@10 of the one article;
- look-alikes (lookalikes.jsonl: lookalike) and names (names.jsonl: name_abbreviation,
  name_abbreviation_unaccented): P@10, as concepts.

Every query belongs to a half, `tune` or `test` (`half_of`: a stable hash of its relevant
article, or of its folded query where every holder is relevant); the new files carry it, the
older ones get it computed. After the per-shape tables, one summary table sets every variant's
searchkit figure on each half beside the peers'. `--half` runs one half only; `--json PATH` writes
searchkit's figures ({variant: {metric, tune, test, all}}) and `--compare OLD.json` prints them
before, after and the difference, variant by variant.

With --typesense (a local server started for the run) or --backend URL, searchkit on that
backend answers every query too, and a last table sets it beside the local index, variant by
variant (issue 12: within 0.03).

Engines (peers.py says how each is configured): searchkit; FTS5 and tantivy as before (all words
first, then OR); FTS5 OR and tantivy OR (pure OR); tantivy OR+phrase (OR plus each typed run as
a phrase boosted ×3). Every engine answers every query, on the same corpus, in one run. Each table
prints the floors of issues 5 and 8 beside searchkit's figure; nothing here asserts.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH_DIR, base_parser, check_corpus, check_workdir, corpus_fingerprint, machine_note, print_table
from make_devset import fold, telex
from peers import SearchkitEngine, add_typesense_options, ensure_index, typesense_from_args

K = 10
KNOWN_VARIANTS = ["accented", "unaccented", "nfd", "tone_placement", "telex", "vni", "iy", "abbreviation"]
SHAPES = {  # shape: its variants, in table order
    "known items": KNOWN_VARIANTS,
    "topical": ["topical"],
    "questions": ["question", "question_unaccented", "question_telex", "question_hand"],
    "concepts": ["concept", "concept_unaccented", "concept_telex"],
    "bags": ["bag", "bag_unaccented"],
    "variant bags": ["bag_tone", "bag_iy", "bag_telex", "bag_abbreviation"],
    "look-alikes": ["lookalike"],
    "names": ["name_abbreviation", "name_abbreviation_unaccented"],
}
#: Shapes scored by P@10 (every article holding the phrase is relevant); the others by MRR@10.
P10_SHAPES = {"concepts", "look-alikes", "names"}
METRIC_NAMES = {"rr": "MRR@10", "ndcg": "nDCG@10", "p10": "P@10"}
#: Files of one judged query a line, with its variant: (file, whether every row names its half).
VARIANT_FILES = [("known_items.jsonl", False), ("questions.jsonl", False), ("questions_hand.jsonl", False),
                 ("concepts.jsonl", False), ("bags.jsonl", True), ("variant_bags.jsonl", True),
                 ("lookalikes.jsonl", True), ("names.jsonl", True)]
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

HALVES = ("tune", "test")


def half_of(key: str) -> str:
    """'tune' or 'test', fixed by a stable hash of the item's key: the (first) relevant article's
    id for single-answer sets, the folded query for sets judged by every holder ('nghe an').
    The same key always lands in the same half, so tuning never sees a test article's query.

    >>> half_of("vntc-train-XH-TT-3118") in HALVES
    True
    """
    return HALVES[hashlib.sha256(f"searchkit-half:{key}".encode()).digest()[0] % 2]


def load_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_devset(devset: Path) -> list[dict]:
    """Every judged query as {variant, qid, query, grades: {id: grade}, half}."""
    items = []
    for name, has_half in VARIANT_FILES:
        for row in load_jsonl(devset / name):
            items.append({"variant": row["variant"], "qid": row["qid"], "query": row["query"],
                          "grades": {doc_id: 1 for doc_id in row["relevant"]},
                          "half": row["half"] if has_half else computed_half(row)})
            if row["variant"] in TELEX_FROM:
                items.append({**items[-1], "variant": TELEX_FROM[row["variant"]], "qid": row["qid"] + "t",
                              "query": telex(row["query"])})
    for row in load_jsonl(devset / "topical.jsonl"):
        items.append({"variant": "topical", "qid": row["qid"], "query": row["query"],
                      "grades": dict(row["relevant"]), "half": half_of(fold(row["query"]))})
    return items


def computed_half(row: dict) -> str:
    """The half of a row of the older files: by its one article (known items, questions), by
    the folded concept (concepts: 'chu ky so', the same for both of its variants)."""
    if row["variant"].startswith("concept"):
        return half_of(fold(row["query"]))
    return half_of(row["relevant"][0])


def shape_of(variant: str) -> str:
    return next((shape for shape, variants in SHAPES.items() if variant in variants), "other")


def metric_of(variant: str) -> str:
    """The figure a variant is judged by: P@10 for phrase-judged shapes, else MRR@10."""
    return "p10" if shape_of(variant) in P10_SHAPES else "rr"


def _plain(name: str) -> str:
    """A shape's name as typed on a command line: 'variant bags' = 'variant_bags', 'lookalikes'."""
    return re.sub(r"[\s_-]+", "", name.lower())


def select(items: list[dict], only: str | None, half: str = "both") -> list[dict]:
    """--only: variants or shape names, comma-separated ('question,concept', 'concepts');
    --half: the tune or the test half only."""
    items = [it for it in items if half in ("both", it["half"])]
    if not only:
        return items
    wanted: set[str] = set()
    shapes = {_plain(shape): variants for shape, variants in SHAPES.items()}
    for name in (n.strip() for n in only.split(",") if n.strip()):
        wanted.update(shapes.get(_plain(name), [name]))
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
        floors = shape in ("known items", "topical", "questions", "concepts")  # the new shapes have none yet
        if shape in P10_SHAPES:
            shape_table(shape, groups, scores, keys, "p10", with_floors=floors)
        else:
            shape_table(shape, groups, scores, keys, "rr", with_floors=floors)
            shape_table(shape, groups, scores, keys, "ndcg", with_floors=floors and shape != "questions")


# --------------------------------------------------------------------------- halves, summary, json


def figure(scores: dict, key: str, group: list[dict], metric: str) -> float | None:
    """An engine's mean figure over a group of queries; None for an empty group."""
    return mean([scores[key][(it["variant"], it["qid"])][metric] for it in group]) if group else None


def searchkit_figures(items: list[dict], scores: dict) -> dict[str, dict]:
    """{variant: {metric, tune, test, all, queries}} for searchkit, every variant present (None
    for a half that did not run)."""
    out = {}
    for variant in variants_present(items):
        group = [it for it in items if it["variant"] == variant]
        metric = metric_of(variant)
        halves = {h: figure(scores, "searchkit", [it for it in group if it["half"] == h], metric) for h in HALVES}
        both = None not in halves.values()  # 'all' only where both halves ran (not under --half)
        out[variant] = {"metric": METRIC_NAMES[metric], "queries": len(group), **halves,
                        "all": figure(scores, "searchkit", group, metric) if both else None}
    return out


def variants_present(items: list[dict]) -> list[str]:
    present = {it["variant"] for it in items}
    return [v for variants in SHAPES.values() for v in variants if v in present]


def summary_table(items: list[dict], scores: dict, keys: list[str]) -> None:
    """One line per variant: its metric, searchkit on the tune and test halves and on both, and
    every peer as 'tune/test'."""
    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    peers = [k for k in keys if k != "searchkit"]
    rows = []
    for variant in variants_present(items):
        group = [it for it in items if it["variant"] == variant]
        halves = {h: [it for it in group if it["half"] == h] for h in HALVES}
        metric = metric_of(variant)
        row = [variant, METRIC_NAMES[metric], f"{len(halves['tune'])}/{len(halves['test'])}"]
        if "searchkit" in keys:
            row += [cell(figure(scores, "searchkit", halves[h], metric)) for h in HALVES]
            row.append(cell(figure(scores, "searchkit", group, metric)))
        row += ["/".join(cell(figure(scores, k, halves[h], metric)) for h in HALVES) for k in peers]
        rows.append(row)
    headers = ["variant", "metric", "queries"]
    if "searchkit" in keys:
        headers += ["searchkit tune", "searchkit test", "searchkit all"]
    print_table(headers + [LABELS[k] for k in peers], rows,
                title="summary: every variant, searchkit on the tune and test halves and both, each peer as "
                      "tune/test (MRR@10 for one answering article, P@10 where every holder is relevant; "
                      "queries: tune/test)")


def write_json(path: Path, figures: dict[str, dict]) -> None:
    """searchkit's figures, with the commit measured, for a later --compare."""
    meta = {"git_head": git_head(), "measured": time.strftime("%Y-%m-%d %H:%M:%S")}
    path.write_text(json.dumps({"_meta": meta, **figures}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}\n")


def git_head() -> str:
    """The commit of the working tree measured, '+ changes' when files differ from it."""
    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=BENCH_DIR, capture_output=True, text=True)
        return run.stdout.strip() if run.returncode == 0 else ""

    head = git("rev-parse", "HEAD") or "unknown"
    return head + (" + changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def compare_table(old_path: Path, new: dict[str, dict]) -> None:
    """Before (OLD.json), after (this run) and the difference, per variant and half."""
    old = json.loads(old_path.read_text(encoding="utf-8"))

    def cell(before: float | None, after: float | None) -> str:
        if before is None or after is None:
            return f"{'-' if before is None else f'{before:.3f}'} → {'-' if after is None else f'{after:.3f}'}"
        return f"{before:.3f} → {after:.3f} ({after - before:+.3f})"

    rows = []
    for variant, after in new.items():  # the variants of this run (--only may leave some out)
        before = old.get(variant, {})
        rows.append([variant, after["metric"]] + [cell(before.get(h), after.get(h)) for h in (*HALVES, "all")])
    print_table(["variant", "metric", "tune", "test", "all"], rows,
                title=f"searchkit before ({old_path}, {old.get('_meta', {}).get('git_head', '?')}) → after "
                      f"(this run, {git_head()})")


def print_misses(items: list[dict], scores: dict, keys: list[str]) -> None:
    """Queries where searchkit's first relevant article is not first (P@10 below 1 for concepts),
    or where a peer does better."""
    print("searchkit misses (first relevant not at rank 1 / P@10 < 1, or below a peer):")
    peers = [k for k in keys if k != "searchkit"]
    for it in items:
        key = (it["variant"], it["qid"])
        metric = metric_of(it["variant"])
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
        metrics = ["p10"] if metric_of(variant) == "p10" else ["rr", "ndcg"]
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
    parser.add_argument("--only", help="variants or shapes to run, comma-separated (shapes: "
                        f"{', '.join(s.replace(' ', '_') for s in SHAPES)}; e.g. --only question,concept_unaccented)")
    parser.add_argument("--misses", action="store_true", help="list the queries where searchkit ranks the "
                        "first relevant article below 1 (P@10 below 1 for concepts), or below a peer")
    parser.add_argument("--half", choices=["tune", "test", "both"], default="both",
                        help="run the tune or the test half of every set only (default: both)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write searchkit's figures per variant "
                        "({variant: {metric, tune, test, all}}) to PATH")
    parser.add_argument("--compare", type=Path, metavar="OLD.json", help="print searchkit's figures beside "
                        "those of an earlier --json run: before, after, difference")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    if args.compare and not args.compare.exists():
        sys.exit(f"--compare: no such file {args.compare}")
    items = select(load_devset(args.devset), args.only, args.half)
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
    summary_table(items, scores, keys)
    if "searchkit" in keys and (args.json or args.compare):
        figures = searchkit_figures(items, scores)
        if args.json:
            write_json(args.json, figures)
        if args.compare:
            compare_table(args.compare, figures)
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
