"""What keeps searches cheap on a big index gives the answers the plain way gives (issue 21):
positions read only in the articles a rare word is in, runs of words started from their
rarest, the generation's term index for prefixes."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from searchkit import SearchEngine
from searchkit.searching import ranking
from searchkit.searching.exact import doc_counts
from tests.conftest import write_jsonl_corpus


@pytest.fixture(scope="module")
def arrays(tmp_path_factory):
    """The arrays of an index of 120 generated articles added 30 at a time (four segments)."""
    root = tmp_path_factory.mktemp("scale")
    lines = write_jsonl_corpus(root / "all.jsonl", 120) and (root / "all.jsonl").read_text(encoding="utf-8").splitlines(True)
    engine, parts = SearchEngine(root / "index"), []
    for k in range(4):
        parts.append(root / f"part{k}.jsonl")
        parts[-1].write_text("".join(lines[k * 30:(k + 1) * 30]), encoding="utf-8")
        engine.index(parts, workers=1)
    engine.search("trạm BTS", limit=1)
    found = engine.backend._arrays[1]
    assert len(found.leaves) >= 3
    return found


def _followed_left_to_right(arrays, field: str, words: tuple[str, ...]) -> np.ndarray:
    """The run of words the plain way: every word's positions read whole, left to right."""
    keys = arrays.occurrences(field, words[0])
    for word in words[1:]:
        keys = ranking._followed(keys, arrays.occurrences(field, word))
    return keys


def test_positions_within_some_articles_are_theirs_in_every_segment(arrays, monkeypatch):
    from searchkit.searching import arrays as module

    monkeypatch.setattr(module, "READ_WHOLE_HOLDERS", 10)  # 'và' is a common word here
    every = arrays._read_occurrences("body_f", "va")  # 'và': in every article
    assert len(every) > 120
    docs = np.unique(every >> 32)[::7]  # some articles of every segment
    arrays._occurrences.clear()
    within = arrays.occurrences_within("body_f", "va", docs)
    assert within.tolist() == every[np.isin(every >> 32, docs)].tolist()
    assert ("body_f", "va") not in arrays._occurrences
    assert arrays.occurrences_within("body_f", "khongcotu", docs).tolist() == []


@pytest.mark.parametrize("step", [1, 2, 3, 7, 40, 1000])
def test_positions_within_many_or_few_articles_are_theirs(arrays, monkeypatch, step):
    """Articles looked up one by one (a few) or marked in a table (many: `LOOKUP_SHARE`) find
    the same positions of 'và': every article, every other, one in three ... one only."""
    from searchkit.searching import arrays as module

    monkeypatch.setattr(module, "READ_WHOLE_HOLDERS", 10)
    every = arrays._read_occurrences("body_f", "va")
    docs = np.unique(every >> 32)[::step]
    arrays._occurrences.clear()
    assert arrays.occurrences_within("body_f", "va", docs).tolist() == every[np.isin(every >> 32, docs)].tolist()


def _runs_one_by_one(ids, freqs, positions, wanted, offset) -> list[int]:
    """`arrays._runs_within` posting by posting, in Python."""
    keys, start = [], 0
    for doc, freq in zip(ids.tolist(), freqs.tolist()):
        if doc in set(wanted.tolist()):
            keys += [(doc + offset) << 32 | int(p) for p in positions[start:start + freq]]
        start += freq
    return keys


@pytest.mark.parametrize("kind", [np.uint8, np.uint16, np.uint32])
def test_a_segments_positions_of_some_articles_are_those_read_one_by_one(kind):
    """A segment's postings in the file's narrow types: articles wanted past its last one (past
    what the type holds, too: 70,000 beyond uint16), the first posting wanted, few and many."""
    from searchkit.searching.arrays import _runs_within

    rng = np.random.default_rng(7)
    ids = np.unique(rng.integers(0, 250, 90)).astype(kind)
    freqs = rng.integers(1, 6, len(ids)).astype(np.uint8)
    positions = rng.integers(0, 60_000, int(freqs.sum())).astype(np.uint16)
    for wanted in ([int(ids[0])], ids[::9].tolist(), ids[::2].tolist(), ids.tolist(), [3, 251, 70_000],
                   sorted(set(rng.integers(0, 300, 120).tolist()) | {70_000}), []):
        wanted = np.array(wanted, dtype=np.intp)
        found = _runs_within(ids, freqs, positions, wanted, 1000)
        assert found.dtype == np.int64
        assert found.tolist() == _runs_one_by_one(ids, freqs, positions, wanted, 1000)


