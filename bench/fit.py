"""Fit ranking weights on the tune half of the dev set by coordinate ascent; report both halves.

    python bench/fit.py [--index DIR] [--devset DIR] [--rounds N] [--weights NAME,NAME]

Every query shape counts once (the mean over shapes of each shape's mean figure: MRR@10 for
single-answer sets, P@10 for phrase-judged ones), and a candidate value is kept only if no
shape falls by more than `MAX_DROP` on the tune half: one shape may not pay for another. The
test half is only scored, never looked at while choosing. The weights live in
`searchkit/searching/ranking.py` (and `exact.py`); this script sets them on the imported
modules, in-process, and prints a table of the chosen values with their figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from common import BENCH_DIR, DEFAULT_WORKDIR
from relevance import K, load_devset, metric_of, precision, reciprocal_rank, shape_of

#: A shape whose tune figure falls by more than this rejects the candidate value.
MAX_DROP = 0.005
#: name: (module, values tried); the current value is always among them.
GRID = {
    "LOOKALIKE": ("ranking", [0.05, 0.1, 0.2, 0.35, 0.5]),
    "LOOKALIKE_COVER": ("ranking", [0.15, 0.3, 0.5, 0.7]),
    "NAME_APART": ("ranking", [0.3, 0.5, 0.7, 1.0]),
    "NAME_SHARE": ("ranking", [0.3, 0.5, 0.7]),
    "NEAR_BONUS": ("ranking", [1.0, 2.0, 3.0, 4.0]),
    "NEAR_POWER": ("ranking", [1.0, 1.5, 2.0]),
    "PAIR_BOOST": ("ranking", [0.75, 1.5, 2.5]),
    "COVERAGE_POWER": ("ranking", [1.5, 2.0, 3.0]),
}


def modules():
    from searchkit.searching import exact, ranking

    return {"ranking": ranking, "exact": exact}


def score(engine, items: list[dict]) -> dict[str, float]:
    """Mean figure per shape over `items` (each query searched once, top K)."""
    per_shape: dict[str, list[float]] = {}
    for it in items:
        ranked = [hit.id for hit in engine.search(it["query"], limit=K, snippets=0).hits]
        value = precision(ranked, it["grades"]) if metric_of(it["variant"]) == "p10" else \
            reciprocal_rank(ranked, it["grades"])
        per_shape.setdefault(shape_of(it["variant"]), []).append(value)
    return {shape: sum(v) / len(v) for shape, v in per_shape.items()}


def objective(figures: dict[str, float]) -> float:
    return sum(figures.values()) / len(figures)


def fit(engine, tune: list[dict], names: list[str], rounds: int) -> dict[str, float]:
    """Coordinate ascent: each weight in turn takes the grid value that raises the objective
    most without dropping a shape by more than MAX_DROP; repeated until nothing changes."""
    mods = modules()
    best = score(engine, tune)
    print(f"start: {objective(best):.4f} {fmt(best)}", flush=True)
    for round_ in range(rounds):
        changed = False
        for name in names:
            module = mods[GRID[name][0]]
            current = getattr(module, name)
            for value in GRID[name][1]:
                if value == current:
                    continue
                setattr(module, name, value)
                figures = score(engine, tune)
                fair = all(figures[s] >= best[s] - MAX_DROP for s in best)
                if fair and objective(figures) > objective(best) + 1e-4:
                    best, current, changed = figures, value, True
                    print(f"  round {round_ + 1}: {name} = {value}: {objective(best):.4f} {fmt(best)}", flush=True)
            setattr(module, name, current)
        if not changed:
            break
    return {name: getattr(mods[GRID[name][0]], name) for name in names}


def fmt(figures: dict[str, float]) -> str:
    return " ".join(f"{shape}={value:.3f}" for shape, value in sorted(figures.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=DEFAULT_WORKDIR / "searchkit-index")
    parser.add_argument("--devset", type=Path, default=BENCH_DIR / "devset")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--weights", default=",".join(GRID), help="comma-separated names from GRID")
    args = parser.parse_args()
    from searchkit import SearchEngine

    engine = SearchEngine(args.index)
    items = [it for it in load_devset(args.devset) if it["variant"] != "topical"]
    tune = [it for it in items if it["half"] == "tune"]
    test = [it for it in items if it["half"] == "test"]
    names = [n.strip() for n in args.weights.split(",") if n.strip()]
    unknown = set(names) - set(GRID)
    if unknown:
        sys.exit(f"--weights: unknown {', '.join(sorted(unknown))}; known: {', '.join(GRID)}")
    mods = modules()
    before = {name: getattr(mods[GRID[name][0]], name) for name in names}
    test_before = score(engine, test)
    start = time.perf_counter()
    chosen = fit(engine, tune, names, args.rounds)
    print(f"\nfitted in {time.perf_counter() - start:.0f} s on {len(tune)} tune queries")
    print("weight            before  after")
    for name in names:
        print(f"{name:16}  {before[name]:>6}  {chosen[name]:>5}")
    print(f"tune: {fmt(score(engine, tune))}")
    print(f"test before: {fmt(test_before)}")
    print(f"test after:  {fmt(score(engine, test))}")


if __name__ == "__main__":
    main()
