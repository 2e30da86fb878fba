"""The did-you-mean statistics a commit saves are updated from the counts of the commit before
(the words of the segments it added, minus those of the segments it removed), never read from
every segment again, and they are what reading every segment gives, ties included: a tie
goes to the spelling seen first, fields in turn, each over the segments in order."""

from collections import Counter, defaultdict

import numpy as np
import pytest

from searchkit.backends import local
from searchkit.indexing.adapter import segment_leaves
from searchkit.indexing.array_file import read_arrays, write_arrays
from searchkit.indexing.postings import for_segment
from searchkit.indexing.store import open_index
from searchkit.searching import spelling_totals, suggest
from searchkit.searching.spelling_totals import WordTotals
from searchkit.text.fold import LONG_TEXT, fold, fold_each
from searchkit.text.syllables import forms
from tests.conftest import add_one_at_a_time, engine_over, write_articles

ARTICLES = {
    "kem": "Sóng 4G còn kém ở vùng sâu\n\nChất lượng sóng kém khiến người dân Hoà Bình khó dùng "
           "dịch vụ công trực tuyến kèm theo chữ ký số.",
    "ngat": "Quy định ngặt nghèo về an toàn thông tin\n\nMạng bị ngắt kết nối, Sở Thông tin và "
            "Truyền thông yêu cầu kiểm tra nghiêm ngặt.",
    "tram": "Đắk Nông phát triển trạm BTS\n\nTỉnh Đắk Nông đã xây thêm 120 trạm BTS, hàng trăm "
            "thôn có sóng 4G. Trạm BTS mới phủ sóng vùng sâu.",
}

#: Added one commit at a time: ties between spellings (`kèm`/`kém`, `ngắt`/`ngặt`), old and
#: new tone placement (`hoà`/`hòa`, `thuỷ`/`thủy`), i and y (`kí`/`ký`), capitals.
ADDED = [
    "Gửi kèm hồ sơ điện tử\n\nNgười dân gửi kèm bản sao, không cần ngắt quãng giao dịch.",
    "Thủy điện Hòa Bình dùng cáp quang\n\nNhà máy thuỷ điện Hoà Bình kém an toàn nếu ngắt điện.",
    "Kí số trên điện thoại\n\nNgười dân Nghệ An ký số hồ sơ, chữ kí số và giấy tờ.",
    "CNTT trong trường học\n\nHọc sinh Hà Tĩnh học CNTT, quy định ngặt về thông tin.",
    "Apple ra mắt iPhone mới\n\nNgười dùng iPhone tại Việt Nam mua máy kém giá hơn.",
]


def reference(reader):
    """The statistics as Counter additions give them, segment by segment: what the did-you-mean
    was before its counts were kept (ties to the first seen, fields in turn)."""
    sides = [for_segment(leaf) for leaf, _ in segment_leaves(reader)]

    def counted(fields) -> Counter:
        total = Counter()
        for field in fields:
            for side in sides:
                total.update(side.term_totals(field) or {})
        return total

    folded = {t: n for t, n in counted(["title_f", "body_f"]).items() if n >= suggest.MIN_COUNT and t.isalpha()}
    groups = defaultdict(Counter)
    for term, n in counted(["title", "body"]).items():
        groups[forms(term)[1]][term] += n
    variants = {}
    for key, spelled in groups.items():
        if folded.get(key, 0) - sum(spelled.values()) > 0:
            spelled[key] += folded.get(key, 0) - sum(spelled.values())
        variants[key] = tuple(spelled.most_common(suggest.MAX_VARIANTS))
    words = {}
    for term, n in counted(["words"]).items():
        if n >= suggest.MIN_WORD_COUNT and "_" in term:
            parts = [forms(p) for p in term.split("_")]
            key, spelled = " ".join(f for _, f in parts), " ".join(a for a, _ in parts)
            if key not in words or words[key][1] < n:
                words[key] = (spelled, n)
    best = {key: found[0][0] for key, found in variants.items()}
    return variants, {k: s for k, (s, _) in words.items() if s != " ".join(best.get(f, f) for f in k.split(" "))}, folded


def saved(engine):
    """The statistics saved for the last commit, and what reading every segment gives."""
    with open_index(engine.path).reader() as reader:
        arrays = read_arrays(engine.path / suggest.spellings_file(reader.generation()))
        cached = suggest._from_arrays(arrays, reader.generation())
        expected = reference(reader)
    return tuple(dict(table) for table in (cached.syllables, cached.words, cached.folded)), expected


