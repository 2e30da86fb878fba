"""Folding through the packaged table (`searchkit/text/fold_table.py`) gives what folding
character by character through decomposition gives (`fold._fold_slowly`), and the table is
the one its generator writes today (issue 21, item 6: a cold start without the slow path)."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from searchkit.text import fold as folding
from searchkit.text.fold import _fold_slowly, fold, fold_table
from searchkit.text.fold_table import FOLDS
from tests.conftest import CORPUS, ROOT

#: Vietnamese letters in both cases, precomposed and decomposed marks, and the punctuation
#: between words that the table folds to itself.
VIETNAMESE = ("aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
              "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÊỀẾỂỄỆÔỒỐỔỖỘƠỜỚỞỠỢƯỪỨỬỮỰÝ"
              "\u0300\u0301\u0303\u0309\u0323…–—“”‘’€°«» .,:;!?-/0123456789")


def test_the_packaged_table_is_what_the_generator_writes_today():
    written = subprocess.run([sys.executable, "-m", "searchkit.text.fold"], cwd=ROOT, capture_output=True,
                             text=True, encoding="utf-8", check=True).stdout
    assert written == (ROOT / "searchkit" / "text" / "fold_table.py").read_text(encoding="utf-8"), \
        "regenerate it: python -m searchkit.text.fold > searchkit/text/fold_table.py"
    assert FOLDS == fold_table()
    assert FOLDS[ord("ắ")] == "a" and FOLDS[ord("Đ")] == "D" and FOLDS[ord("ø")] == "o" and FOLDS[0x0323] == ""
    assert all(folding._UNKNOWN.search(chr(code)) is None for code in FOLDS)
    assert [c for c in "aĐ…\u0301" if folding._UNKNOWN.search(c)] == []
    assert [c for c in "α\u1100\u3000字" if folding._UNKNOWN.search(c)] == ["α", "\u1100", "\u3000", "字"]


@pytest.mark.parametrize("text, folded", [
    ("Đắk Nông", "Dak Nong"), ("trạm BTS – “Viettel” …", "tram BTS – “Viettel” …"),
    ("Tra\u0323m BTS", "Tram BTS"),  # decomposed marks are dropped as the precomposed ones are
    ("Straße Øresund Þórshöfn", "Strasse Oresund Thorshofn"), ("ÐÖNG đồng", "DONG dong"),
    ("hoà hòa Thuỷ Thủy", "hoa hoa Thuy Thuy"), ("ho\u0300a Thu\u0309y", "hoa Thuy"),  # either tone placement, NFD too
    ("Quy Nhơn, Qui Nhơn, bác sĩ, bác sỹ", "Quy Nhon, Qui Nhon, bac si, bac sy"),  # i/y stay themselves
])
def test_fold_through_the_table(text, folded):
    assert folding._UNKNOWN.search(text) is None  # the table's path, not the slow one
    assert fold(text) == folded == _fold_slowly(text)


def test_empty_and_ascii_text_fold_to_themselves():
    assert fold("") == "" == _fold_slowly("")
    assert fold("tram BTS") == "tram BTS"


@pytest.mark.parametrize("text, folded", [
    ("Ѐ Москва", "E Moskva"),  # other scripts: marks dropped, letters spelled in ASCII
    ("\u1100\u1161", "ga"),  # jamo compose in NFC (가): why other scripts take the slow path
    ("x\u00a0\u3000y", "x\u00a0\u3000y"),  # an ideographic space is outside the table
])
def test_what_the_table_does_not_hold_takes_the_slow_path(text, folded):
    assert folding._UNKNOWN.search(text) is not None
    assert fold(text) == folded == _fold_slowly(text)


def test_every_pair_of_vietnamese_characters_folds_as_the_slow_path_does():
    for pair in itertools.product(VIETNAMESE, repeat=2):
        text = "".join(pair)
        assert fold.__wrapped__(text) == _fold_slowly(text), text


def test_no_two_characters_of_the_table_fold_otherwise_together():
    """Why folding character by character is exact: no pair of the table's characters (or
    ASCII) composes in NFC, so a text of them folds as its characters do, one by one."""
    characters = [chr(code) for code in range(128)] + [chr(code) for code in FOLDS]
    differing = [a + b for a in characters for b in characters if (a + b).translate(FOLDS) != _fold_slowly(a + b)]
    assert differing == []


def test_the_sample_articles_fold_as_the_slow_path_does():
    for path in sorted(CORPUS.iterdir()):
        text = path.read_text(encoding="utf-8")
        for piece in [text, *text.split()]:
            assert fold.__wrapped__(piece) == _fold_slowly(piece), piece
