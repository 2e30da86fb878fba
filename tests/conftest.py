"""Shared fixtures: the bundled sample corpus and indexes built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from searchkit import SearchEngine

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


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
