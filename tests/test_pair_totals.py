"""The pair model a commit saves is updated from the one before (the pairs of the segments it
added, minus those of the segments it removed), never from every segment again, and it is
the model that summing every segment gives, array for array."""

import numpy as np
import pytest

from searchkit.indexing.array_file import read_arrays, write_arrays
from searchkit.indexing.statistics import PairCounts, pack_pairs
from searchkit.indexing.store import open_index
from searchkit.searching import pair_totals
from searchkit.searching.pair_totals import PairTotals
from searchkit.searching.suggest import _segment_packs, pairs_file
from tests.conftest import add_one_at_a_time, engine_over, write_articles

ARTICLES = {
    "nghe_an": "Nghệ An đẩy mạnh ứng dụng CNTT\n\nSở Thông tin và Truyền thông tỉnh Nghệ An cho biết "
               "toàn tỉnh đã triển khai chữ ký số. Các sở, ngành của Nghệ An dùng văn bản điện tử.",
    "an_do": "Ấn Độ phóng vệ tinh viễn thông\n\nCác nhà khoa học Ấn Độ cho biết vệ tinh sẽ đưa "
             "Internet tới vùng sâu. Người dân Ấn Độ ăn mừng.",
    "tram_bts": "Đắk Nông phát triển trạm BTS\n\nTỉnh Đắk Nông đã xây thêm 120 trạm BTS, hàng trăm "
                "thôn có sóng 4G. Trạm BTS mới phủ sóng vùng sâu.",
}

#: Articles added one commit at a time: new words (`iPhone`, `Thủy`), old ones in another case.
ADDED = [
    "Apple ra mắt iPhone mới\n\nNgười dùng iPhone tại Việt Nam có thể mua máy từ tháng sau.",
    "Thủy điện và viễn thông\n\nNhà máy thủy điện Hòa Bình dùng cáp quang của VNPT.",
    "Kí số trên điện thoại\n\nNgười dân Nghệ An ký số hồ sơ trực tuyến, chữ kí số miễn phí.",
    "Trạm BTS ở Tây Nguyên\n\nGia Lai và Kon Tum xây thêm trạm BTS dùng năng lượng mặt trời.",
    "CNTT trong trường học\n\nHọc sinh Hà Tĩnh học CNTT với máy tính mới.",
]


#: Every segment's pairs summed, as a writer does without a model before (not counted by `counted`).
SUMMED = PairTotals.of_counts


def saved_and_summed(engine) -> tuple[dict, dict]:
    """The pair model saved for the last commit, and the one every segment's pairs give."""
    with open_index(engine.path).reader() as reader:
        saved = read_arrays(engine.path / pairs_file(reader.generation()))
        summed = SUMMED(PairCounts.merge([p for _, p in _segment_packs(reader) if p is not None])).model().arrays()
    model = {name: saved[name] for name in summed}
    return {name: (a.dtype.str, a.tolist()) for name, a in model.items()}, \
        {name: (a.dtype.str, a.tolist()) for name, a in summed.items()}


@pytest.fixture
def counted(monkeypatch):
    """How many times a writer summed every segment's pairs."""
    calls = []
    summing = PairTotals.of_counts.__func__

    def counting(cls, counts):
        calls.append(len(counts.keys))
        return summing(cls, counts)

    monkeypatch.setattr(PairTotals, "of_counts", classmethod(counting))
    return calls


def test_each_commit_updates_the_pair_model_to_what_every_segment_gives(tmp_path, monkeypatch, counted):
    monkeypatch.setattr(pair_totals, "KEPT_SHARE", 1.0)  # every segment's pairs kept: a merge never sums again
    engine = engine_over(tmp_path, ARTICLES)
    assert len(counted) == 1  # the first commit has no model before it
    corpus = tmp_path / "corpus"

    def same(n):
        saved, summed = saved_and_summed(engine)
        assert saved == summed, n

    assert add_one_at_a_time(engine, ADDED, 12, same)
    (corpus / "an_do.txt").unlink()  # removed: its words (`Ấn Độ`) leave the model
    (corpus / "them_1.txt").write_text(ADDED[1].replace("VNPT", "Viettel"), encoding="utf-8")  # changed
    engine.index([corpus])
    engine.optimize()  # every segment merged into one
    saved, summed = saved_and_summed(engine)
    assert saved == summed
    # names fell out with `Ấn Độ`: what the merge saved beside its model numbers the names left,
    # and the next commits update from it
    write_articles(corpus, {"sau": ADDED[3].replace("Gia Lai", "Đắk Lắk")})
    engine.index([corpus])
    same("after the merge")
    engine.optimize()
    same("merged again")
    assert len(counted) == 1  # every later commit updated the model before it


