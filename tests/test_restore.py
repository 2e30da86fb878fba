"""Accents restored from context: the index's pairs of syllables decide between spellings that
are more common alone (`nghe`, `ấn`, `trị`) and the ones the neighbours call for (`Nghệ An`,
`trí tuệ`), and the result is written as the articles write it (`CNTT`, `chữ ký`)."""

import gc
from collections import Counter

import numpy as np
import pytest

from searchkit.indexing.statistics import PairCounts, pack_pairs
from searchkit.searching.pair_totals import PairTotals
from searchkit.searching.suggest import PAIRS_FORMAT, Evidence, Suggester, load_pair_counts
from searchkit.text.sequences import NUMBER, SEPARATOR, pair_sequence
from tests.conftest import engine_over

ARTICLES = {
    # 'Nghệ An' beside CNTT: the only pairs that hold 'an' without a mark
    "nghe_an": "Nghệ An đẩy mạnh ứng dụng CNTT trong cơ quan nhà nước\n\n"
               "Sở Thông tin và Truyền thông tỉnh Nghệ An cho biết năm 2023 toàn tỉnh đã triển khai "
               "nhiều dự án ứng dụng CNTT. Các sở, ngành của Nghệ An dùng hệ thống quản lý văn bản "
               "điện tử. Theo kế hoạch, CNTT Nghệ An sẽ giúp người dân làm thủ tục trực tuyến.",
    "chuyen_doi_so": "Chuyển đổi số ở Nghệ An\n\n"
                     "Tại hội nghị, lãnh đạo tỉnh Nghệ An nhấn mạnh vai trò của CNTT. Nghệ An đặt "
                     "mục tiêu phủ sóng 4G đến mọi xã trong năm nay.",
    # 'nghe' and 'ấn' are each more common than 'nghệ' and 'an', but never side by side
    "nghe_nhac": "Người trẻ nghe nhạc trực tuyến nhiều hơn\n\n"
                 "Khảo sát cho thấy người trẻ nghe nhạc và nghe podcast mỗi ngày. Nhiều người vừa ăn "
                 "sáng vừa nghe tin tức. Ấn tượng nhất là số người nghe sách nói tăng gấp đôi. Họ nghe "
                 "trên điện thoại: ấn nút phát rồi nghe liên tục. Ứng dụng nghe nhạc gây ấn tượng "
                 "nhờ giao diện đẹp, và người dùng nghe nhiều hơn.",
    "an_do": "Ấn Độ phóng vệ tinh viễn thông\n\n"
             "Ấn Độ vừa phóng thành công một vệ tinh viễn thông. Các nhà khoa học Ấn Độ cho biết vệ "
             "tinh sẽ đưa Internet tới vùng sâu. Người dân Ấn Độ ăn mừng, báo chí Ấn Độ gọi đây là "
             "một ấn phẩm khoa học đáng nhớ.",
    # 'trị' alone outnumbers 'trí'
    "gia_tri": "Giá trị xuất khẩu điện thoại tăng\n\n"
               "Giá trị xuất khẩu điện thoại đạt 50 tỷ USD. Hợp đồng trị giá 2 tỷ USD vừa được ký. "
               "Giá trị gia tăng của ngành còn thấp, và giá trị nội địa chưa cao.",
    "tri_tue": "Ngân hàng dùng trí tuệ nhân tạo\n\n"
               "Các ngân hàng ứng dụng trí tuệ nhân tạo để chấm điểm tín dụng. Trí tuệ nhân tạo "
               "cũng giúp phát hiện gian lận.",
    # written 'ký' (the index reads it 'kí')
    "ky_so": "Chữ ký số cho doanh nghiệp\n\n"
             "Doanh nghiệp dùng chữ ký số để nộp thuế điện tử. Chữ ký số có giá trị như chữ ký tay.",
    # a reader's comment typed without marks, and one sentence with them
    "binh_luan": "Bình luận của bạn đọc\n\n"
                 "khong the dang nhap duoc. khong the tin duoc, toi khong the dung app nay. "
                 "khong the hieu noi. Người dùng không thể đăng nhập vào ứng dụng ngân hàng.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(tmp_path_factory.mktemp("restore"), ARTICLES)


@pytest.mark.parametrize("typed, restored", [
    ("cntt nghe an", "CNTT Nghệ An"),  # not 'nghe ấn': each is commoner alone, the pair decides
    ("nghe an", "Nghệ An"),
    ("tri tue nhan tao", "trí tuệ nhân tạo"),  # 'trị' alone is commoner
    ("gia tri xuat khau", "giá trị xuất khẩu"),
    ("nghe nhac", "nghe nhạc"),
    ("an do", "Ấn Độ"),
    ("chu ky so", "chữ ký số"),  # as the articles write it, not the index's 'kí'
    ("khong the dang nhap", "không thể đăng nhập"),  # the unaccented comment teaches nothing
])
def test_context_decides(engine, typed, restored):
    assert engine.restore_accents(typed) == restored


def test_neighbours_looked_up_once_restore_each_later_text_as_looking_them_up_again_does(engine, monkeypatch):
    """The pairs and transition of two neighbours' spellings are kept for the model's generation
    (`PairModel.between`), by both neighbours' candidates, in order: `nghe an` then `an nghe`
    differ, and each restoration equals one that looks every pair up again."""
    from searchkit.searching.accents import PairModel

    texts = ["cntt nghe an", "nghe an", "an nghe", "nghe nhac", "an do", "do an", "tri tue nhan tao",
             "gia tri xuat khau", "chu ky so", "so ky chu", "ung dung cntt nghe an", "nghe an ung dung cntt"]
    kept = [engine.restore_accents(text) for text in texts + texts[::-1]]
    model = engine.backend._statistics["pairs"][1]  # the generation's, as the searches load it
    assert len(model._between) > len(texts)
    monkeypatch.setattr(PairModel, "between", lambda self, previous, current: (
        (found := self.pairs(previous[:, None], current[None, :])), self.transition(previous, current, found[0])))
    assert kept == [engine.restore_accents(text) for text in texts + texts[::-1]]


@pytest.mark.parametrize("typed, restored", [
    ("Nghe An", "Nghệ An"),
    ("NGHE AN", "NGHỆ AN"),
    ("ung dung CNTT", "ứng dụng CNTT"),
    ("Ung dung cntt", "Ứng dụng CNTT"),
])
def test_the_case_typed_is_kept(engine, typed, restored):
    assert engine.restore_accents(typed) == restored


def test_the_did_you_mean_reads_context_too(engine):
    assert engine.search("cntt nghe an").suggestion == "CNTT Nghệ An"
    assert engine.search("tri tue nhan tao").suggestion == "trí tuệ nhân tạo"


def _suggester(engine, evidence: Evidence) -> Suggester:
    from searchkit.indexing.store import open_index
    from searchkit.searching.suggest import load_spellings

    with open_index(engine.path).reader() as reader:
        spellings, model = load_spellings(engine.path, reader), load_pair_counts(engine.path, reader)
    known = {folded for folded in spellings.folded}
    return Suggester(lambda f: int(f in known), lambda a: 1, lambda: spellings, evidence, pairs=lambda: model)


def test_the_hits_vote_only_where_the_context_leaves_the_choice_open(engine):
    # a hit writing 'ấn' beside 'nghe' does not outvote the pair 'Nghệ An'...
    against = Evidence(beside={"an": Counter({"ấn": 2}), "nghe": Counter({"nghe": 2})})
    assert _suggester(engine, against).suggest("nghe an") == "Nghệ An"
    # ...but decides a word alone, whose spellings the context cannot tell apart
    assert _suggester(engine, Evidence()).suggest("an") != "ăn"
    assert _suggester(engine, Evidence(beside={"an": Counter({"ăn": 3})})).suggest("an") == "ăn"


def test_a_name_typed_capitalised_is_no_typo(engine):
    assert engine.restore_accents("ngan hang Vietcombak") == "ngân hàng Vietcombak"
    assert engine.restore_accents("ngan hangg") == "ngân hàng"  # in lower case, a typo


@pytest.mark.parametrize("text, sequence", [
    ("Nghệ An: ứng dụng CNTT.", ["nghệ", "An", SEPARATOR, "ứng", "dụng", "CNTT"]),
    ("Năm 2023, Nghệ An", ["năm", NUMBER, "Nghệ", "An"]),  # the capital that starts a sentence is lowered
    ("khong the dang nhap. Không thể.", ["không", "thể"]),  # a sentence without marks is left out
    ("TRẠM BTS MỚI", ["trạm", "bts", "mới"]),  # a heading in capitals says nothing of case
    ("Trạm BTS Mới Ở Đắk Nông", ["trạm", "BTS", "mới", "ở", "đắk", "nông"]),  # Every Word Capitalised
    ("iPhone ra mắt", ["iPhone", "ra", "mắt"]),
])
def test_pair_sequences(text, sequence):
    assert pair_sequence(text) == sequence


def test_the_model_writes_words_as_the_index_does():
    sequences = [pair_sequence(text) for text in (
        "Tỉnh Nghệ An và công nghệ mới", "Chữ ký số cho Nghệ An", "Người dân Nghệ An dùng iPhone",
        "Lãnh đạo Bộ TT&TT làm việc với công nghệ")]
    model = PairTotals.of_counts(PairCounts.merge([pack_pairs(sequences)])).model()
    assert model.written_as(["tỉnh", "nghệ", "an"]) == ["tỉnh", "Nghệ", "An"]
    assert model.written_as(["công", "nghệ"]) == ["công", "nghệ"]
    assert model.written_as(["chữ", "kí", "số"]) == ["chữ", "ký", "số"]
    assert model.written_as(["dùng", "iphone", "2024"]) == ["dùng", "iPhone", "2024"]
    assert model.written_as(["bộ", "tt", "tt"]) == ["Bộ", "TT", "TT"]


def test_an_old_or_crafted_pairs_cache_is_ignored_and_replaced(engine, tmp_path):
    import shutil

    from searchkit import SearchEngine
    from searchkit.indexing.array_file import read_arrays, write_arrays

    copy = tmp_path / "index"
    shutil.copytree(engine.path, copy)
    (cache,) = copy.glob("pairs-*.arrays")
    write_arrays(cache, {"vocabulary": np.frombuffer("nghe\nấn".encode(), np.uint8), "keys": np.array([1], np.uint8),
                         "counts": np.array([99], np.uint8)})  # another format
    assert SearchEngine(copy).restore_accents("cntt nghe an") == "CNTT Nghệ An"
    assert read_arrays(cache)["format"].tolist() == [PAIRS_FORMAT]  # rebuilt
    arrays = {name: array.copy() for name, array in read_arrays(cache).items()}
    arrays["keys"] = arrays["keys"][::-1].copy()  # unsorted: lookups would go wrong
    write_arrays(cache, arrays)
    assert SearchEngine(copy).restore_accents("cntt nghe an") == "CNTT Nghệ An"
    arrays["keys"] = arrays["keys"][::-1].copy()
    arrays["cases"][0, 0] = np.iinfo(arrays["cases"].dtype).max  # more capitalised than written
    write_arrays(cache, arrays)
    assert SearchEngine(copy).restore_accents("cntt nghe an") == "CNTT Nghệ An"
    assert read_arrays(cache)["cases"][0, 0] < np.iinfo(arrays["cases"].dtype).max  # rebuilt
    raw = bytearray(cache.read_bytes())
    raw[-100] ^= 1  # one bit of the arrays: the checksum finds it
    cache.write_bytes(bytes(raw))
    assert SearchEngine(copy).restore_accents("tri tue nhan tao") == "trí tuệ nhân tạo"
    assert cache.read_bytes() != bytes(raw)
    cache.write_bytes(b"not an arrays file")
    assert SearchEngine(copy).restore_accents("tri tue nhan tao") == "trí tuệ nhân tạo"
    old = copy / cache.name.replace(".arrays", ".npz")  # an older searchkit's cache: removed when rebuilt
    old.write_bytes(b"PK")
    cache.unlink()
    assert SearchEngine(copy).restore_accents("cntt nghe an") == "CNTT Nghệ An"
    assert cache.exists() and not old.exists()


def test_a_pair_model_read_from_its_cache_is_the_model_built(engine):
    """The cache keeps the totals derived from the counts and the words as lines of UTF-8,
    read a word at a time: a cold process restoring `tram bts` loads it in a fraction of
    the time; every number and word reads back the same."""
    from searchkit.indexing.statistics import PairCounts
    from searchkit.indexing.store import open_index
    from searchkit.searching.suggest import _segment_packs

    with open_index(engine.path).reader() as reader:
        built = PairTotals.of_counts(PairCounts.merge([p for _, p in _segment_packs(reader) if p is not None])).model()
        cached = load_pair_counts(engine.path, reader)
    for name in ("keys", "counts", "cased", "cases", "history", "followers", "lower_order", "alone", "frequency"):
        assert np.array_equal(getattr(built, name), getattr(cached, name)), name
    assert (built.unseen, built.rare) == (cached.unseen, cached.rare)
    assert dict(cached.numbers) == built.numbers and list(cached.written) == built.written
    assert [cached.numbers.get(w, -1) for w in ("trạm", "nghệ", "không-có")] == \
        [built.numbers.get(w, -1) for w in ("trạm", "nghệ", "không-có")]
    assert cached.written_as(["chữ", "kí", "số", "nghệ", "an"]) == built.written_as(["chữ", "kí", "số", "nghệ", "an"])


def test_words_out_of_order_in_a_pair_cache_are_missed_never_mistaken():
    from searchkit.searching.sorted_table import Lines, SortedTable, as_lines

    numbers = SortedTable(Lines(as_lines(["an", "nghệ", "trạm"])))
    assert [numbers.get(w) for w in ("an", "nghệ", "trạm", "ấn", None, 3)] == [0, 1, 2, None, None, None]
    crafted = SortedTable(Lines(as_lines(["trạm", "an", "nghệ"])))
    assert {w: crafted.get(w) for w in ("an", "nghệ", "trạm")} == {"an": None, "nghệ": 2, "trạm": None}
    with pytest.raises(ValueError):
        Lines(np.frombuffer(b"tr\xe1m", dtype=np.uint8))  # not UTF-8: the cache is rebuilt


def test_a_table_looked_up_often_decodes_its_words_once_and_answers_the_same():
    from searchkit.searching.sorted_table import DECODE_AFTER, Lines, SortedTable, as_lines

    words = ["an", "bình", "hoà", "nghệ", "số", "trạm", "viễn"]
    asked = ["trạm", "hòa", "hoà", "ấn", "an", "", "viễn", "zzz"]
    lazy, crafted = SortedTable(Lines(as_lines(words))), SortedTable(Lines(as_lines(["trạm", "an", "nghệ"])))
    first = [lazy.get(w) for w in asked]
    assert first == [5, None, 2, None, 0, None, 6, None] and lazy._keys.words is None
    for _ in range(DECODE_AFTER // len(asked) + 1):
        assert [lazy.get(w) for w in asked] == first
        assert {w: crafted.get(w) for w in ("an", "nghệ", "trạm")} == {"an": None, "nghệ": 2, "trạm": None}
    assert lazy._keys.words == tuple(words)  # decoded once, after enough lookups
    gc.collect()
    assert not gc.is_tracked(lazy._keys.words)  # kept for long: never walked by a collection again

def test_statistics_saved_late_for_an_older_commit_leave_the_newer_ones(tmp_path):
    """A writer finishing its commit's statistics after another writer committed removes
    the older generations' files only, never the newer commit's."""
    from searchkit.searching.suggest import _replace

    for generation in (5, 7):
        (tmp_path / f"pairs-{generation}.arrays").write_bytes(b"")
    _replace(tmp_path / "pairs-6.arrays", "pairs-*", lambda temporary: temporary.write_bytes(b"searchkit"))
    assert sorted(p.name for p in tmp_path.glob("pairs-*")) == ["pairs-6.arrays", "pairs-7.arrays"]
