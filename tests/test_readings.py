"""One pass over a text gives the indexer's three readings exactly as the three functions do."""

import random

import pytest

from searchkit.indexing.corpus import iter_articles
from searchkit.text import readings
from searchkit.text.readings import _read_once, read_text
from searchkit.text.segment import sentences
from searchkit.text.sequences import pair_sequence
from searchkit.text.syllables import syllable_words
from tests.conftest import CORPUS


def readings_apart(text: str) -> tuple:
    return syllable_words(text), list(sentences(text)), pair_sequence(text)


def readings_together(text: str) -> tuple:
    reading = read_text(text)
    return reading.syllables, reading.lines, reading.sequence


LONG_LINE, NOT_NFC = "Bộ Thông tin. " * 2000, "Hoa\u0300 Bi\u0300nh"
TRICKY = [
    "",
    "\n\n",
    "Sở TT&TT Tp. Hồ Chí Minh: ThS. Lê, email a.b@mic.gov.vn, http://mic.gov.vn ==> 1.234,5 tỷ đồng...",
    "ĐẮK NÔNG PHÁT TRIỂN TRẠM BTS\nNghệ An Đẩy Mạnh Ứng Dụng CNTT",  # a heading; every word capitalised
    "Năm 2018, 2019 và 2020: trạm 5G (Viettel) đã phủ sóng.“Chữ ký số” – dịch vụ công!Khong dau o day.",
    "Ông nói: \"Xong.\" Rồi đi… Sau đó (lần 2). Cuối; hết? Vâng!» Tiếp",  # quotes and brackets after the marks
    "Mạng 2.5G_x và 3,5G\tcùng\u00a0nhau\u2028trong\u3000năm 2,5",  # other spaces; digits and separators
    "Trạm " + "a" * 70 + " ở đây",  # a run too long to be a syllable
    LONG_LINE,  # a line pyvi tags in pieces: read apart
    NOT_NFC,  # not NFC: the tagger normalises it, so it is read apart
    "Sở TT&TT Hoà Bình và Hòa Bình: bác sỹ, bác sĩ; Thuỷ lợi, thủy lợi. Quy hoạch, qui hoạch!",  # tone, i/y
    "truyeenf thoong vaf Nghe An: khong dau.\nNGHỆ AN – ĐẮK NÔNG",  # Telex and plain; a heading
    "bình đẳng và lµnh m¹nh",  # a TCVN3 fragment left as it is
    " ", "\t\n ", "…", "5G", "Đ",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_read_together_as_apart(text):
    assert readings_together(text) == readings_apart(text)


def test_the_corpus_reads_the_same_together_and_most_texts_in_one_pass():
    texts = [part for article in iter_articles([CORPUS]) for part in (article.title, article.body)]
    assert sum(len(text) for text in texts) > 10_000
    assert [readings_together(text) for text in texts] == [readings_apart(text) for text in texts]
    assert all(_read_once(text) is not None for text in texts)
    assert _read_once(LONG_LINE) is None and _read_once(NOT_NFC) is None


def test_random_runs_of_letters_marks_digits_and_punctuation_read_the_same():
    pieces = list("aăâbđêgiklmnoôơpqrstuưyĐÀÁẠẢÃẦẤẬ0123456789.,;:!?…\"'”’»)]([«“-–_&/@%") + [
        " ", " ", "\n", "\t", "\u00a0", "Nghệ", "AN", "CNTT", "2,5G", "Tp.", "ThS.", "==>", "...", "1.000.000"]
    rng = random.Random(21)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert readings_together(text) == readings_apart(text), text


def test_runs_read_again_from_the_kept_readings_read_the_same_and_the_kept_ones_stay_few(monkeypatch):
    """The readings of runs with punctuation are kept for the runs read lately (two
    generations of SIZE): read again from there, or read anew after they were let go, a text
    reads the same, and no more than twice SIZE runs are ever kept."""
    kept = readings._RunReadings()
    kept.SIZE = 4
    monkeypatch.setattr(readings, "_RUNS", kept)
    texts = [text for text in TRICKY if text not in (LONG_LINE, NOT_NFC)]
    for _ in range(3):  # the first time read, then found, with many a generation gone meanwhile
        for text in texts:
            assert readings_together(text) == readings_apart(text)
            assert len(kept.recent) + len(kept.older) <= 2 * kept.SIZE
    assert kept.recent and kept.older


def test_a_word_read_in_many_texts_is_one_string_and_the_kept_words_stay_few(monkeypatch):
    """Every reading gives a word read lately as the one string kept for it, whether the
    word stood alone or beside punctuation: the dicts that number a batch's tokens then
    compare pointers. Past WORDS words the kept ones begin afresh, and texts read the same."""
    kept = readings._RunReadings()
    monkeypatch.setattr(readings, "_RUNS", kept)
    first = read_text("Trạm BTS ở Đắk Nông. Trạm BTS mới")
    second = read_text("Viettel xây trạm, BTS (Đắk Nông)")
    bts = [word for reading in (first, second) for word in reading.syllables + reading.sequence
           + [found for line, _ in reading.lines for found in line] if word == "BTS"]
    assert len(bts) == 9 and all(word is bts[0] for word in bts)
    assert first.sequence[3] == "Đắk" and first.sequence[3] is second.syllables[4]  # alone, then in "(Đắk"
    assert first.syllables[4] == "Nông" and first.syllables[4] is second.sequence[5]  # "Nông." and "Nông)"
    (found_first, _), (found_second, _) = first.lines[0], second.lines[0]
    assert found_first[4] is first.syllables[4] and found_second[6] is first.sequence[3]  # pyvi's too
    speeds = read_text("Mạng 5G và 2,5G ở Hà Nội").sequence  # the word "5G" inside the syllable "2,5G"
    assert speeds[1] == speeds[4] == "5G" and speeds[1] is speeds[4]
    kept.WORDS = 6
    texts = [text for text in TRICKY if text not in (LONG_LINE, NOT_NFC)]
    for text in texts:
        assert readings_together(text) == readings_apart(text)
        assert len(kept.words) <= kept.WORDS + max(len(read_text(text).syllables), 1)


@pytest.mark.parametrize("run", ["tin,", "Đắk,", "ĐBSCL,", "A,", "2024,", "5G,", "x²,", "²x,", "Ⅻ,", "中文,", "2,5G,",
                                 "tin,,", ",", "a_b,", "(tin,", "TP.HCM,", "hoà,", "hòa,", "Thuỷ,", "sỹ,", "sĩ,",
                                 "truyeenf,", "Hoa\u0300,", "lµnh,"])
def test_a_run_ending_in_a_comma_reads_as_the_patterns_read_it(run, monkeypatch):
    """A word and a comma (`tin,`: a third of the runs read anew) is read without the three
    patterns; it must read as they do, alone and in a sentence, whichever tone placement,
    i or y, Telex keys, decomposed marks (read apart) or TCVN3 fragment it holds."""
    monkeypatch.setattr(readings, "_RUNS", readings._RunReadings())
    for text in (run, f"Trạm {run} ở Đắk Nông"):
        assert readings_together(text) == readings_apart(text)