def test_a_merge_of_segments_whose_pairs_were_not_kept_sums_every_segment(tmp_path, counted):
    engine = engine_over(tmp_path, ARTICLES)
    write_articles(tmp_path / "corpus", {"them": ADDED[0]})
    engine.index([tmp_path / "corpus"])
    assert len(counted) == 1  # the small segment added: updated
    engine.optimize()  # the first segment, most of the pairs, removed: not kept, so summed again
    assert len(counted) == 2
    saved, summed = saved_and_summed(engine)
    assert saved == summed


def test_a_pair_model_whose_counts_are_not_the_segments_is_not_updated_from(tmp_path, counted):
    """A saved model that does not add up to its segments' pairs (another index's, one changed
    and sealed again) is never updated from: the writer sums every segment."""
    engine = engine_over(tmp_path, ARTICLES)
    with open_index(engine.path).reader() as reader:
        path = engine.path / pairs_file(reader.generation())
    arrays = {name: np.array(a) for name, a in read_arrays(path).items()}
    arrays["counts"][0] += 1
    arrays["totals_occurrences"][:2] += 1  # the totals agree with the counts, not with the segments
    write_arrays(path, arrays)
    write_articles(tmp_path / "corpus", {"them": ADDED[0]})
    engine.index([tmp_path / "corpus"])
    assert len(counted) == 2
    saved, summed = saved_and_summed(engine)
    assert saved == summed


def test_pairs_taken_away_take_their_words_and_syllables_with_them():
    kept, gone = [["Nghệ", "An"], ["nghệ", "an"]], [["iPhone", "5G"], ["Ấn", "Độ"]]
    both = PairTotals.of_counts(PairCounts.merge([pack_pairs(kept + gone)]))
    without = both.plus(PairCounts.merge([negative(gone)]))
    assert without == PairTotals.of_counts(PairCounts.merge([pack_pairs(kept)]))
    assert list(without.vocabulary) == ["an", "nghệ"] and sorted(without.names) == ["An", "Nghệ", "an", "nghệ"]
    assert list(without.written) == ["an", "nghệ"]


def negative(sequences: list[list[str]]) -> dict:
    """The packed pairs of `sequences`, counted as taken away."""
    packed = pack_pairs(sequences)
    return dict(packed, count=-packed["count"].astype(np.int64))


def test_pairs_never_counted_cannot_be_taken_away():
    totals = PairTotals.of_counts(PairCounts.merge([pack_pairs([["Trạm", "BTS"]])]))
    assert totals.plus(PairCounts.merge([negative([["trăm", "thôn"]])])) is None  # words never counted
    # each word still counted, the pair of syllables too, but never in lower case: not these totals' pairs
    elsewhere = pack_pairs([["trạm", "4G"], ["Hai", "BTS"]])
    assert totals.plus(PairCounts.merge([elsewhere, negative([["trạm", "BTS"]])])) is None
    assert totals.plus(PairCounts.merge([elsewhere, negative([["Trạm", "BTS"]])])) is not None


def test_capitals_never_counted_cannot_be_taken_away_on_either_side():
    """Every word and pair still counted, but a pair's capitals would fall below zero, or
    above its count on its second word's side: not these totals' pairs (another index's)."""
    lower = PairTotals.of_counts(PairCounts.merge([pack_pairs([["nghệ", "an"], ["nghệ", "an"], ["Nghệ", "Tĩnh"],
                                                                ["Hà", "An"]])]))
    assert lower.plus(PairCounts.merge([pack_pairs([["nghệ", "an"]]), negative([["Nghệ", "An"]])])) is None
    second = PairTotals.of_counts(PairCounts.merge([pack_pairs([["nghệ", "An"], ["nghệ", "an"], ["an", "ninh"]])]))
    assert second.plus(PairCounts.merge([pack_pairs([["nghệ", "An"]]), negative([["nghệ", "an"], ["nghệ", "an"]])])) is None
    # the same words, counted within what the totals hold: updated
    assert second.plus(PairCounts.merge([pack_pairs([["nghệ", "An"]]), negative([["nghệ", "an"]])])) is not None


