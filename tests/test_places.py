"""Finding provinces in running text: `Gazetteer.find_all` looks only where its regex says a
name may start (issue 21: it was two thirds of a build's reading), and must find every name
that looking at each syllable finds (`_named_everywhere`), wherever it stands."""

from __future__ import annotations

import unicodedata

import pytest

from searchkit.text import places
from searchkit.text.fold import fold
from searchkit.text.normalize import normalize_text
from searchkit.text.places import load_gazetteer, parse_gazetteer
from tests.conftest import CORPUS

#: An article naming provinces where a regex could miss them: after a number, a colon, a
#: point, brackets and quotes, at the start and the very end, in capitals, after a newline.
ARTICLE = """Bản tin ngày 5/3:Hà Tĩnh và Quảng Bình chuẩn bị đón 5G
1.Hà Nội; 2.TP.HCM; 3.Đà Nẵng; 4.TP.Huế đã có trạm BTS 5G thử nghiệm.
VNPT ĐẮK LẮK và Viettel (Cần Thơ) ký kết hợp tác, «Lâm Đồng» theo sau.
Năm 2023,Bình Dương đón 8 triệu lượt khách; cáp quang biển Thái Bình Dương bị đứt.
Sở TT&TT tỉnh Hòa Bình;Hải Dương phối hợp với thành phố
Thái Bình (không phải tỉnh Thái Bình) và Viettel Sơn La—Lai Châu.
Vì hòa bình, mạng lưới phủ tới Vĩnh Long"""


@pytest.fixture(autouse=True)
def _the_regex_from_the_first_text(monkeypatch):
    """The regex's answers, not those of the first texts a process reads everywhere."""
    monkeypatch.setattr(places, "EVERYWHERE_CHARS", 0)


def test_a_few_articles_are_read_everywhere_and_the_regex_made_only_for_more(monkeypatch):
    monkeypatch.setattr(places, "EVERYWHERE_CHARS", 2 * len(ARTICLE))
    gazetteer = parse_gazetteer((places.Path(places.__file__).parent.parent / "data" / "provinces.tsv").read_text(encoding="utf-8"))
    names = ("Hà Tĩnh", "Quảng Bình", "Hà Nội", "TP Hồ Chí Minh", "Đà Nẵng", "Thừa Thiên Huế", "Đắk Lắk")
    assert gazetteer.find_all(ARTICLE)[:7] == gazetteer.find_all(ARTICLE)[:7] == names
    assert "_starts" not in vars(gazetteer)  # two articles' worth: no regex compiled
    assert gazetteer.find_all(ARTICLE)[:7] == names and "_starts" in vars(gazetteer)


def _everywhere(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(load_gazetteer()._named_everywhere(text)))


@pytest.mark.parametrize("text, names", [
    ("Năm 2023,Đà Nẵng đón 8 triệu lượt khách", ("Đà Nẵng",)),
    ("Đường dây 500kV:Hà Tĩnh - Quảng Bình", ("Hà Tĩnh", "Quảng Bình")),
    ("1.Hà Nội; 2.TP.HCM; 3.Đà Nẵng; 4.TP.Huế", ("Hà Nội", "TP Hồ Chí Minh", "Đà Nẵng", "Thừa Thiên Huế")),
    ("VNPT HÀ NỘI VÀ VIETTEL ĐẮK LẮK", ("Hà Nội", "Đắk Lắk")),
    ("Chi nhánh (Cần Thơ) và «Huế»", ("Cần Thơ",)),  # 'Huế' alone needs 'TP' or 'thành phố'
    ("cáp quang biển Thái Bình Dương, trạm cập bờ ở Bình Dương", ("Bình Dương",)),
    ("thành phố Hòa Bình", ("Hòa Bình",)),  # the context at the very start of the text
    ("Sở TT&TT tỉnh Hòa Bình;Hải Dương", ("Hòa Bình", "Hải Dương")),
    ("Hội thảo ở München và Hà Nội", ("Hà Nội",)),  # a letter the regex is not made for: ü
    ("Viettel \u212aon Tum", ("Kon Tum",)),  # nor the Kelvin sign, which lowercases to 'k'
    ("mạng 5G ở Vĩnh Long", ("Vĩnh Long",)),
    ("Hà\nNội, Hà_Nội, 2.000Hà Nội, hà nội", ()),
])
def test_names_are_found_wherever_they_stand(text, names):
    assert load_gazetteer().find_all(text) == names == _everywhere(text)


