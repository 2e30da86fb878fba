"""Telex / VNI keystroke decoding and the syllable validator that keeps English words out."""

import unicodedata

import pytest

from searchkit.text.keystrokes import decode_keystrokes, decode_telex, decode_vni
from searchkit.text.normalize import canonical_syllable
from searchkit.text.spelling import is_valid_syllable


@pytest.mark.parametrize("typed, syllable", [
    # circumflex â ê ô, breve ă, horn ơ ư, and đ
    ("traafm", "trầm"), ("tieengs", "tiếng"), ("thoong", "thông"), ("nawm", "năm"),
    ("mowis", "mới"), ("tooi", "tôi"), ("tuw", "tư"), ("ddaau", "đâu"), ("ddieenj", "điện"),
    # the five tones and their flexible position (after the vowel or at the end)
    ("cos", "có"), ("tramf", "tràm"), ("trafm", "tràm"), ("hoir", "hỏi"), ("ngax", "ngã"),
    ("trajm", "trạm"), ("tosan", "toán"),
    # ươ in every spelling, uyê, other nuclei
    ("dduwowngf", "đường"), ("dduowngf", "đường"), ("dduongwf", "đường"), ("nguowif", "người"),
    ("ruwowuj", "rượu"), ("thuowr", "thuở"), ("truyeenf", "truyền"), ("khuyur", "khuỷu"),
    ("ngoaif", "ngoài"), ("hoawcj", "hoặc"), ("guiwr", "gửi"), ("huuw", "hưu"),
    ("nghieeng", "nghiêng"), ("kyx", "kỹ"),
    # w on its own is ư
    ("w", "ư"), ("tw", "tư"), ("nhwngx", "những"),
    # the k finals of Central Highlands names: Đắk Lắk, Đăk Nông, Krông Búk
    ("Ddawsk", "Đắk"), ("lawsk", "lắk"), ("Ddawk", "Đăk"), ("busk", "búk"),
    # qu and gi onsets
    ("quoocs", "quốc"), ("quys", "quý"), ("quyeets", "quyết"), ("quawng", "quăng"),
    ("giuwax", "giữa"), ("gif", "gì"), ("giaf", "già"),
    # old-style tone placement: hòa, thủy, ủy, khỏe
    ("hoaf", "hòa"), ("hofa", "hòa"), ("thuyr", "thủy"), ("uyr", "ủy"), ("khoer", "khỏe"),
    # the case of the first letter is kept; all capitals stay capitals
    ("Vieetj", "Việt"), ("Dduwowngf", "Đường"), ("TRUYEENF", "TRUYỀN"),
])
def test_telex_words_decode_to_their_syllable(typed, syllable):
    assert decode_telex(typed) == syllable
    assert decode_keystrokes(typed) == syllable


@pytest.mark.parametrize("typed, syllable", [
    ("truye62n", "truyền"), ("truyen62", "truyền"), ("tho6ng", "thông"), ("thong6", "thông"),
    ("tra5m", "trạm"), ("d9i", "đi"), ("d9a6u", "đâu"), ("na8m", "năm"), ("mo7i1", "mới"),
    ("d9uo7ng2", "đường"), ("d9u7o7ng2", "đường"), ("duong792", "đường"), ("mua7", "mưa"),
    ("thuo73", "thuở"), ("hoa8c5", "hoặc"), ("nguo7i2", "người"), ("co1", "có"), ("ho3i", "hỏi"),
    ("nga4", "ngã"), ("hoa2", "hòa"), ("u3y", "ủy"), ("khoe3", "khỏe"), ("quo6c1", "quốc"),
    ("giu7a4", "giữa"), ("Vie65t", "Việt"), ("THO6NG", "THÔNG"),
    # regression: 6 on u+o is uô, not the horned ươ (cuộc was decoded as cược)
    ("cuo6c5", "cuộc"), ("muo6n1", "muốn"), ("luo6n", "luôn"),
])
def test_vni_words_decode_to_their_syllable(typed, syllable):
    assert decode_vni(typed) == syllable
    assert decode_keystrokes(typed) == syllable


