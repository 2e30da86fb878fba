"""searchkit.text.legacy: legacy encodings (TCVN3, VNI, Windows-1258) and repair of broken text."""

from __future__ import annotations

import unicodedata

import pytest

from searchkit.text.legacy import (
    decode_bytes,
    encode_tcvn3,
    encode_vni,
    encode_windows_1258,
    is_vietnamese_syllable,
    repair_text,
)

# From seed 002_8621a67b8f0e4508 (Sở TT&TT Hòa Bình, 2009).
SEED_PARAGRAPH = (
    "Ngày 11/6, đồng chí Hoàng Việt Cường, Bí thư Tỉnh uỷ, Chủ tịch HĐND tỉnh đã có buổi làm "
    "việc tại Sở Thông tin - Truyền thông tỉnh Hòa Bình. Cùng tham gia làm việc có các đồng chí: "
    "Doãn Mậu Diệp, Phó Bí thư Tỉnh uỷ; Bùi Văn Cửu, Phó Chủ tịch UBND tỉnh; lãnh đạo Ban Tổ "
    "Chức Tỉnh uỷ, Ban Tuyên giáo Tỉnh uỷ, Đảng uỷ Khối cơ quan Dân chính Đảng tỉnh và các Sở: "
    "Nội vụ, KH-ĐT, Tài Chính."
)
# The seed's own sentence, with the TCVN3 fragment it really contains, and the correct one.
SEED_BROKEN = (
    "Đồng chí Bí thư Tỉnh uỷ cho rằng: Làm tốt vai trò của cơ quan quản lý nhà nước thực hiện "
    "điều phối, phối hợp hoạt động của các doanh nghiệp BCVT&CNTT nhằm phát triển nhanh chóng, "
    "ổn định cơ sở hạ tầng BCVT, CNTT và đảm bảo sự cạnh tranh của các doanh nghiệp trên địa bàn "
    "được công bằng, bình đẳng và lµnh m¹nh."
)
SEED_FIXED = SEED_BROKEN.replace("lµnh m¹nh", "lành mạnh")
# Real words for the vowel x tone pairs the seed lacks.
MORE_WORDS = (
    "Em bé vẽ tranh, mẹ pha chè xanh và xé giấy đỏ; trẻ nhỏ học thử, rõ ràng vẫn chuẩn bị sẵn "
    "sàng khẳng định thắng lợi bằng kỹ thuật hỗ trợ, kỷ niệm kỳ thi, kiêng kỵ, vỡ đê, ẩn ý, lũy "
    "tre, cũng nhờ ủy ban, ỷ lại, ấm áp, ống nước, mặc áo, ẽo ợt, chú ý, kĩ thuật, tầng, thế hệ "
    "Nguyễn, những từng sự thể."
)
VIETNAMESE = SEED_PARAGRAPH + "\n" + SEED_FIXED + "\n" + MORE_WORDS + "\n"

VOWELS = "a ă â e ê i o ô ơ u ư y".split()
# Tone order of the tables below: none, huyền, hỏi, ngã, sắc, nặng.
TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def toned(vowel: str, mark: str) -> str:
    return unicodedata.normalize("NFC", vowel + mark)


ALL_VOWELS = [toned(v, m) for v in VOWELS for m in TONE_MARKS]