def test_a_context_far_before_the_name_is_read_as_looking_everywhere_reads_it():
    for text in ["thành phố" + ",1" * 3000 + " Hòa Bình", "tỉnh " + "a" * 70 + " Hòa Bình",
                 "1,2,3," * 900 + "tỉnh Hòa Bình", "thành phố " + "1,2," * 900 + "Hòa Bình và tỉnh Thái Bình"]:
        assert load_gazetteer().find_all(text) == _everywhere(text)
    assert load_gazetteer().find_all("1,2,3," * 900 + "tỉnh Hòa Bình") == ("Hòa Bình",)


def _variants(text: str) -> list[str]:
    return [text, text.upper(), text.lower(), text.title(), unicodedata.normalize("NFD", text), fold(text),
            text.replace(" ", "\n"), text.replace(" ", ""), text.replace(" ", " - ")]


def test_the_article_finds_what_looking_at_every_syllable_finds():
    names = load_gazetteer().find_all(ARTICLE)
    assert names == ("Hà Tĩnh", "Quảng Bình", "Hà Nội", "TP Hồ Chí Minh", "Đà Nẵng", "Thừa Thiên Huế", "Đắk Lắk",
                     "Cần Thơ", "Lâm Đồng", "Bình Dương", "Hòa Bình", "Hải Dương", "Thái Bình", "Sơn La",
                     "Lai Châu", "Vĩnh Long")
    for text in _variants(ARTICLE):
        assert load_gazetteer().find_all(text) == _everywhere(text), text[:60]
        assert load_gazetteer().find(text) == next(iter(_everywhere(text)), None)


def test_the_seed_articles_and_their_variants_find_what_looking_everywhere_finds():
    found = []
    for path in sorted(CORPUS.glob("*.txt")):
        for text in _variants(normalize_text(path.read_text(encoding="utf-8"))):
            assert load_gazetteer().find_all(text) == _everywhere(text), (path.name, text[:60])
            found.append(load_gazetteer().find_all(text))
    assert sum(map(len, found)) >= 20  # the seeds do name provinces: this compares something


def test_a_gazetteer_with_a_lower_case_name_looks_at_every_syllable():
    gazetteer = parse_gazetteer("Hà Nội\thanoi\t\nĐà Nẵng\t\t\n", "g.tsv")
    assert gazetteer._starts is None
    assert gazetteer.find_all("thủ đô hanoi và Đà Nẵng") == ("Hà Nội", "Đà Nẵng")


@pytest.mark.parametrize("text, names", [
    ("Lãnh đạo tỉnh Hoà Bình làm việc", ("Hòa Bình",)),  # the old tone placement: hoà
    ("Lãnh đạo tỉnh Hòa Bình làm việc", ("Hòa Bình",)),  # the new one: hòa
    ("Nha Trang, Khánh Hoà", ("Khánh Hòa",)),  # a city naming its province, then the province
    ("Cảng Quy Nhơn", ("Bình Định",)), ("Cảng Qui Nhơn", ("Bình Định",)), ("CẢNG QUI NHƠN", ("Bình Định",)),  # i/y
    ("Khanh Hoa va tinh Hoa Binh", ("Khánh Hòa", "Hòa Bình")),  # typed without accents
    (normalize_text(unicodedata.normalize("NFD", "Khánh Hoà và Quy Nhơn")), ("Khánh Hòa", "Bình Định")),
    ("", ()), ("   \n", ()),
])
def test_vietnamese_spellings_name_their_province(text, names):
    assert load_gazetteer().find_all(text) == names == _everywhere(text)
    assert load_gazetteer().find(text) == (names[0] if names else None)
