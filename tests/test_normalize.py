"""Normalisation, tone placement, i/y and folding: the forms both index and query use."""

import unicodedata

import pytest

from searchkit.text.fold import fold, has_marks
from searchkit.text.normalize import canonical_syllable, normalize_text, unify_i_y
from searchkit.text.syllables import find_syllables, forms, query_syllables, syllables


@pytest.mark.parametrize("new_style, old_style", [
    ("hoà", "hòa"), ("Hoà", "Hòa"), ("uỷ", "ủy"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"),
    ("loà", "lòa"), ("hoá", "hóa"), ("Thuý", "Thúy"), ("quỳ", "quỳ"),
])
def test_tone_placement_has_one_canonical_form(new_style, old_style):
    assert canonical_syllable(new_style) == old_style
    assert canonical_syllable(old_style) == old_style


@pytest.mark.parametrize("syllable", [
    "người", "quyết", "giữa", "gìn", "hoàng", "toán", "khuỷu", "thuở", "nghiêng", "trạm", "Đắk",
])
def test_correct_syllables_are_left_alone(syllable):
    assert canonical_syllable(syllable) == syllable


@pytest.mark.parametrize("y_form, i_form", [
    ("sỹ", "sĩ"), ("kỹ", "kĩ"), ("lý", "lí"), ("mỹ", "mĩ"), ("kỳ", "kì"), ("tỷ", "tỉ"), ("quý", "quí"),
])
def test_final_y_after_a_consonant_is_spelled_i(y_form, i_form):
    assert unify_i_y(y_form) == i_form


@pytest.mark.parametrize("word", ["y", "ý", "tay", "thủy", "huy", "quyết", "yêu"])
def test_y_that_is_not_a_spelling_variant_stays(word):
    assert unify_i_y(word) == word


def test_forms_of_a_syllable_are_lowercase_canonical_and_folded():
    assert forms("Hoà") == ("hòa", "hoa")
    assert forms("SỸ") == ("sĩ", "si")
    assert forms("Đắk") == ("đắk", "dak")
    assert forms("BTS") == ("bts", "bts")


def test_fold_strips_every_mark_and_d_bar():
    assert fold("Đắk Nông trạm ĐIỆN") == "Dak Nong tram DIEN"
    assert has_marks("trạm") and not has_marks("BTS")


def test_normalize_text_composes_nfd_and_maps_eth_to_d_bar():
    nfd = unicodedata.normalize("NFD", "Đắk Nông")
    assert normalize_text(nfd) == "Đắk Nông"
    assert normalize_text("\u00d0ắk  Nông\r\n") == "Đắk Nông\n"


def test_normalize_text_collapses_every_kind_of_space_and_replaces_controls_as_one_pass_per_step_would():
    """Random Vietnamese text with spaces of every kind, Windows and Mac newlines, control
    characters and lone surrogates: each step written out in full gives the same text."""
    import random
    import re

    wide = "\t\u00a0\u2000\u200b\u202f\u205f\u3000"
    pieces = ["Trạm", "BTS", "Đắk", "Nông", "\u00d0ắk", "tra\u0323m", " ", " ", "  ", "\n", "\r\n", "\r",
              *wide, "\x00", "\x1f", "\x85", "\ud800", ",", "."]

    def written_out(text: str) -> str:
        text = re.sub(r"[\ud800-\udfff]", "\ufffd", re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", " ", text))
        text = unicodedata.normalize("NFC", text).replace("\u00d0", "Đ")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        kinds = "\t\u00a0\u2000-\u200b\u202f\u205f\u3000"  # NFC makes U+2000 U+2002: a range
        return re.sub(rf" [ {kinds}]+|[{kinds}][ {kinds}]*", " ", text)

    draw = random.Random(21)
    for _ in range(3000):
        text = "".join(draw.choice(pieces) for _ in range(draw.randrange(0, 12)))
        assert normalize_text(text) == written_out(text), repr(text)
    assert normalize_text("Trạm BTS ở Đắk Nông.\n") == "Trạm BTS ở Đắk Nông.\n"  # clean text: as it was


def test_syllables_have_offsets_into_the_text():
    text = "Sở TT&TT tỉnh Đắk Nông"
    found = list(syllables(text))
    assert [text[s.start:s.end] for s in found] == ["Sở", "TT", "TT", "tỉnh", "Đắk", "Nông"]
    assert [s.folded for s in found] == ["so", "tt", "tt", "tinh", "dak", "nong"]


def test_query_syllables_accept_decomposed_input():
    nfd = unicodedata.normalize("NFD", "Trạm BTS")
    assert [s.accented for s in query_syllables(nfd)] == ["trạm", "bts"]


def test_letters_without_marks_to_strip_are_transliterated():
    assert fold("Ørsted Straße Łódź") == "Orsted Strasse Lodz"
    assert [s.folded for s in syllables("Hãng Ørsted")] == ["hang", "orsted"]
    text = "Hãng Ørsted ở Straße"
    assert [text[s.start:s.end] for s in find_syllables(text, {"orsted", "strasse"})] == ["Ørsted", "Straße"]


@pytest.mark.parametrize("text, wanted, found", [
    ("Khánh Hoà, hòa bình, HOÀ BÌNH", {"hoa"}, ["Hoà", "hòa", "HOÀ"]),  # both tone placements, any case
    ("bác sĩ, BÁC SỸ và ông Sỹ", {"si"}, ["sĩ", "SỸ", "Sỹ"]),  # sĩ is also written sỹ
    ("Đắk Nông 達 🚀 \ud800 trạm BTS", {"dak", "tram"}, ["Đắk", "trạm"]),  # beyond the folding table
    ("", {"tram"}, []),
    ("trạm BTS", set(), []),
])
def test_find_syllables_finds_every_spelling_with_its_offsets(text, wanted, found):
    matches = find_syllables(text, wanted)
    assert [text[s.start:s.end] for s in matches] == found
    assert matches == [s for s in syllables(text) if s.folded in wanted]


def test_a_few_words_are_found_in_the_order_the_text_has_them_up_to_the_limit():
    # each word of a short query is looked for on its own: their matches must come in text order
    text = "Trạm BTS ở Đắk Nông: trạm thứ hai, BTS mới; nông nghiệp và chuyển đổi số ở Nông Sơn"
    wanted = {"bts", "nong", "tram", "so", "chuyen", "doi"}
    every = [s for s in syllables(text) if s.folded in wanted]
    assert [text[s.start:s.end] for s in find_syllables(text, wanted, limit=5)] == ["Trạm", "BTS", "Nông", "trạm", "BTS"]
    assert find_syllables(text, wanted) == every
    assert [s.accented for s in every[-4:]] == ["chuyển", "đổi", "số", "nông"]
    body = " ".join([text] * 6)  # a body's length, folded the other way: the same matches, in order
    assert find_syllables(body, wanted) == [s for s in syllables(body) if s.folded in wanted]
    assert [body[s.start:s.end] for s in find_syllables(body, wanted, limit=12)][10:] == ["Trạm", "BTS"]


@pytest.mark.parametrize("text, folded", [
    ("Bộ TT&TT: “Chuyển đổi số” – ĐẮK NÔNG, Thừa Thiên Huế…", "bo tt&tt: “chuyen doi so” – dak nong, thua thien hue…"),
    ("Hãng Ørsted và ΟΔΥΣΣΕΥΣ đến Москва", None),  # Σ lowers by its neighbours: read the slow way
    ("Trạm 5G của 中国移动 🚀", "tram 5g cua 中国移动 🚀"),  # beyond the table: folded the wider way
    ("Straße", None), ("İstanbul", None), ("", ""),
])
@pytest.mark.parametrize("times", [1, 20])  # a title's length, and a body's (folded another way)
def test_text_is_folded_and_lowered_letter_for_letter_as_translating_then_lowering_it(text, folded, times):
    from searchkit.text.syllables import SHORT_TEXT, _fold_lower, _folding_table

    text = " ".join([text] * times)
    assert (len(text) < SHORT_TEXT) == (times == 1) or not text.strip()
    flat = _fold_lower(text)
    reference = text.translate(_folding_table()).lower()
    if folded is None:  # a letter folds or lowers to more than one, or by its neighbours
        assert flat is None or flat == reference
    else:
        assert flat == reference == " ".join([folded] * times)
        assert len(flat) == len(text)


@pytest.mark.parametrize("raw, normal", [
    ("trạm \u00a0\tBTS", "trạm BTS"),  # mixed runs of spaces become one
    ("Sở\u3000TT&TT\u200btỉnh", "Sở TT&TT tỉnh"),  # ideographic and zero-width spaces
    ("một dòng\nhai dòng", "một dòng\nhai dòng"),  # lone spaces and newlines stay
    ("\u00f0ắk \u0256ắk \u0189ắk", "đắk đắk Đắk"),  # look-alikes of đ
    ("", ""),
])
def test_normalize_text_collapses_spaces_and_maps_look_alikes(raw, normal):
    assert normalize_text(raw) == normal


@pytest.mark.parametrize("look_alike, letter", [("\u00d0", "Đ"), ("\u00f0", "đ"), ("\u0189", "Đ"), ("\u0256", "đ")])
def test_each_look_alike_of_d_is_mapped_when_it_is_the_only_one(look_alike, letter):
    """Each look-alike is looked for by itself (`normalize._LOOKALIKE_CHARS`): a text holding
    one of them, late in a long body (legacy text typed with Windows-1252's Ð, or IPA's ɖ),
    has it mapped as a text holding all four does."""
    body = "Sở Thông tin và Truyền thông lắp trạm BTS. " * 200 + f"Tỉnh {look_alike}ắk Nông hoà mạng."
    assert normalize_text(body).endswith(f"Tỉnh {letter}ắk Nông hoà mạng.")
    assert look_alike not in normalize_text(body)