# Independent copies of the published tables (the text as a Western Windows font shows it).
TCVN3_TABLE = {
    "a": "aµ¶·¸¹", "ă": "¨»¼½¾Æ", "â": "©ÇÈÉÊË", "e": "eÌÎÏÐÑ", "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ", "o": "oßáâãä", "ô": "«åæçèé", "ơ": "¬êëìíî", "u": "uïñòóô",
    "ư": "\xadõö÷øù", "y": "yúûüýþ",
}
TCVN3_OTHER = {"đ": "®", "Đ": "§", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦"}
VNI_TABLE = {  # lower case, then upper case
    "a": ("a aø aû aõ aù aï", "A AØ AÛ AÕ AÙ AÏ"),
    "ă": ("aê aè aú aü aé aë", "AÊ AÈ AÚ AÜ AÉ AË"),
    "â": ("aâ aà aå aã aá aä", "AÂ AÀ AÅ AÃ AÁ AÄ"),
    "e": ("e eø eû eõ eù eï", "E EØ EÛ EÕ EÙ EÏ"),
    "ê": ("eâ eà eå eã eá eä", "EÂ EÀ EÅ EÃ EÁ EÄ"),
    "i": ("i ì æ ó í ò", "I Ì Æ Ó Í Ò"),
    "o": ("o oø oû oõ où oï", "O OØ OÛ OÕ OÙ OÏ"),
    "ô": ("oâ oà oå oã oá oä", "OÂ OÀ OÅ OÃ OÁ OÄ"),
    "ơ": ("ô ôø ôû ôõ ôù ôï", "Ô ÔØ ÔÛ ÔÕ ÔÙ ÔÏ"),
    "u": ("u uø uû uõ uù uï", "U UØ UÛ UÕ UÙ UÏ"),
    "ư": ("ö öø öû öõ öù öï", "Ö ÖØ ÖÛ ÖÕ ÖÙ ÖÏ"),
    "y": ("y yø yû yõ yù î", "Y YØ YÛ YÕ YÙ Î"),
}


def test_fixture_has_every_vowel_and_tone():
    lower = VIETNAMESE.lower()
    assert [v for v in ALL_VOWELS if v not in lower] == []
    assert "Đ" in VIETNAMESE and "đ" in VIETNAMESE


# --- the tables, one vowel x tone at a time ---------------------------------------------------


@pytest.mark.parametrize("vowel", VOWELS)
def test_tcvn3_table(vowel):
    for mark, shown in zip(TONE_MARKS, TCVN3_TABLE[vowel]):
        char = toned(vowel, mark)
        assert encode_tcvn3(char) == shown.encode("cp1252"), char


def test_tcvn3_fragments_with_every_vowel_and_tone_are_repaired():
    # The whole fixture in TCVN3, shown as a Western font shows it, pasted into Unicode text.
    assert repair_text(encode_tcvn3(VIETNAMESE).decode("cp1252")) == VIETNAMESE


@pytest.mark.parametrize("char", TCVN3_OTHER)
def test_tcvn3_other_letters(char):
    assert encode_tcvn3(char) == TCVN3_OTHER[char].encode("cp1252")


@pytest.mark.parametrize("vowel", VOWELS)
def test_vni_table(vowel):
    lower, upper = (codes.split() for codes in VNI_TABLE[vowel])
    for mark, lo, up in zip(TONE_MARKS, lower, upper):
        char = toned(vowel, mark)
        assert encode_vni(char) == lo.encode("cp1252"), char
        assert encode_vni(char.upper()) == up.encode("cp1252"), char.upper()


def test_vni_consonants_and_example():
    assert encode_vni("đĐ") == "ñÑ".encode("cp1252")
    assert encode_vni("Việt") == b"Vie\xe4t"  # 'Vieät'
    assert decode_bytes("Vieät Nam".encode("cp1252")) == ("Việt Nam", "vni-windows")


def test_tcvn3_decodes_the_seed_fragment_bytes():
    assert decode_bytes(b"l\xb5nh m\xb9nh") == ("lành mạnh", "tcvn3")


# --- whole-file round trips -------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode, name",
    [(encode_tcvn3, "tcvn3"), (encode_vni, "vni-windows"), (encode_windows_1258, "windows-1258")],
)
def test_round_trip_legacy(encode, name):
    data = encode(VIETNAMESE)
    assert data.isascii() is False
    assert decode_bytes(data) == (VIETNAMESE, name)


@pytest.mark.parametrize(
    "encode, name", [(encode_vni, "vni-windows"), (encode_windows_1258, "windows-1258")]
)
def test_round_trip_upper_case(encode, name):
    text = VIETNAMESE.upper()
    assert decode_bytes(encode(text)) == (text, name)


def test_tcvn3_upper_case_font():
    # TCVN3 has no codes for toned capitals: an upper-case font shows the lower-case codes.
    assert encode_tcvn3("HÀ NỘI") == b"H\xb5 N\xe9I"
    assert decode_bytes(b"H\xb5 N\xe9I") == ("HÀ NỘI", "tcvn3")
    assert decode_bytes(encode_tcvn3("ĐẢNG CỘNG SẢN\nSở TT&TT Hòa Bình")) == (
        "ĐẢNG CỘNG SẢN\nSở TT&TT Hòa Bình",
        "tcvn3",
    )