@pytest.mark.parametrize("word", [
    # English, product and acronym words that look a little like keystrokes
    "news", "tools", "BTS", "4G", "3G", "5G", "internet", "email", "online", "wifi", "smartphone",
    "facebook", "google", "boot", "meet", "keep", "mp3", "covid19", "iphone6", "note7", "Top10",
    "H2O", "u23", "ISP", "DDoS", "iOS", "CO2", "U17",
    # already accented, plain Vietnamese without markers, empty, non-letters
    "trạm", "đường", "thông", "hoa", "truyen", "", "2020", "tt&tt",
    # Vietnamese-looking but not well-formed once decoded
    "muaw", "howw", "ddd", "aaa", "d9", "hoafs",
])
def test_words_that_are_not_keystrokes_stay_undecoded(word):
    assert decode_keystrokes(word) is None


_TELEX_KEYS = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd",
               "\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_VNI_KEYS = {"â": "a6", "ê": "e6", "ô": "o6", "ă": "a8", "ơ": "o7", "ư": "u7", "đ": "d9",
             "\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_TONES = "\u0301\u0300\u0309\u0303\u0323"


def _type(syllable: str, keys: dict[str, str]) -> str:
    """What a user types for a syllable: its letters with their mark keys, the tone key last."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = "".join(keys[c] for c in decomposed if c in _TONES)
    letters = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return "".join(keys.get(c, c) for c in letters) + tone


@pytest.mark.parametrize("syllable", (
    "của được những người không năm trọng cũng công đã này nhiều việt thông tín điện thoại "
    "mạng truyền hình quốc tế thuộc cuộc muốn tuổi nguồn luôn xuống rượu khuyên khuỷu huấn "
    "luyện quyền giữa giấy nghiêng chuyển đổi số ủy hòa thủy khỏe oái ngoặt hoặc ươn thuở "
    "yêu ý ở ấy ăn ồn ứng dụng phần mềm bưu chính viễn trạm phát sóng"
).split())
def test_common_syllables_round_trip_through_both_schemes(syllable):
    assert decode_telex(_type(syllable, _TELEX_KEYS)) == syllable
    assert decode_vni(_type(syllable, _VNI_KEYS)) == syllable


def test_a_word_is_decoded_by_the_one_scheme_that_applies():
    assert decode_vni("truyeenf") is None
    assert decode_telex("truye62n") is None


@pytest.mark.parametrize("typed", [
    "truyeenf", "hoaf", "thuyr", "uyr", "khoer", "ngoaif", "dduwowngf", "quyeets", "giuwax",
    "truye62n", "hoa2", "khuyur",
])
def test_decoded_syllables_are_nfc_and_in_the_index_canonical_form(typed):
    syllable = decode_keystrokes(typed)
    assert unicodedata.is_normalized("NFC", syllable)
    assert canonical_syllable(syllable) == syllable


@pytest.mark.parametrize("word", [
    "a", "ý", "ở", "trạm", "người", "nghiêng", "quốc", "quỳnh", "giữa", "gìn", "giếng", "khuỷu",
    "thuở", "hoặc", "oái", "xoong", "yêu", "Việt", "ĐƯỜNG", "hoà", "tốt", "kịch", "ca", "ăn",
    "kẻ", "ghế",
])
def test_well_formed_syllables_are_valid(word):
    assert is_valid_syllable(word)


@pytest.mark.parametrize("word, why", [
    ("news", "w is not a Vietnamese letter"),
    ("tools", "l is not a final"),
    ("tôt", "a stop final takes only sắc or nặng"),
    ("tồt", "a stop final takes only sắc or nặng"),
    ("ghà", "gh only before e, ê, i"),
    ("gế", "g never before e, ê"),
    ("ce", "c never before e, ê, i, y"),
    ("ka", "k only before e, ê, i, y"),
    ("ngi", "ng never before e, ê, i"),
    ("coa", "the medial after c is spelled qu"),
    ("quo", "qu takes no o"),
    ("ă", "ă needs a final"),
    ("đ", "no vowel"), ("", "empty"),
    ("hoàá", "two tones"),
    ("BTS", "no vowel"), ("4G", "digits"),
])
def test_malformed_syllables_are_invalid(word, why):
    assert not is_valid_syllable(word), why