@pytest.mark.parametrize("old, new", [
    ([["hòa", "bình"], ["Thủy", "điện"]], [["Hoà", "Bình"], ["thuỷ", "điện"]]),  # old tone placement: one syllable
    ([["chữ", "ký", "số"]], [["chữ", "kí", "số"], ["sỹ", "quan"], ["sĩ", "quan"]]),  # i and y
    ([["CNTT", "Nghệ", "An"]], [["cntt", "nghệ", "an"], ["iPhone", "mới"]]),  # capitals, mixed case
    ([], [["trạm", "BTS"]]),  # from no pairs at all
    ([["trạm", "BTS"]], []),  # nothing added
])
def test_spellings_added_then_taken_away_give_the_totals_of_what_is_left(old, new):
    before = PairTotals.of_counts(PairCounts.merge([pack_pairs(old)]))
    both = before.plus(PairCounts.merge([pack_pairs(new)]))
    assert both == PairTotals.of_counts(PairCounts.merge([pack_pairs(old + new)]))
    assert both.plus(PairCounts.merge([negative(new)])) == before


def test_the_old_tone_placement_is_counted_as_the_syllable_the_index_writes():
    totals = PairTotals.of_counts(PairCounts.merge([pack_pairs([["hòa", "bình"]])]))
    totals = totals.plus(PairCounts.merge([pack_pairs([["Hoà", "Bình"], ["hoà", "bình"]])]))
    assert list(totals.vocabulary) == ["bình", "hòa"] and list(totals.written) == ["bình", "hòa"]
    assert totals.counts.tolist() == [3] and totals.cased.tolist() == [0] and totals.cases.tolist() == [[1, 0, 1, 0]]


def test_after_an_article_and_its_words_leave_the_next_update_takes_away_the_right_words(tmp_path, monkeypatch, counted):
    """An article removed alone drops its segment, and its words (`Zalo Pay`) leave the
    totals: what that commit saves beside its model numbers the words left, so that the merge
    after it takes away each merged segment's own pairs, and no commit sums every segment."""
    monkeypatch.setattr(pair_totals, "KEPT_SHARE", 1.0)  # every segment's pairs kept
    engine = engine_over(tmp_path, ARTICLES)
    corpus = tmp_path / "corpus"
    write_articles(corpus, {"zalo": "Zalo Pay ra mắt\n\nVí điện tử Zalo Pay của VNG có thêm tính năng thanh toán."})
    engine.index([corpus])
    write_articles(corpus, {"them": ADDED[1]})
    engine.index([corpus])
    (corpus / "zalo.txt").unlink()
    engine.index([corpus])
    with open_index(engine.path).reader() as reader:
        words = PairTotals.read(read_arrays(engine.path / pairs_file(reader.generation()))).names
    assert "Zalo" not in words and "Pay" not in words and "Nghệ" in words
    engine.optimize()  # the first segments merged: their kept pairs taken away
    saved, summed = saved_and_summed(engine)
    assert saved == summed
    assert len(counted) == 1


def test_saved_totals_that_name_one_word_twice_are_not_updated_from(tmp_path, counted):
    """Totals whose words repeat one (`Nghệ` written in the place of another, the file sealed
    again) cannot say which of the two a kept pair counts: the writer sums every segment."""
    engine = engine_over(tmp_path, ARTICLES)
    with open_index(engine.path).reader() as reader:
        path = engine.path / pairs_file(reader.generation())
    arrays = {name: np.array(a) for name, a in read_arrays(path).items()}
    names = bytes(arrays["totals_names"]).decode("utf-8").split("\n")
    assert "Nghệ" in names and len(names) > 2
    other = next(i for i, name in enumerate(names) if name != "Nghệ")
    names[other] = "Nghệ"
    arrays["totals_names"] = np.frombuffer("\n".join(names).encode("utf-8"), np.uint8)
    write_arrays(path, arrays)
    with pytest.raises(ValueError):
        PairTotals.read(read_arrays(path))
    write_articles(tmp_path / "corpus", {"them": ADDED[0]})
    engine.index([tmp_path / "corpus"])
    assert len(counted) == 2
    saved, summed = saved_and_summed(engine)
    assert saved == summed
