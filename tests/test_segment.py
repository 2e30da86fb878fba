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