def test_utf8_and_bom():
    assert decode_bytes(VIETNAMESE.encode("utf-8")) == (VIETNAMESE, "utf-8")
    assert decode_bytes(b"\xef\xbb\xbf" + VIETNAMESE.encode("utf-8")) == (VIETNAMESE, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    assert decode_bytes(bom + VIETNAMESE.encode(codec)) == (VIETNAMESE, "utf-16")


def test_decoded_text_is_nfc_and_repaired():
    decomposed = unicodedata.normalize("NFD", SEED_BROKEN)
    assert decode_bytes(decomposed.encode("utf-8")) == (SEED_FIXED, "utf-8")


def test_nul_bytes_are_binary():
    with pytest.raises(ValueError, match="binary content \\(NUL bytes\\)"):
        decode_bytes(b"PK\x03\x04\x00\x00\x08\x00")


def test_undecodable_bytes():
    with pytest.raises(ValueError, match="not decodable as UTF-8, UTF-16, Windows-1258, TCVN3, VNI or Windows-1252"):
        decode_bytes(b"\x81\x8d\x8f\x90\x9d" * 20)
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(bytes(range(1, 256)) * 4)


def test_encoders_refuse_what_they_cannot_encode():
    with pytest.raises(ValueError):
        encode_tcvn3("5 µm")  # µ is TCVN3's 'à'
    with pytest.raises(ValueError):
        encode_vni("日本")


# --- repair inside Unicode text ---------------------------------------------------------------


def test_repair_seed_sentence():
    assert repair_text(SEED_BROKEN) == SEED_FIXED


@pytest.mark.parametrize(
    "broken, fixed",
    [
        ("Viá»‡t Nam", "Việt Nam"),  # UTF-8 read as Windows-1252
        ("Ä‘á»‹a bÃ n tá»‰nh", "địa bàn tỉnh"),
        ("HÃ\xa0 Ná»™i", "Hà Nội"),  # 'à' = C3 A0: 'Ã' + no-break space
        ("Ngh\u1ec7 An: NGHá»† AN", "Nghệ An: NGHỆ AN"),
        ("thá»\x8b trÆ°á»\x9dng", "thị trường"),  # Latin-1: holes of 1252 as C1 controls
        ("ngÆ°á»i", "ngÆ°á»i"),  # bytes lost: not a syllable, left alone
        ("Ăª", "ê"),  # Windows-1258
        ("nghiĂªn cá»©u", "nghiên cứu"),  # read as Windows-1258
        ("â€œViá»‡t Namâ€\x9d", "“Việt Nam”"),
        ("Hµ Néi", "Hà Nội"),  # TCVN3: 'Néi' only letters of Vietnamese, vouched for by 'Hµ'
        ("§µ N½ng vµ ®Êt n­íc", "Đà Nẵng và đất nước"),
        ("Së TT&TT tØnh Hßa B×nh", "Sở TT&TT tỉnh Hòa Bình"),
        ("ph¸t triÓn CNTT cã hiÖu qu¶", "phát triển CNTT có hiệu quả"),  # 'cã' between two
        ("ViÖt Nam", "Việt Nam"),
        ("¨n uèng", "ăn uống"),
        ("(NL§) - Nh÷ng", "(NLĐ) - Những"),
        ("ë ®©y vµ ë ®ã", "ở đây và ở đó"),  # the first 'ë' lies at the line's edge
        ("Tr\xadêng ®¹i häc", "Trường đại học"),  # ư is the soft hyphen's byte
        ("bÃ n lÃ m viá»‡c", "bàn làm việc"),  # no-break space of 'à' (C3 A0) became a space
        ("lµnh 5 µm, lµnh × 2", "lành 5 µm, lành × 2"),  # signs next to a repair stay
        ("Hòa Bình và lµnh", "Hòa Bình và lành"),  # 'Hòa' is TCVN3 'Hũa' too: not touched
        ("Ná»™i ĐÃ XONG mã số MÃ”", "Nội ĐÃ XONG mã số MÃ”"),
    ],
)
def test_repairs(broken, fixed):
    assert repair_text(broken) == fixed


CORRECT = [
    VIETNAMESE,
    "Hòa Bình, Hoà Bình, thuỷ điện, thủy điện, Quốc hội, gìn giữ, nghiêng ngả, khuya khoắt, thuở ấy",
    "HÀ NỘI, ĐẮK LẮK, Đắk Nông, Ê-đê, ôtô, Pác Bó",
    "The quick brown fox jumps over the lazy dog; don't panic.",
    "Kích thước 5 µm, sai số ±5%, nhiệt độ 25 °C, µg/l, 10µm",
    "© 2009 VNPT, Intel® Core™ i7, Windows Media® Player",
    "Café, naïve, résumé, Häagen-Dazs, Müller, São Paulo, señor, Ragnarök, Zoë, Noël, Perú",
    "a[i] = b[i] * 2; if (x != y) { return x ^ y; } // µ ± ×",
    "x × y ÷ 2, 240×320 pixel, ¼ số học sinh, chưa đến ½, «thợ lặn», § 3, ¶ 2, a·b",
    "Ðà Nẵng, Ðồng Nai, ÐBSCL, Ðo huyết áp",  # Icelandic eth used for Đ: not TCVN3's 'é'
    "Intel® môt chiếc tôc độ",  # typos of 'một', 'tốc', not TCVN3 'mụt', 'tục'
    "MÃ” and ĐÃ…",  # correct capitals followed by a quote / ellipsis, not mojibake
    "Lưu ý: 5 µm; µm",
    "",
    "   \n\t",
]


@pytest.mark.parametrize("text", CORRECT)
def test_correct_text_is_unchanged(text):
    assert repair_text(text) == text


def test_repair_reports_changes_and_returns_nfc():
    changes: list[tuple[str, str]] = []
    assert repair_text(unicodedata.normalize("NFD", "Hòa Bình và lµnh"), changes) == "Hòa Bình và lành"
    assert changes == [("lµnh", "lành")]


# --- the syllable validator -------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["Việt", "NGHIÊNG", "gìn", "giếng", "thuở", "quốc", "quyết", "khuya", "hoà", "hòa", "Đắk",
     "ươm", "yêu", "oải", "ấy", "kỹ", "ghế", "xoong", "Lắk", "uống", "lành", "mạnh"],
)
def test_valid_syllables(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["lµnh", "m¹nh", "Viá»‡t", "ViệT", "Café", "hàt", "hảc", "ce", "ka", "ghoa",
     "ngi", "quoa", "lyên", "àà", "bcd", "", "x", "Ðà", "Schmidt", "ưk"],
)
def test_invalid_syllables(word):
    assert not is_vietnamese_syllable(word)


