"""Word segmentation: exactly pyvi's output, without pulling scikit-learn in."""

import subprocess
import sys

from searchkit.indexing.corpus import iter_articles
from searchkit.text.segment import compound_words, pyvi_words
from tests.conftest import CORPUS


def test_same_words_as_pyvi_on_the_sample_corpus():
    from pyvi import ViTokenizer

    lines = [line for a in iter_articles([CORPUS]) for line in (a.title + "\n" + a.body).split("\n") if line]
    lines.append("Sở TT&TT Tp. Hồ Chí Minh, email a.b@mic.gov.vn http://mic.gov.vn 1.234,5 ==> ... ThS. Lê")
    assert [pyvi_words(line) for line in lines] == [ViTokenizer.tokenize(line).split() for line in lines]


def test_compounds_are_in_accented_index_form():
    assert compound_words("Sở Thông tin và Truyền thông tỉnh Đắk Nông") == ["thông_tin", "truyền_thông", "đắk_nông"]


def test_segmenting_does_not_import_scikit_learn():
    code = "import sys; from searchkit.text.segment import pyvi_words; pyvi_words('Xin chào'); print('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_searching_imports_neither_pyvi_nor_scikit_learn(sample_engine):
    code = (
        "import sys; from searchkit import SearchEngine; "
        f"SearchEngine({str(sample_engine.path)!r}).search('tram bts'); "
        "print(sorted(m for m in ('pyvi', 'sklearn', 'pycrfsuite') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_compounds_take_one_form_whatever_the_tone_placement_i_y_or_case():
    from searchkit.text.segment import compound_words_of

    assert compound_words_of(["Sở TT&TT tỉnh Hoà Bình", "Sở TT&TT tỉnh Hòa Bình"]) == [["hòa_bình"]] * 2
    assert compound_words_of(["bác sỹ Nguyễn", "bác sĩ Nguyễn"]) == [["bác_sĩ"]] * 2
    assert compound_words_of(["KHOA HỌC CÔNG NGHỆ", "", "\n\n"]) == [["khoa_học", "công_nghệ"], [], []]


def test_texts_tagged_together_get_pyvis_words_of_each_alone():
    from pyvi import ViTokenizer

    from searchkit.text.segment import _compound, _pieces, compound_words_of

    texts = [a.title + "\n" + a.body for a in iter_articles([CORPUS])]
    texts += ["", "Một", "Sở TT&TT Tp. Hồ Chí Minh ==> ThS. Lê snake_case_name", "Bộ Thông tin và Truyền thông. " * 2000]
    expected = [[word for line in text.split("\n") for piece in _pieces(line)
                 for found in ViTokenizer.tokenize(piece).split() if (word := _compound((found,)))]
                for text in texts]
    assert compound_words_of(texts) == expected
    assert compound_words_of(texts) == [compound_words(text) for text in texts]
    assert "thông_tin" in expected[-1] and "lê_snake_case_name" in expected[-2]


def test_an_article_that_fails_analysis_is_skipped_and_the_batch_goes_on(tmp_path, monkeypatch):
    import json

    from searchkit import SearchEngine
    from searchkit.text import segment

    tagged = segment.compound_words_in

    def failing(lines):
        if any("zqhỏng" in found for text in lines for found, _ in text):
            raise ValueError("tagger broke")
        return tagged(lines)

    monkeypatch.setattr(segment, "compound_words_in", failing)
    with (tmp_path / "news.jsonl").open("w", encoding="utf-8") as stream:
        for i, word in enumerate(["zqmot", "zqhỏng", "zqba"]):
            stream.write(json.dumps({"id": f"a{i}", "title": f"Trạm BTS {word}", "body": "Sở Thông tin."},
                                    ensure_ascii=False) + "\n")
    report = SearchEngine(tmp_path / "index").index([tmp_path / "news.jsonl"], workers=1)
    assert report.added == 2 and len(report.skipped) == 1
    assert "could not be analysed (ValueError: tagger broke)" in report.skipped[0].reason
    engine = SearchEngine(tmp_path / "index")
    assert [hit.id for hit in engine.search("zqba").hits] == ["a2"] and not engine.search("zqhong").hits


def test_words_kept_by_syllable_rows_are_forgotten_when_the_rows_start_again(monkeypatch):
    """pyvi's words are kept by their syllables' row numbers across chunks (`_words_at`); when
    the table of syllables starts again, the same numbers mean other syllables."""
    from searchkit.text import segment

    texts = [a.title + "\n" + a.body for a in iter_articles([CORPUS])]
    expected = segment.compound_words_of(texts)
    monkeypatch.setattr(segment, "MAX_KNOWN_SYLLABLES", 40)  # the table starts again at every chunk
    monkeypatch.setattr(segment, "CHUNK_CHARS", 300)
    assert segment.compound_words_of(list(reversed(texts))) == list(reversed(expected))
    assert segment.compound_words_of(texts) == expected
    assert sum(map(len, expected)) > 100


def test_the_set_of_pyvis_two_syllable_words_holds_each_of_them_and_nothing_else():
    """`_CodeSet` answers for every side-by-side pair the tagger looks up: each of pyvi's
    22,705 two-syllable words (`thông tin`) is in it, and of 200,000 other codes exactly those
    that are words (as `np.isin` says), the largest code included."""
    import numpy as np

    from searchkit.text.segment import _CodeSet, _tagger

    tagger = _tagger()
    size = len(tagger.syllables.grams) + 1
    words = _CodeSet(tagger.bigrams)
    assert words.holds(tagger.bigrams).all()
    others = np.random.default_rng(21).integers(0, size * size, 200_000)
    others[:3] = [0, size * size - 1, tagger.bigrams.max() + 1]
    assert words.holds(others).tolist() == np.isin(others, tagger.bigrams).tolist()
    thong, tin = tagger.syllables.grams["thông"], tagger.syllables.grams["tin"]
    assert words.holds(np.array([thong * size + tin, tin * size + thong])).tolist() == [True, False]