@pytest.mark.parametrize("word", ["va", "tram", "bts"])
def test_a_words_postings_in_every_segment_are_its_positions_counted(arrays, word):
    """Each segment's doc numbers shifted to the generation's, and its frequencies widened,
    read apart from the positions: the articles and counts its positions give."""
    arrays._cache.clear()
    ids, freqs = arrays._read_postings("body_f", word)
    docs, counts = doc_counts(arrays._read_occurrences("body_f", word))
    assert ids.dtype == np.intp and freqs.dtype == np.float32
    assert len(np.unique(ids * len(arrays.leaves) // arrays.size)) > 1  # in several segments
    assert ids.tolist() == docs.tolist() and freqs.tolist() == counts.tolist()


def test_the_positions_of_a_word_few_articles_hold_are_read_whole_once_and_kept(arrays, monkeypatch):
    """Within a search's candidates, a word held by READ_WHOLE_HOLDERS articles or fewer is read
    whole, once, and kept for the searches after: not read again segment by segment each time
    (6 % of a warm dev-set search's instructions on the 16k index's eight segments)."""
    from searchkit.searching import arrays as module

    held = arrays.document_frequency("body_f", "va")
    monkeypatch.setattr(module, "READ_WHOLE_HOLDERS", held)
    arrays._occurrences.clear()
    every = arrays._read_occurrences("body_f", "va")
    docs = np.unique(every >> 32)[::7]
    read, reading = [], arrays._read_occurrences
    monkeypatch.setattr(arrays, "_read_occurrences", lambda *a: read.append(a) or reading(*a))
    for _ in range(3):
        within = arrays.occurrences_within("body_f", "va", docs)
        assert within.tolist() == every.tolist()  # callers keep the keys of their candidates
    assert len(read) == 1 and ("body_f", "va") in arrays._occurrences
    monkeypatch.setattr(module, "READ_WHOLE_HOLDERS", held - 1)  # one article more than it: read within
    arrays._occurrences.clear()
    assert arrays.occurrences_within("body_f", "va", docs).tolist() == every[np.isin(every >> 32, docs)].tolist()
    assert len(read) == 1


@pytest.mark.parametrize("words", [("bai", "so"), ("so", "1"), ("cua", "cac"), ("tram", "bts"),
                                   ("xay", "dung", "tram"), ("ha", "noi", "khongcotu")])
def test_a_run_read_from_its_rarest_word_is_the_run_read_left_to_right(arrays, words):
    plain = _followed_left_to_right(arrays, "body_f", words)
    arrays._occurrences.clear()  # the common words are then read in the rare word's articles only
    assert ranking.phrase_occurrences(arrays, "body_f", words).tolist() == plain.tolist()


@pytest.mark.parametrize("words, read_whole", [(("cac", "tram"), ("tram",)), (("xay", "dung", "tram"), ("xay", "tram")),
                                               (("mang", "luoi"), ("mang", "luoi")), (("tram", "bts"), ("tram", "bts"))])
def test_a_run_reads_a_word_in_the_run_articles_only_when_it_is_in_many_more(arrays, monkeypatch, words, read_whole):
    """`các trạm`: the rarest word, `trạm`, is read whole (31 articles, 33 places); `các`, in all
    120 articles, in those 31 only (`_run_articles`: in more than RESTRICT_RATIO times as many),
    not whole. `xây dựng trạm`: `xây` (90 articles) is read whole after `trạm`, then `dựng` (116)
    in the articles of the 6 places left. `mạng lưới`: `mạng` in 70 articles, `lưới` in 24: read
    whole, and kept for the searches after. Either way the run is the one every word read whole
    gives."""
    from searchkit.searching import arrays as module

    monkeypatch.setattr(module, "READ_WHOLE_HOLDERS", 10)  # else a word of 120 articles is read whole
    plain = _followed_left_to_right(arrays, "body_f", words)
    arrays._occurrences.clear()
    found = ranking.phrase_occurrences(arrays, "body_f", words)
    assert len(found) and found.tolist() == plain.tolist()
    assert [w for w in words if ("body_f", w) in arrays._occurrences] == list(read_whole)


def test_doc_counts_are_what_unique_counts():
    keys = np.array([(3 << 32) | 1, (3 << 32) | 9, (5 << 32) | 2, (9 << 32) | 4, (9 << 32) | 5], dtype=np.int64)
    docs, counts = doc_counts(keys)
    expected = np.unique(keys >> 32, return_counts=True)
    assert docs.tolist() == expected[0].tolist() == [3, 5, 9]
    assert counts.tolist() == expected[1].tolist() == [2, 1, 2]
    assert [len(a) for a in doc_counts(np.zeros(0, np.int64))] == [0, 0]


@pytest.mark.parametrize("prefix", ["t", "tr", "ng", "b", "kỳ", "zz"])
def test_prefixes_expand_from_the_term_index_as_from_every_segment(arrays, prefix):
    for field in ("title_f", "body_f", "title"):
        summed: dict[str, int] = {}
        for leaf, _ in arrays.leaves:
            for term, count in arrays._sides[id(leaf)].completions(field, prefix).items():
                summed[term] = summed.get(term, 0) + count
        assert arrays.completions(field, prefix) == summed
    assert arrays.completions("body_f", "") == {}


def test_the_term_index_of_several_segments_holds_no_python_object_a_word(arrays):
    """Kept from generation to generation, the merged words of every segment are numpy
    bytes, sorted and distinct: no object a word for the garbage collector to walk."""
    arrays.completions("body_f", "tr")
    index = arrays._term_index("body_f")
    words = index.terms.tolist()
    assert index.terms.dtype.kind == "S" and len(words) == len(index.counts) > 100
    assert words == sorted(set(words)) and all(isinstance(word, bytes) and word for word in words)
    assert not gc.is_tracked(index.terms)


@pytest.mark.parametrize("words", [("trạm", "bts"), ("thông", "tin"), ("của", "các"), ("thông", "tin", "và"),
                                   ("trám", "bts"), ("tram", "bts")])
def test_words_as_they_must_match_are_found_among_their_any_accents_run_as_read_afresh(arrays, words, monkeypatch):
    """`chu ky so` restored as *chữ ký số*: the exact run is taken from the run with any
    accents found first (`ranking._as_matched`), and is the run read afresh (each found
    afresh: not read back from what the arrays keep for their generation)."""
    from searchkit.searching.exact import ANY, EXACT, Match
    from searchkit.text.syllables import folded_form

    monkeypatch.setattr(arrays, "derived", lambda key, make, shift=0, needs=tuple: make(arrays))
    exact = tuple(Match(folded_form(w), w, EXACT if w != folded_form(w) else ANY) for w in words)
    loose = tuple(Match(m.folded, m.folded) for m in exact)
    for part in ("title", "body"):
        afresh = ranking._side_by_side(arrays, {}, part, exact)
        known: dict = {}
        everyway = ranking._side_by_side(arrays, known, part, loose)
        found = ranking._side_by_side(arrays, known, part, exact)
        assert found.tolist() == afresh.tolist()
        assert set(found.tolist()) <= set(everyway.tolist())
    if words[0] == "trạm":  # an exact run the fixture holds, and fewer of it than of its look-alikes
        assert 0 < len(afresh) and len(ranking._side_by_side(arrays, {}, "body", exact)) <= len(everyway)


def test_the_norms_every_search_reads_are_never_written(arrays):
    """`scoring.term_bm25` writes into the norms it is handed, so each caller hands it the
    holders' own copy (`take`); the generation's norms stay read-only, and `trạm`'s scores are
    the same bytes however often it is scored."""
    norm = arrays.norm("body_f")
    before = norm.tobytes()
    assert not norm.flags.writeable
    with pytest.raises(ValueError):
        norm += 1.0
    first = arrays.term_scores("body_f", "tram", 1.0)[1].tobytes()
    assert arrays.term_scores("body_f", "tram", 1.0)[1].tobytes() == first
    assert norm.tobytes() == before and len(first) > 0