@pytest.fixture
def read_whole(monkeypatch):
    """How many times a writer read every segment's words (in this process: no helper)."""
    calls = []
    reading = spelling_totals.spelling_totals

    def counting(segments):
        calls.append(len(segments))
        return reading(segments)

    monkeypatch.setattr(spelling_totals, "spelling_totals", counting)
    monkeypatch.setattr(local, "_spellings_beside", lambda path, generation: None)
    return calls


def test_each_commit_updates_the_statistics_to_what_every_segment_gives(tmp_path, monkeypatch, read_whole):
    monkeypatch.setattr(spelling_totals, "KEPT_SHARE", 1.0)  # every segment's words kept: a merge never reads again
    engine = engine_over(tmp_path, ARTICLES)
    assert len(read_whole) == 1  # the first commit has no counts before it
    corpus = tmp_path / "corpus"

    def same(n):
        found, expected = saved(engine)
        assert found == expected, n

    assert add_one_at_a_time(engine, ADDED, 12, same)
    found, _ = saved(engine)
    assert found[0]["kem"][:2] == (("kém", 7), ("kèm", 7))  # a tie: `kém` is seen first (title of `kem`)
    (corpus / "kem.txt").unlink()  # removed from the index, its segment's words still counted
    (corpus / "them_1.txt").write_text(ADDED[1].replace("kém", "kèm"), encoding="utf-8")  # changed
    engine.index([corpus])
    engine.optimize()  # every segment merged into one: the deleted article's words gone
    found, expected = saved(engine)
    assert found == expected
    assert found[0]["kem"][:2] == (("kèm", 7), ("kém", 4))
    assert len(read_whole) == 1  # every later commit updated the counts before it


def test_the_writers_helper_process_saves_what_every_segment_gives(tmp_path):
    engine = engine_over(tmp_path, ARTICLES)
    for n in range(3):
        write_articles(tmp_path / "corpus", {f"them_{n}": ADDED[n]})
        engine.index([tmp_path / "corpus"])
        found, expected = saved(engine)
        assert found == expected
        assert found[0]["hoa"][0][0] == "hòa"  # `Hoà` and `Hòa` counted as one spelling


def test_a_merge_of_segments_whose_words_were_not_kept_reads_every_segment(tmp_path, read_whole):
    engine = engine_over(tmp_path, ARTICLES)
    write_articles(tmp_path / "corpus", {"them": ADDED[0]})
    engine.index([tmp_path / "corpus"])
    assert len(read_whole) == 1  # the small segment added: updated
    engine.optimize()  # the first segment, most of the words, removed: not kept, so read again
    assert len(read_whole) == 2
    found, expected = saved(engine)
    assert found == expected


@pytest.mark.parametrize("change", ["count", "held", "segments"])
def test_counts_that_do_not_add_up_are_not_updated_from(tmp_path, read_whole, change):
    """Saved counts that contradict themselves (sealed again after a change) or name other
    segments are never updated from: the writer reads every segment."""
    engine = engine_over(tmp_path, ARTICLES)
    with open_index(engine.path).reader() as reader:
        path = engine.path / suggest.spellings_file(reader.generation())
    arrays = {name: np.array(a) for name, a in read_arrays(path).items()}
    if change == "count":
        arrays["totals_words_totals"][0] = 0  # a word still held, counted no more
    elif change == "held":
        arrays["totals_accented_held"][:] = 0  # words counted, held by no segment
    else:
        arrays["totals_segments"] = np.frombuffer(b"MAIN_notthisindex000", np.uint8)
    write_arrays(path, arrays)
    write_articles(tmp_path / "corpus", {"them": ADDED[1]})
    engine.index([tmp_path / "corpus"])
    assert len(read_whole) == 2
    found, expected = saved(engine)
    assert found == expected


def side(*words: str) -> list:
    """One segment's words of one field, as `SegmentPostings.word_totals` gives them."""
    found = sorted(set(words), key=str.encode)
    return [([w.encode() for w in found], np.array([words.count(w) for w in found]))]