def test_legacy_files_are_indexed_searchable_and_highlighted_as_unicode(tmp_path):
    """Whole files in TCVN3, VNI and Windows-1258 go through the index like UTF-8 ones."""
    from searchkit import SearchEngine
    from searchkit.text.legacy import encode_windows_1258

    article = ("Sở Thông tin và Truyền thông tỉnh Đắk Nông\n\n"
               "Tỉnh đã xây dựng thêm nhiều trạm thu phát sóng, hạ tầng viễn thông phát triển lành mạnh.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tcvn3.txt").write_bytes(encode_tcvn3(article))
    (corpus / "vni.txt").write_bytes(encode_vni(article))
    (corpus / "cp1258.txt").write_bytes(encode_windows_1258(article))
    engine = SearchEngine(tmp_path / "index")
    report = engine.index([corpus])
    assert (report.added, report.skipped) == (3, ())
    for query, words in (("lành mạnh", "lành mạnh"), ("lanh manh", "lành mạnh"), ('"trạm thu phát sóng"', "trạm thu phát sóng")):
        results = engine.search(query)
        assert sorted(h.id for h in results.hits) == ["cp1258", "tcvn3", "vni"]
        for hit in results.hits:
            assert words in {s.text[a:b] for s in hit.snippets for a, b in s.spans}
        assert {h.title for h in results.hits} == {"Sở Thông tin và Truyền thông tỉnh Đắk Nông"}


@pytest.mark.parametrize("text", [
    "Le café de la gare\n\nL'élève a été très content à Genève, près du lycée.",
    "La reunión\n\nJosé y María fueron al café. El niño cantó una canción. Mañana, más.",
    "Die Straße\n\nÜber die Brücke gehen Mädchen zur Schule. Grüße aus Köln.",
    "Thé\n\nthé",  # reads as a syllable either way: the bytes as written win the tie
])
@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_european_latin1_text_stays_as_written(text, codec):
    """Regression: Latin-1 text was read as TCVN3 (é → ộ) or refused as undecodable."""
    assert decode_bytes(text.encode(codec)) == (text, "windows-1252")


def test_legacy_vietnamese_still_beats_the_windows_1252_reading():
    text = "Hội nghị về công nghệ thông tin tại Hà Nội: ăn và chơi, đường dây nóng."
    for encode, name in ((encode_tcvn3, "tcvn3"), (encode_vni, "vni-windows"),
                         (encode_windows_1258, "windows-1258")):
        assert decode_bytes(encode(text)) == (text, name)


def test_every_character_a_repair_scan_begins_with_is_looked_for_first():
    """Clean text is returned after one scan (`legacy._SUSPECT`): a character that begins a
    match of any of the four scans (in the contexts that let it: after a mojibake lead byte's
    character, after a small letter, before a space) must be one it looks for."""
    from searchkit.text import legacy

    scans = (*legacy._MOJI_SCAN, legacy._TCVN3_STRONG_RE, legacy._TCVN3_ODD_CASE_RE)
    begins = {char for char in map(chr, range(0x20, 0x3000))
              for context in (char, char + " ", "a" + char, "Ã" + char)
              for scan in scans if (found := scan.search(context)) and found.group()[0] == char}
    assert len(begins) > 60 and {"Ã", "Ă", "µ", "Ê", "“"} <= begins
    assert not [char for char in begins if not legacy._SUSPECT.match(char)]
    assert repair_text("bình đẳng và lµnh m¹nh") == "bình đẳng và lành mạnh"  # a strong TCVN3 letter alone
    assert repair_text("Viá»‡t Nam") == "Việt Nam"
