"""searchkit.text.spelling: the one syllable validator, and its callers agreeing on it.

The keystroke decoder and the legacy-encoding repair once had validators of their own that
disagreed (`Đăk` and `lăk` passed only one, `coa` only the other).
"""

from __future__ import annotations

import unicodedata

import pytest

from searchkit.text.keystrokes import decode_telex, decode_vni
from searchkit.text.legacy import decode_bytes, encode_tcvn3, encode_vni, is_vietnamese_syllable, repair_text
from searchkit.text.spelling import LETTERS, MAX_SYLLABLE_LETTERS, WORD, is_valid_syllable

# Words of the corpus the two old validators disagreed on, and words they both got right.
WELL_FORMED = [
    # Central Highlands names: the k final, with a tone or without (Kon Tum writes Đăk Hà)
    "Đắk", "Lắk", "Đăk", "lăk", "Lăk", "Đak", "Búk", "Pắk",
    # qu + y: the validator of the legacy repair refused them
    "quỳnh", "Quỳnh", "quýt", "quỵt", "quyết", "quốc", "quy", "quít",
    # loanwords the corpus writes (tuýp thuốc, gioăng cao su, Gioan) and rarer rhymes
    "tuýp", "gioăng", "Gioan", "ngoạp", "chưn",
    # the usual ones
    "nghiêng", "NGHIÊNG", "gìn", "giếng", "thuở", "khuỷu", "hoà", "hòa", "ươm", "yêu", "ý", "kỹ",
    "ghế", "xoong", "tốt", "hạt",
]
MALFORMED = [
    ("coa", "the rounded medial after c is spelled qu: qua"), ("coe", "c + medial"),
    ("tyên", "yê only without an onset: tiên"), ("thyết", "yê after an onset"),
    ("ưk", "no ưk rhyme"), ("tôt", "a stop final takes only sắc or nặng"),
    ("hàt", "a stop final takes only sắc or nặng"),
    ("ghà", "gh only before e, ê, i"), ("ce", "c never before e, ê, i, y"), ("ka", "k only before e, ê, i, y"),
    ("quo", "qu takes no o"), ("ngi", "ng never before i"), ("hoàá", "two tones"),
    ("news", "w is not a Vietnamese letter"), ("BTS", "no vowel"), ("4G", "digits"), ("", "empty"),
    ("nghiêngg", "longer than any syllable"),
]
# What legacy encodings make of Vietnamese words: never a syllable, or the repair would not fire.
MOJIBAKE = ["§¨k", "L¨k", "§¾k", "Ñaêk", "Laêk", "LÄƒk", "Quá»³nh", "Viá»‡t", "lµnh", "m¹nh", "quyùt"]


@pytest.mark.parametrize("word", WELL_FORMED)
def test_well_formed_syllables_pass_both_callers(word):
    assert is_valid_syllable(word)
    assert is_valid_syllable(unicodedata.normalize("NFD", word))
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word, why", MALFORMED)
def test_malformed_syllables_fail_both_callers(word, why):
    assert not is_valid_syllable(word), why
    assert not is_vietnamese_syllable(word), why


@pytest.mark.parametrize("word", MOJIBAKE)
def test_legacy_encoded_words_are_no_syllables(word):
    assert not is_valid_syllable(word) and not is_vietnamese_syllable(word)


def test_the_legacy_check_also_wants_one_of_the_three_cases():
    """A capital inside a word is TCVN3 read in its capitals font: a sign of mojibake to the
    repair; to the search, only a way of typing."""
    assert is_valid_syllable("ViệT") and not is_vietnamese_syllable("ViệT")
    assert is_vietnamese_syllable("Việt") and is_vietnamese_syllable("VIỆT")


def test_the_keystroke_decoder_decodes_what_the_validator_accepts():
    assert [decode_telex(w) for w in ("ddawk", "Lawsk", "Ddawsk")] == ["đăk", "Lắk", "Đắk"]
    assert decode_telex("quyfnh") == "quỳnh" and decode_vni("tuy1p") == "tuýp"
    assert decode_telex("coaf") is None and decode_telex("tyeen") is None  # còa, tyên: no words


@pytest.mark.parametrize("encode, name", [(encode_tcvn3, "tcvn3"), (encode_vni, "vni-windows")])
def test_place_names_survive_the_legacy_encodings(encode, name):
    text = "Huyện Đăk Hà (Kon Tum) giáp tỉnh Đắk Lắk; quýt, tuýp thuốc và gioăng cao su ở Quỳnh Lưu."
    assert decode_bytes(encode(text)) == (text, name)


def test_repair_leaves_place_names_and_fixes_mojibake_beside_them():
    text = "Huyện Đăk Hà, tỉnh Đắk Lắk: Viá»‡t Nam lµnh m¹nh"
    assert repair_text(text) == "Huyện Đăk Hà, tỉnh Đắk Lắk: Việt Nam lành mạnh"


def test_no_syllable_is_longer_than_the_limit():
    assert len("nghiêng") == MAX_SYLLABLE_LETTERS and is_valid_syllable("nghiêng")


def test_a_word_is_a_run_of_letters_and_digits_a_name_one_of_letters():
    assert WORD.findall("Sở TT&TT Đắk Lắk: 4G_LTE, trạm-BTS") == [
        "Sở", "TT", "TT", "Đắk", "Lắk", "4G", "LTE", "trạm", "BTS"]
    assert LETTERS.findall("Sở TT&TT: 4G_LTE") == ["Sở", "TT", "TT", "G", "LTE"]
