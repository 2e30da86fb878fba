"""Relevance gate: searchkit on a slice of the bench's dev set may not fall below its recorded figures.

The slice (tests/data/relevance/, built by bench/make_slice.py) is ~400 corpus articles and the
dev-set queries judged on them: every query shape (known items typed 8 ways, topical, questions,
concepts, keyword bags, variant-first bags, look-alikes, names with abbreviations), each with the
articles that compete with its answer. `figures.json` records searchkit's figure per variant;
the test fails when any variant drops more than TOLERANCE below it, naming the queries that got
worse. After a deliberate change (better or accepted worse), re-record:

    python bench/make_slice.py --record

The articles are read by id from the shared corpus (`../shared/corpus/corpus.jsonl`; it is never
committed: publishers' copyright), or from the gzip'd JSONL that $SEARCHKIT_RELEVANCE_SLICE names
(`bench/make_slice.py --embed PATH` writes one). Without either the test is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLICE = ROOT / "tests" / "data" / "relevance"
CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl"
TOLERANCE = 0.02


def _make_slice():
    """bench/make_slice.py as a module (bench/ is scripts, not a package)."""
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("make_slice", ROOT / "bench" / "make_slice.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _articles_source() -> Path:
    named = os.environ.get("SEARCHKIT_RELEVANCE_SLICE")
    if named:
        return Path(named)
    if not CORPUS.exists():
        pytest.skip(f"no corpus at {CORPUS} and $SEARCHKIT_RELEVANCE_SLICE unset: the slice's articles are not here")
    return CORPUS


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict:
    make_slice = _make_slice()
    wanted, queries = make_slice.load_slice(SLICE)
    engine = make_slice.build_engine(make_slice.read_articles(wanted, _articles_source()),
                                     tmp_path_factory.mktemp("relevance"))
    try:
        return make_slice.measure(engine, queries)
    finally:
        engine.close()


def drops(recorded: dict, now: dict, texts: dict[str, str]) -> list[str]:
    """One line per variant more than TOLERANCE below its recorded figure, with the queries
    that got worse: "lookalike R-precision 0.987 → 0.940: l012 'Điện Biên' 1.00 → 0.50"."""
    lines = []
    for variant, before in recorded["variants"].items():
        after = now["variants"].get(variant)
        if after is None:
            lines.append(f"{variant}: no longer measured (queries.jsonl changed? re-record)")
            continue
        if after["value"] < before["value"] - TOLERANCE:
            worse = [f"{key.split(' ', 1)[1]} {texts.get(key, '')!r} {recorded['queries'][key]:.2f} → {score:.2f}"
                     for key, score in now["queries"].items()
                     if key.startswith(variant + " ") and score < recorded["queries"].get(key, 0.0)]
            lines.append(f"{variant} {before['metric']} {before['value']:.3f} → {after['value']:.3f}: "
                         + ", ".join(worse))
    return lines


def test_no_variant_drops_below_its_recorded_figure(measured):
    recorded = json.loads((SLICE / "figures.json").read_text(encoding="utf-8"))
    _, queries = _make_slice().load_slice(SLICE)
    dropped = drops(recorded, measured, {f"{q['variant']} {q['qid']}": q["query"] for q in queries})
    assert not dropped, (f"{len(dropped)} variant(s) more than {TOLERANCE} below tests/data/relevance/figures.json "
                         "(re-record with `python bench/make_slice.py --record` if the change is meant):\n  "
                         + "\n  ".join(dropped))


def test_every_shape_of_the_bench_is_gated(measured):
    """The slice keeps up with the bench: every variant relevance.py scores is measured here."""
    sys.path.insert(0, str(ROOT / "bench"))
    from relevance import SHAPES

    assert set(measured["variants"]) == {v for variants in SHAPES.values() for v in variants}
