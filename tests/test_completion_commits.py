"""Completions after commits: the table a commit needs is built from what the one before read
(`complete.completer_for`, `Completer.read`, each segment's word totals), and equals the table
a fresh engine builds; a server builds it aside while the table before answers
(`LocalIndex.complete_in_background`)."""

from __future__ import annotations

import json
from pathlib import Path

from searchkit import SearchEngine
from searchkit.searching import complete

from .conftest import write_jsonl_corpus

#: A name no sample article holds, written by each added article.
NAME = "Sao Mai Xanh"


def added(path: Path, count: int) -> Path:
    """`count` articles about the new name, in a JSONL file of their own."""
    records = [{"id": f"sao-mai-{i}", "title": f"Viettel khai trương trạm {NAME} số {i}",
                "body": f"Dự án {NAME} của Viettel phủ sóng 5G cho vùng sâu. Trạm {NAME} số {i} do Sở "
                        f"Thông tin và Truyền thông nghiệm thu, tiếp nối trạm {NAME} đầu tiên."} for i in range(count)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def table(engine: SearchEngine):
    """The engine's completion table of its last commit, as a comparable tuple."""
    built = engine.backend.reading(lambda view: view.store.completion_table(view.arrays, view.pairs()))
    return list(built.keys), list(map(tuple, built.spellings)), list(built.shown), built.weights.tolist()


def engine_with_commits(root: Path) -> tuple[SearchEngine, Path]:
    corpus = root / "tin.jsonl"
    write_jsonl_corpus(corpus, 120)
    engine = SearchEngine(root / "index")
    engine.index([corpus], batch_size=40, workers=1)
    return engine, root / "them.jsonl"


def test_a_table_built_from_the_one_before_is_a_fresh_engines(tmp_path):
    """Completions asked, then two commits (articles added, then some removed): after each, the
    table the engine builds from its last one is the one a fresh engine builds, and offers the
    name the first commit brought in."""
    engine, extra = engine_with_commits(tmp_path)
    assert NAME not in engine.complete("sao m") and engine.complete("tram b")
    engine.index([tmp_path / "tin.jsonl", added(extra, 4)], batch_size=40, workers=1)
    assert engine.complete("sao m")[0] == NAME
    assert table(engine) == table(SearchEngine(tmp_path / "index"))
    engine.index([tmp_path / "tin.jsonl", added(extra, 2)], batch_size=40, workers=1)  # two removed
    engine.complete("sao m")
    assert table(engine) == table(SearchEngine(tmp_path / "index"))


def test_a_server_answers_from_the_table_before_while_a_commits_is_built(tmp_path):
    """In a server (`complete_in_background`), the first completion after a commit answers at
    once from the table before it; the commit's, built in a thread, answers once built, the
    same as a fresh engine's."""
    engine, extra = engine_with_commits(tmp_path)
    engine.backend.complete_in_background()
    before = engine.complete("sao m")
    engine.index([tmp_path / "tin.jsonl", added(extra, 4)], batch_size=40, workers=1)
    assert engine.complete("sao m") == before and NAME not in before  # the table before answered
    building = engine.backend._completing
    assert building is not None
    building.join(timeout=60)
    assert engine.complete("sao m")[0] == NAME
    assert table(engine) == table(SearchEngine(tmp_path / "index"))


def test_a_table_that_failed_in_the_background_is_built_by_the_next_completion(tmp_path, monkeypatch):
    engine, extra = engine_with_commits(tmp_path)
    engine.backend.complete_in_background()
    engine.complete("tram")
    engine.index([tmp_path / "tin.jsonl", added(extra, 4)], batch_size=40, workers=1)
    build = complete.Completer.build
    failing = iter([True])
    monkeypatch.setattr(complete.Completer, "build", classmethod(
        lambda cls, *args: (_ for _ in ()).throw(MemoryError()) if next(failing, False) else build(*args)))
    assert NAME not in engine.complete("sao m")
    engine.backend._completing.join(timeout=60)
    assert engine.complete("sao m")[0] == NAME  # built here, the failure not kept
