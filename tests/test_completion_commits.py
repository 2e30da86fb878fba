"""Completions after commits: the table a commit needs is built from what the one before read
(`complete.completer_for`, `Completer.read`, each segment's word totals), and equals the table
a fresh engine builds; a server builds it aside while the table before answers
(`LocalIndex.complete_in_background`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from searchkit import SearchEngine
from searchkit.searching import complete
from searchkit.text.keys import folded_key

from .conftest import write_jsonl_corpus

#: A name no sample article holds, written by each added article.
NAME = "Sao Mai Xanh"


def added(path: Path, count: int, name: str = NAME) -> Path:
    """`count` articles about the new `name`, in a JSONL file of their own."""
    ids = "-".join(folded_key(name).split()[:2])
    records = [{"id": f"{ids}-{i}", "title": f"Viettel khai trương trạm {name} số {i}",
                "body": f"Dự án {name} của Viettel phủ sóng 5G cho vùng sâu. Trạm {name} số {i} do Sở "
                        f"Thông tin và Truyền thông nghiệm thu, tiếp nối trạm {name} đầu tiên."} for i in range(count)]
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


def test_a_name_only_removed_articles_held_is_no_longer_offered(tmp_path):
    """Removed articles stay counted in the table until a merge drops them, so the name only
    they wrote would be offered, and the search it leads to find nothing. Removing some of
    them keeps it; removing the last one takes it out of the box at once; words the remaining
    articles hold stay (`complete.words_gone`)."""
    corpus, extra = tmp_path / "tin.jsonl", added(tmp_path / "them.jsonl", 4)
    write_jsonl_corpus(corpus, 120)
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus, extra], batch_size=200, workers=1)  # one segment: removals stay in it
    assert engine.complete("sao m")[0] == NAME
    write_jsonl_corpus(corpus, 110)  # ten more removed: more than articles write the name
    engine.index([corpus, added(extra, 1)], batch_size=200, workers=1)  # and three of its four
    assert engine.complete("sao m")[0] == NAME and engine.search(NAME).hits  # the fourth holds it
    offered = engine.complete("tram b")
    engine.index([corpus, added(extra, 0)], batch_size=200, workers=1)  # the last one removed
    assert engine.backend.reading(lambda view: view.arrays.deleted)  # still counted by the segment
    assert not engine.search(f'"{NAME}"').hits
    assert not any(NAME.lower() in shown.lower() for shown in engine.complete("sao m"))
    assert not any("xanh" in shown.lower() for shown in engine.complete("sao mai x"))
    assert engine.complete("tram b") == offered and offered  # `trạm BTS` still written by the corpus
    assert engine.complete("sao m") == SearchEngine(tmp_path / "index").complete("sao m")


class Removals:
    """An index's arrays as `words_gone` reads them: ten articles, the last two removed."""

    deleted, size, alive = True, 10, np.array([True] * 8 + [False] * 2)
    held = {("body_f", "vinasat"): [8, 9], ("title_f", "vinasat"): [9], ("body_f", "xanh"): [2, 9],
            ("body_f", "tram"): [0, 1, 2, 3, 9]}

    def __init__(self):
        self.memo, self.reader = {}, type("Reader", (), {"doc_count": lambda reader: 8})()

    def document_frequency(self, field, word):
        return len(self.held.get((field, word), []))

    def postings(self, field, word):
        if len(self.held[field, word]) > 2:
            raise AssertionError(f"{word}: more articles than were removed hold it, its postings need no reading")
        return np.array(self.held[field, word]), np.ones(len(self.held[field, word]))


def test_a_word_is_gone_when_the_index_holds_it_in_removed_articles_only():
    gone = complete.words_gone(Removals())
    assert gone("vinasat") and gone("phong vinasat")  # both fields: only in removed articles
    assert not gone("xanh") and not gone("sao mai xanh")  # one removed holder, one live
    assert not gone("tram") and not gone("tram bts")  # more holders than removed articles
    assert not gone("cntt")  # not held as such by the folded fields: nothing says it is gone
    no_removals = Removals()
    no_removals.deleted = False
    assert complete.words_gone(no_removals) is None


#: A name written with marks and the old tone placement (`Thuỷ`, `Khoả`), held by no sample article.
MARKED = "Thuỷ Liễu Khoả"


def test_a_marked_name_typed_any_way_goes_with_its_last_article(tmp_path):
    """Typed without marks, with the old or the new tone placement, or in capitals, the name is
    offered (as the index writes it, one tone placement) while an article holds it, and by
    none of those ways once its last article is removed."""
    corpus, extra = tmp_path / "tin.jsonl", added(tmp_path / "them.jsonl", 4, MARKED)
    write_jsonl_corpus(corpus, 120)
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus, extra], batch_size=200, workers=1)
    typed = ("thuy lieu k", "thuỷ liễu k", "thủy liễu k", "THUỶ LIỄU", "thủy liễu khỏa")
    assert all(engine.complete(text)[:1] == ["Thủy Liễu Khỏa"] for text in typed)
    engine.index([corpus, added(extra, 0, MARKED)], batch_size=200, workers=1)
    assert engine.backend.reading(lambda view: view.arrays.deleted)  # still counted by the segment
    for text in typed:
        assert not any("khỏa" in shown.lower() or "khoả" in shown.lower() for shown in engine.complete(text)), text