def test_words_taken_away_and_added_keep_the_first_seen_order():
    a, b, c = side("kèm", "hoà", "Thủy"), side("kém", "kém", "hòa"), side("kèm", "thuỷ", "ký")
    both = WordTotals.of([a + b])
    taken = [[both.terms.index(w.encode()) for w in ("Thủy", "hoà", "kèm")], np.array([1, 1, 1])]
    later = both.without([0], [taken]).plus([c])
    assert later.in_order() == WordTotals.of([b + c]).in_order() == (["hòa", "kém", "kèm", "ký", "thuỷ"], [1, 2, 1, 1, 1])
    assert both.without([0], [[taken[0], np.array([1, 1, 2])]]) is None  # `kèm` taken twice: below zero
    assert both.without([1], [taken]) is None  # `kém` still counted, held by no segment


def test_fold_each_folds_each_word_as_fold_does():
    words = ["trạm", "Đắk_Nông", "hoà", "thuỷ", "Øresund", "Straße", "北京", "Ѐ", "bts", "ký_số"]
    assert fold_each(words) == [fold(w) for w in words]
    assert fold_each(["trạm", "hoà"]) == ["tram", "hoa"]
    assert fold_each(["hai\ndòng", "đ"]) == ["hai\ndong", "d"]  # a line break inside a word: each on its own


@pytest.mark.parametrize("odd", [[], ["Straße"], ["a\u0301"], ["北京", "Ѐ"], ["Đắk_😀", "𝐀"]])
def test_many_words_fold_through_the_code_table_as_fold_does(odd):
    """Past LONG_TEXT characters the words are folded in numpy: the same words, whatever
    else they hold (a letter folding to two, `ß` → `ss`, or a lone mark, sends them to
    `translate`, as does a character past the table, an emoji; other scripts stay as they are)."""
    syllables = "Đắk Nông trạm BTS chữ ký số hoà thuỷ Nghệ An “5G” Øresund Ấn Độ Ðiện".split()
    words = [f"{a}_{b}" for a in syllables for b in syllables] * 40 + odd
    assert len("\n".join(words)) >= LONG_TEXT
    assert fold_each(words) == [fold(w) for w in words]
    assert ("Dak_Nong" in fold_each(words)) and ("“5G”_tram" in fold_each(words))


def test_a_word_spelled_two_ways_as_often_keeps_the_spelling_seen_first():
    words = WordTotals.of([side("chữ_ký", "thông_tin", "thông_tin", "thông_tin")
                           + side("thòng_tin", "thòng_tin", "thòng_tin", "chữ_ký")])
    variants = {"thong": (("thòng", 9), ("thông", 5)), "tin": (("tin", 9),), "chu": (("chữ", 4),), "ky": (("ký", 4),)}
    assert suggest._word_spellings(words, variants) == {"thong tin": "thông tin"}  # `chữ ký` too rare
    later = WordTotals.of([side("thòng_tin", "thòng_tin", "thòng_tin") + side("thông_tin", "thông_tin", "thông_tin")])
    assert suggest._word_spellings(later, variants) == {}  # `thòng tin`: its syllables' own spelling


def test_saved_counts_read_back_as_they_were_and_words_out_of_order_are_refused():
    title, body = side("thuỷ", "hoà", "Đắk", "kí", "kí"), side("thủy", "hòa", "ký")
    group = WordTotals.of([title, body])  # old and new tone placement, i and y: each its own word
    back = WordTotals.read(group.arrays("accented"), "accented", 2, 1)
    assert back.terms == group.terms and back.totals.tolist() == group.totals.tolist()
    assert (back.held == group.held).all() and back.in_order() == group.in_order()
    assert back.in_order() == (["hoà", "kí", "thuỷ", "Đắk", "hòa", "ký", "thủy"], [1, 2, 1, 1, 1, 1, 1])
    empty = WordTotals.of([[], []])  # an index with no words yet
    assert empty.in_order() == ([], []) and WordTotals.read(empty.arrays("words"), "words", 2, 0).terms == []
    crafted = dict(group.arrays("accented"))
    crafted["totals_accented_terms"] = np.frombuffer(b"\n".join(reversed(group.terms)), np.uint8)
    with pytest.raises(ValueError):
        WordTotals.read(crafted, "accented", 2, 1)
    with pytest.raises(ValueError):  # runs that do not cover the kept rows
        spelling_totals.kept_runs(["MAIN_a"], np.array([3]), 5)
