"""Shared fixtures: the bundled sample corpus and indexes built from it."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from searchkit import SearchEngine

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def _english_unless_a_test_says(monkeypatch):
    """Tests read English output unless they choose a language: a developer whose locale is
    vi_VN would otherwise see the CLI answer in Vietnamese (its default there)."""
    monkeypatch.setenv("SEARCHKIT_LANG", "en")


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory) -> SearchEngine:
    """An index of the five sample articles, built once (read-only in tests)."""
    engine = SearchEngine(tmp_path_factory.mktemp("sample") / "index")
    report = engine.index([CORPUS])
    assert report.added == 5 and not report.skipped
    return engine


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the sample corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def write_articles(folder: Path, articles: dict[str, str]) -> Path:
    """Write `name -> text` as .txt articles (title line, blank, body)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def engine_over(root: Path, articles: dict[str, str]) -> SearchEngine:
    """An engine whose index holds exactly `articles` (written under root/corpus)."""
    engine = SearchEngine(root / "index")
    engine.index([write_articles(root / "corpus", articles)])
    return engine


def add_one_at_a_time(engine: SearchEngine, texts: list[str], count: int, check) -> bool:
    """Add `count` articles (`texts` in turn) to the corpus `engine_over` wrote, a commit each,
    calling `check(n)` after each commit; True when the merge policy merged segments on the
    way (past MAX_SEGMENTS it merges the smallest)."""
    from searchkit.indexing.adapter import segment_leaves
    from searchkit.indexing.store import open_index

    corpus = engine.path.parent / "corpus"
    merged = False
    for n in range(count):
        write_articles(corpus, {f"them_{n}": texts[n % len(texts)] + f" Bài {n}."})
        engine.index([corpus])
        check(n)
        with open_index(engine.path).reader() as reader:
            merged = merged or len(segment_leaves(reader)) < n + 2
    return merged


def write_jsonl_corpus(path: Path, count: int) -> list[str]:
    """`count` distinct articles built from the seed paragraphs; returns their ids in order."""
    from searchkit.indexing.corpus import iter_articles

    seeds = list(iter_articles([CORPUS]))
    paragraphs = [p for article in seeds for p in article.body.split("\n") if len(p) > 80]
    ids = []
    with path.open("w", encoding="utf-8") as stream:
        for i in range(count):
            seed = seeds[i % len(seeds)]
            body = "\n".join(paragraphs[(i + k) % len(paragraphs)] for k in range(3))
            ids.append(f"bai-{i:05d}")
            record = {"id": ids[-1], "title": f"{seed.title} (kỳ {i})", "body": f"Bài số {i}. {body}"}
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return ids


def segmented_engine(root: Path, count: int, batch_size: int = 100) -> SearchEngine:
    """An index of `count` generated articles in segments of `batch_size`, under `root`."""
    corpus = root / "news.jsonl"
    write_jsonl_corpus(corpus, count)
    engine = SearchEngine(root / "index")
    engine.index([corpus], batch_size=batch_size, workers=1)
    return engine


def copied_engine(engine: SearchEngine, where: Path) -> SearchEngine:
    """A copy of an engine's index, for one test to change or damage."""
    shutil.copytree(engine.path, where / "index")
    return SearchEngine(where / "index")


def batch_ends(roots: list[Path], batched: list[Path], batch_size: int, workers: int) -> set[int]:
    """Where a sync of `roots` that indexes the articles of `batched` (the others unchanged)
    ends its batches, counted in articles: the cuts `sync.batches` makes, equal in bytes."""
    from searchkit.indexing.corpus import estimate, iter_articles
    from searchkit.indexing.sync import MAX_BATCH_CHARS, _scaled_batch_size, batches

    expected, held = estimate(roots)
    grown = _scaled_batch_size(batch_size, expected, workers)
    parts = batches(iter(iter_articles(batched, defer=True)), grown, workers, MAX_BATCH_CHARS * grown // batch_size,
                    expected, held)
    return set(itertools.accumulate(len(part) for part in parts))
