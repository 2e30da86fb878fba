"""Two common syllables side by side (`của các`) are indexed as one term too (issue 21), so
that searching reads a pair's positions instead of merging each word's millions: what it
finds must be exactly what the merge finds, and no list of words may show a pair."""

from __future__ import annotations

import numpy as np
import pytest

from searchkit import SearchEngine
from searchkit.indexing.postings import SUFFIX, SegmentPostings, merge_postings, write_postings
from searchkit.searching import ranking
from searchkit.searching.exact import ANY, EXACT, PLAIN, Match
from searchkit.text.common_pairs import common_syllables, is_pair_term, pair_term
from searchkit.text.syllables import folded_form, syllables
from tests.conftest import CORPUS, engine_over, segmented_engine

QUERIES = ["của các", "cua cac", '"một số"', "trong đó có", "là một trong những", "Bộ Thông tin và Truyền thông",
           "các doanh nghiệp", '"cho các"', "đã có", "trạm BTS của các nhà mạng"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """300 articles made of the seed articles' paragraphs, in three segments."""
    built = segmented_engine(tmp_path_factory.mktemp("pairs"), 300)
    built.search("trạm BTS", limit=1)
    return built


def _arrays(engine):
    engine.search("trạm BTS", limit=1)
    return engine.backend._arrays[1]


def _uncached(arrays, monkeypatch) -> None:
    """Every run found afresh: the arrays keep what a search finds side by side for their
    generation (`IndexArrays.derived`), and a run compared with itself found another way
    would otherwise be read back from there."""
    monkeypatch.setattr(arrays, "derived", lambda key, make, shift=0, needs=tuple: make(arrays))


def _pairs_in(arrays, field: str) -> list[str]:
    """The pair terms every segment of the index holds in a field."""
    return sorted({t.decode() for leaf, _ in arrays.leaves for t in arrays._sides[id(leaf)].terms(field)
                   if is_pair_term(t)})


def test_an_index_holds_the_pairs_of_its_common_syllables_with_the_list_s_version(engine):
    arrays = _arrays(engine)
    assert arrays.common == common_syllables()[0] and len(arrays.leaves) == 3
    folded, accented = _pairs_in(arrays, "body_f"), _pairs_in(arrays, "body")
    assert "cua cac" in folded and "của các" in accented
    assert all(all(w in arrays.common for w in term.split()) for term in folded)
    assert all(all(folded_form(w) in arrays.common for w in term.split()) for term in accented)


def test_a_plain_syllable_between_two_marked_ones_breaks_their_pair_in_the_accented_field(tmp_path):
    """`là BTS của`: BTS holds a place in the accented field and indexes nothing there, so
    `là` and `của` are not side by side; written without marks, `cua cac` is a folded pair only."""
    engine = engine_over(tmp_path, {"a": "Trạm phát sóng\n\nNhiều trạm là BTS của các nhà mạng. Ý kiến cua cac chuyen gia."})
    arrays = _arrays(engine)
    assert "là của" not in _pairs_in(arrays, "body") and "la cua" not in _pairs_in(arrays, "body_f")
    assert "của các" in _pairs_in(arrays, "body")
    keys = arrays.occurrences("body_f", "cua cac")
    assert len(keys) == 2  # the marked and the plain one, at the second word's position
    assert arrays.occurrences("body", "của các").tolist() == keys[:1].tolist()


def _runs_of_common_words(arrays, part: str) -> list[tuple[str, ...]]:
    """Runs of two and three common words the fixture holds side by side, in both forms."""
    pairs = _pairs_in(arrays, part)
    runs = [tuple(p.split()) for p in pairs[::3]]
    runs += [(a, b, d) for a, b in runs[:40] for c, d in runs[:40] if c == b][:40]
    return runs


def _typed_ways(run: tuple[Match, ...]) -> list[tuple[Match, ...]]:
    """A run of marked words typed every way a query may match them: all exactly, all with
    any accents, and each word in turn with any accents or typed plain (`trong đó`: `trong`
    written without marks, `đó` exactly) among the others typed exactly."""
    ways = [run, tuple(Match(m.folded, m.folded, ANY) for m in run)]
    for i, m in enumerate(run):
        for other in (Match(m.folded, m.folded, ANY), Match(m.folded, m.folded, PLAIN)):
            ways.append(run[:i] + (other,) + run[i + 1:])
    return ways


@pytest.mark.parametrize("part", ["title", "body"])
def test_runs_of_common_words_read_as_pairs_are_the_runs_merged_word_by_word(engine, part, monkeypatch):
    """Whether the words match the same way (one term per pair) or not (the run with any
    accents read as pairs, then each word as typed among it), and whether a triple's first
    two words were found before (the third read as a pair after them) or not."""
    arrays = _arrays(engine)
    _uncached(arrays, monkeypatch)
    exact_runs = [tuple(Match(folded_form(w), w, EXACT) for w in run) for run in _runs_of_common_words(arrays, part)]
    runs = sorted({way for run in exact_runs for way in _typed_ways(run)}, key=len)  # pairs before triples
    least = 20 if part == "body" else 2  # titles are short
    assert len(exact_runs) > least
    found = [ranking._side_by_side(arrays, {}, part, forms) for forms in runs]
    known: dict = {}
    in_turn = [ranking._side_by_side(arrays, known, part, forms) for forms in runs]  # a triple's head known
    assert sum(len(keys) > 0 for keys in found) > least
    monkeypatch.setattr(arrays, "common", frozenset())  # as an index without the pairs is searched
    for forms, keys, again in zip(runs, found, in_turn):
        merged = ranking._side_by_side(arrays, {}, part, forms).tolist()
        assert keys.tolist() == merged and again.tolist() == merged, forms
    for forms in runs:
        folded = tuple(m.folded for m in forms)
        merged = ranking.phrase_occurrences(arrays, part + "_f", folded)
        monkeypatch.setattr(arrays, "common", common_syllables()[0])
        assert ranking.phrase_occurrences(arrays, part + "_f", folded).tolist() == merged.tolist(), folded
        monkeypatch.setattr(arrays, "common", frozenset())


@pytest.mark.parametrize("part", ["title", "body"])
def test_a_run_with_some_common_neighbours_reads_them_as_pairs_and_finds_the_same(engine, part, monkeypatch):
    """`điện thoại di động`: `di động` is read as its pair term, the others word by word, typed
    without accents or quoted: the same keys as merging every word's positions. The runs are
    the seed articles' own (three and four words with a common pair and another word)."""
    arrays = _arrays(engine)
    runs = set()
    for path in sorted(CORPUS.glob("*.txt")):
        words = [s.folded for s in syllables(path.read_text("utf-8"))]
        for size in (3, 4):
            for at in range(len(words) - size + 1):
                run = tuple(words[at:at + size])
                terms = ranking._run_terms(arrays, run)[1]
                if any(" " in term for term in terms) and len(terms) < size and any(w not in arrays.common for w in run):
                    runs.add(run)
    assert len(runs) > 50
    found = 0
    for run in sorted(runs):
        paired = ranking.phrase_occurrences(arrays, part + "_f", run)
        loose = ranking._side_by_side(arrays, {}, part, tuple(Match(w, w) for w in run))
        monkeypatch.setattr(arrays, "common", frozenset())
        merged = ranking.phrase_occurrences(arrays, part + "_f", run)
        monkeypatch.setattr(arrays, "common", common_syllables()[0])
        assert paired.tolist() == merged.tolist() == loose.tolist(), run
        found += len(merged) > 0
    assert found > (20 if part == "body" else 0)


@pytest.mark.parametrize("part", ["title", "body"])
def test_a_run_found_then_two_common_words_the_last_without_accents_finds_what_merging_finds(engine, part, monkeypatch):
    """`cấp dịch vụ ra`: once `dịch vụ` is found (a run's head), `ra` typed without accents is
    read after it as the pair `vu ra` with any accents, not by merging the positions of `ra`
    (millions at 16 times the corpus) in the head's articles. The runs are the seed articles'
    own: a word that is not common, then two that are, the first two typed exactly or with any
    accents, the last with any accents or plain; the same keys as merging every word's."""
    arrays = _arrays(engine)
    _uncached(arrays, monkeypatch)
    common = arrays.common
    runs = set()
    for path in sorted(CORPUS.glob("*.txt")):
        found = list(syllables(path.read_text("utf-8")))
        for a, b, c in zip(found, found[1:], found[2:]):
            if a.folded not in common and b.folded in common and c.folded in common:
                runs.add(tuple(Match(s.folded, s.accented.lower(), EXACT) for s in (a, b, c)))
    typed = sorted({head + (Match(last.folded, last.folded, mode),)
                    for *exact, last in runs
                    for head in (tuple(exact), tuple(Match(m.folded, m.folded, ANY) for m in exact))
                    for mode in (ANY, PLAIN)}, key=lambda forms: [m.folded for m in forms])
    assert len(runs) > 30
    known: dict = {}
    in_turn = []
    read: list[tuple[str, str]] = []  # the terms whose positions a triple reads, its head known
    for name in ("occurrences", "occurrences_within"):
        reads = getattr(arrays, name)
        monkeypatch.setattr(arrays, name, lambda field, text, *more, reads=reads: read.append((field, text))
                            or reads(field, text, *more))
    for forms in typed:
        ranking._side_by_side(arrays, known, part, forms[:2])  # the head first, as `_neighbours` finds it
        read.clear()
        in_turn.append(ranking._side_by_side(arrays, known, part, forms))
        if forms[-1].mode == ANY:  # the pair read, never the last word's own positions
            assert (part + "_f", forms[-1].folded) not in read, forms
    assert sum(len(keys) > 0 for keys in in_turn) > (20 if part == "body" else 2)
    monkeypatch.setattr(arrays, "common", frozenset())  # as an index without the pairs is searched
    for forms, keys in zip(typed, in_turn):
        assert keys.tolist() == ranking._side_by_side(arrays, {}, part, forms).tolist(), forms


def _answers(engine, queries):
    answers = []
    for query in queries:
        results = engine.search(query, limit=20)
        answers.append((results.total, [hit.to_dict() for hit in results]))
    return answers


def test_searches_answer_the_same_with_the_pairs_or_by_merging_positions(engine, monkeypatch):
    arrays = _arrays(engine)
    with_pairs = _answers(engine, QUERIES)
    assert sum(total > 0 for total, _ in with_pairs) >= 8
    monkeypatch.setattr(arrays, "common", frozenset())
    assert _answers(engine, QUERIES) == with_pairs


def test_no_list_of_words_shows_a_pair(engine):
    arrays = _arrays(engine)
    assert any(is_pair_term(t) for t in arrays._sides[id(arrays.leaves[0][0])].terms("body_f"))
    completions = arrays.completions("body_f", "cua")
    assert "cua" in completions and not any(" " in term for term in completions)
    side = arrays._sides[id(arrays.leaves[0][0])]
    assert not any(" " in term for term in side.completions("body", "của"))
    assert "các" in side.term_totals("body") and not any(" " in term for term in side.term_totals("body"))
    from searchkit.indexing.check import index_stats

    words = {t for leaf, _ in arrays.leaves for t in arrays._sides[id(leaf)].terms("body_f") if not is_pair_term(t)}
    assert index_stats(engine.path)["vocabulary"] == len(words)


def test_a_merge_keeps_the_pairs_only_when_every_segment_had_them(engine, tmp_path):
    from searchkit.indexing.analysis import analyze_article
    from searchkit.indexing.corpus import iter_articles

    files = sorted(engine.path.glob("*" + SUFFIX))
    sides = [SegmentPostings(path) for path in files[:2]]
    everyone = [(side, np.ones(side._header["body_f"]["docs"], bool)) for side in sides]
    merge_postings(tmp_path / "kept.skp", everyone)
    kept = SegmentPostings(tmp_path / "kept.skp")
    assert kept.common_version == common_syllables()[1]
    assert len(kept.occurrence_runs("body_f", "cua cac")[2]) == sum(len(s.occurrence_runs("body_f", "cua cac")[2])
                                                                   for s in sides)
    write_postings(tmp_path / "plain.skp", [analyze_article(a) for a in iter_articles([CORPUS])], common_pairs=False)
    plain = SegmentPostings(tmp_path / "plain.skp")
    assert plain.common_version is None
    merge_postings(tmp_path / "mixed.skp", everyone[:1] + [(plain, np.ones(5, bool))])
    assert SegmentPostings(tmp_path / "mixed.skp").common_version is None


def test_an_index_written_with_another_list_is_searched_by_merging_and_answers_the_same(engine, tmp_path, monkeypatch):
    import searchkit.text.common_pairs as common_pairs

    words, _ = common_syllables()
    monkeypatch.setattr(common_pairs, "common_syllables", lambda: (words, "another list"))
    other = SearchEngine(tmp_path / "index")
    other.index([engine.path.parent / "news.jsonl"], batch_size=100, workers=1)
    monkeypatch.undo()
    arrays = _arrays(other)
    assert all(side.common_version == "another list" for side in arrays._sides.values())
    assert arrays.common == frozenset()
    assert _answers(other, QUERIES) == _answers(engine, QUERIES)
    from searchkit.indexing.check import index_stats

    assert index_stats(engine.path)["common_pairs"] == "in every segment"
    assert index_stats(other.path)["common_pairs"].startswith("in 0 of 3 segments: searchkit index --rebuild")


def test_a_segment_with_thousands_of_spellings_of_common_words_finds_its_pairs_the_same_way(tmp_path, monkeypatch):
    """Past MAX_PAIR_TABLE pairable terms squared, the distinct pairs are sorted, not marked
    in a table (a hostile text could spell the common syllables thousands of ways): the same
    file either way."""
    import searchkit.indexing.postings as postings
    from searchkit.indexing.analysis import analyze_article
    from searchkit.indexing.corpus import iter_articles

    analysed = [analyze_article(a) for a in iter_articles([CORPUS])]
    write_postings(tmp_path / "table.skp", analysed)
    monkeypatch.setattr(postings, "MAX_PAIR_TABLE", 0)
    write_postings(tmp_path / "sorted.skp", analysed)
    assert (tmp_path / "table.skp").read_bytes() == (tmp_path / "sorted.skp").read_bytes()
    assert "của các" in _pair_terms(SegmentPostings(tmp_path / "sorted.skp"), "body")


def _pair_terms(side, field: str) -> set[str]:
    return {t.decode() for t in side.terms(field) if is_pair_term(t)}


def test_old_and_new_tone_placement_and_i_or_y_find_a_common_pair_the_same(tmp_path, monkeypatch):
    """`văn hoá` and `văn hóa`, `thế kỉ` and `thế kỷ`: the index keeps one form of each, so the
    pair is one term whichever way an article or a query writes it, and finds what merging
    the two words finds."""
    from searchkit.text.syllables import forms

    engine = engine_over(tmp_path, {
        "cu": "Giữ gìn văn hoá truyền thống\n\nBước sang thế kỉ mới, văn hoá đọc thay đổi nhờ công nghệ số.",
        "moi": "Thế kỷ của văn hóa số\n\nThế kỷ 21 là thế kỷ của văn hóa số và dịch vụ trực tuyến.",
        "khac": "Hoa và văn\n\nNgười viết văn trồng hoa, thế giới kì diệu."})
    arrays = _arrays(engine)
    assert pair_term(forms("văn")[0], forms("hoá")[0]) in _pairs_in(arrays, "body")
    assert forms("hoá") == forms("hóa") and forms("kỉ") == forms("kỷ")
    asked = ['văn hoá', 'văn hóa', '"văn hoá"', 'thế kỉ', 'thế kỷ', '"thế kỷ"', 'van hoa', 'the ki']
    with_pairs = _answers(engine, asked)
    # the two articles writing the pair first (a look-alike `văn ... hoa` apart after them), quoted: only them
    assert [sorted(hit["id"] for hit in hits[:2]) for _, hits in with_pairs] == [["cu", "moi"]] * len(asked)
    assert [{hit["id"] for hit in hits} for _, hits in (with_pairs[2], with_pairs[5])] == [{"cu", "moi"}] * 2
    assert with_pairs[0] == with_pairs[1] and with_pairs[3] == with_pairs[4]
    monkeypatch.setattr(arrays, "common", frozenset())
    assert _answers(engine, asked) == with_pairs
