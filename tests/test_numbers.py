"""Numbers and versions (issue 17, part 4): `2,5G`, `2.5G` and `3,5G` are not `5G`; a decimal
comma and a decimal point are read alike; thousands, dates, versions and addresses are cut as
people mean them, in articles and in queries alike."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from searchkit import QueryError
from searchkit.searching.highlight import match_spans
from searchkit.searching.query import parse_query
from searchkit.text.syllables import find_syllables, forms, number_form, syllables
from tests.conftest import engine_over

ARTICLES = {
    "5g-viettel": "Viettel phát sóng thử nghiệm mạng 5G tại Hà Nội\n\nViettel đã phát sóng thử nghiệm "
                  "mạng 5G tại Hà Nội và TP.HCM. Tốc độ tải xuống của mạng 5G đạt 1,5 Gbps, gấp nhiều "
                  "lần mạng 4G hiện nay.",
    "5g-bang-tan": "Sẵn sàng băng tần cho 5G\n\nBộ Thông tin và Truyền thông chuẩn bị quy hoạch băng tần "
                   "cho mạng 5G từ năm 2020.",
    "2-5g-het-bang-tan": "Hết băng tần cho mạng di động công nghệ 2-2,5G\n\nCác mạng di động công nghệ "
                         "2-2,5G như GSM, GPRS đang cạn băng tần: Bộ sẽ cấp phép 3G trong năm 2009. Mạng "
                         "2,5G của Viettel và MobiFone đã quá tải giờ cao điểm.",
    "gprs": "GPRS là gì?\n\nGPRS được gọi là công nghệ 2.5G, nằm giữa 2G và 3G: tốc độ truyền dữ liệu "
            "đạt 171,2 kbit/giây.",
    "hsdpa": "Mạng 3,5G HSDPA ra mắt tại Việt Nam\n\nCông nghệ 3,5G (HSDPA) cho tốc độ tải xuống 3,6 "
             "Mb/giây, gấp sáu lần mạng 3G thông thường.",
    "cong-nghiep-4-0": "Báo chí trong cách mạng công nghiệp 4.0\n\nCách mạng công nghiệp 4.0 đặt ra cho "
                       "báo chí nhiều thách thức về công nghệ số.",
    "bong-da": "Đội tuyển thắng 4-0\n\nĐội tuyển Việt Nam thắng 4-0 trong trận giao hữu, công nghiệp "
               "bóng đá còn non trẻ.",
    "gia-cuoc": "Giá thiết bị đầu cuối\n\nMỗi bộ thiết bị có giá 10.000.000 đồng; 1.000 thuê bao đầu "
                "tiên được tặng 1.039,72 phút gọi.",
    "le-30-4": "Khuyến mãi mừng ngày 30.4\n\nNhân dịp 30.4 và 1.5, các nhà mạng tặng 50% giá trị thẻ nạp.",
    "le-30-4-gach": "Nghỉ lễ 30/4 - 1/5\n\nCác bưu cục làm việc bình thường ngày 30/4 và ngày 1/5.",
    "ngay-10-5-2010": "Khai trương trạm BTS\n\nNgày 10.5.2010, Viettel khai trương trạm BTS thứ 1000 "
                      "tại Đắk Nông.",
    "firefox": "Firefox 2.0 ra mắt\n\nMozilla phát hành Firefox 2.0, bản vá 1.5.0.3 cho phiên bản cũ; "
               "máy chủ 192.168.1.1 vẫn chạy.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(tmp_path_factory.mktemp("numbers"), ARTICLES)


def ids(engine, query: str, limit: int = 20) -> list[str]:
    return [hit.id for hit in engine.search(query, limit=limit).hits]


@pytest.mark.parametrize("text, folded", [
    ("mạng 5G", ["mang", "5g"]),
    ("công nghệ 2-2,5G", ["cong", "nghe", "2", "2,5g"]),  # 2,5G is one syllable, not 2 and 5G
    ("công nghệ 2.5G", ["cong", "nghe", "2,5g"]),  # a decimal point reads as the comma
    ("mạng 3,5G HSDPA", ["mang", "3,5g", "hsdpa"]),
    ("tốc độ 1,8GHz", ["toc", "do", "1,8ghz"]),
    ("công nghiệp 4.0", ["cong", "nghiep", "4,0"]),
    ("chiếm 72,3%", ["chiem", "72,3"]),
    ("1.000 thuê bao", ["1000", "thue", "bao"]),  # points between thousands
    ("giá 10.000.000 đồng", ["gia", "10000000", "dong"]),
    ("dài 1.039,72 m", ["dai", "1039,72", "m"]),
    ("khoảng 2,455 tỉ đồng", ["khoang", "2,455", "ti", "dong"]),  # a comma is always decimal
    ("rộng 3.000m2", ["rong", "3000m2"]),
    ("ngày 10.5.2010", ["ngay", "10", "5", "2010"]),  # a date is cut as 10/5/2010 is
    ("ngày 4/12/2026", ["ngay", "4", "12", "2026"]),
    ("địa chỉ 192.168.1.1", ["dia", "chi", "192", "168", "1", "1"]),
    ("bản v1.2.3", ["ban", "v1", "2", "3"]),
    ("các chất 2,4,5-T", ["cac", "chat", "2", "4", "5", "t"]),
    ("Windows XP SP2", ["windows", "xp", "sp2"]),
    ("Wi-Fi 6", ["wi", "fi", "6"]),
    ("iPhone 12", ["iphone", "12"]),
    ("năm 2009. Mạng 5G, 4G", ["nam", "2009", "mang", "5g", "4g"]),  # sentence punctuation stays out
])
def test_numbers_are_cut_as_people_mean_them(text, folded):
    assert [s.folded for s in syllables(text)] == folded


@pytest.mark.parametrize("one, other", [("2,5G", "2.5G"), ("1.000", "1000"), ("4.0", "4,0"), ("1,8GHz", "1.8ghz")])
def test_each_spelling_of_a_number_has_one_index_form(one, other):
    assert forms(one) == forms(other)


@pytest.mark.parametrize("one, other", [("2,5G", "5G"), ("2,5G", "3,5G"), ("4.0", "4"), ("2,500", "2.500")])
def test_different_numbers_have_different_index_forms(one, other):
    assert forms(one)[1] != forms(other)[1]


def test_index_forms_are_their_own_index_forms():
    for word in ("2,5G", "2.5G", "10.000.000", "1.039,72", "2,500", "4.0", "0,065"):
        assert forms(forms(word)[0]) == forms(word)
        assert number_form(number_form(word)) == number_form(word)


def test_5g_ranks_5g_articles_and_never_the_5g_inside_2_5g(engine):
    found = ids(engine, "5G")
    assert set(found[:2]) == {"5g-viettel", "5g-bang-tan"}
    assert not {"2-5g-het-bang-tan", "gprs", "hsdpa"} & set(found)


@pytest.mark.parametrize("query", ["2,5G", "2.5G", "2,5g"])
def test_a_decimal_comma_and_point_find_the_same_articles(engine, query):
    assert set(ids(engine, query)) == {"2-5g-het-bang-tan", "gprs"}


def test_3_5g_is_not_2_5g(engine):
    assert ids(engine, "3,5G") == ["hsdpa"]
    assert ids(engine, "3.5G") == ["hsdpa"]


def test_the_query_2_5g_marks_2_5g_whole_as_each_article_writes_it(engine):
    marked = set()
    for hit in engine.search("2,5G").hits:
        marked |= {hit.title[a:b] for a, b in hit.title_spans}
        marked |= {s.text[a:b] for s in hit.snippets for a, b in s.spans}
    assert marked == {"2,5G", "2.5G"}


def test_the_query_5g_marks_no_5g_inside_2_5g():
    text = "Mạng 2,5G và 3.5G đã cũ, mạng 5G đang đến"
    assert [text[a:b] for a, b in match_spans(text, {"5g"})] == ["5G"]
    assert [text[a:b] for a, b in match_spans(text, {"2,5g"})] == ["2,5G"]
    assert [text[a:b] for a, b in match_spans(text, {"2"})] == []


def test_thousands_are_found_however_they_are_written(engine):
    assert "ngay-10-5-2010" in ids(engine, "1.000") and "gia-cuoc" in ids(engine, "1000")
    hit = engine.search("10.000.000 đồng").hits[0]
    assert hit.id == "gia-cuoc"
    assert "10.000.000 đồng" in {s.text[a:b] for s in hit.snippets for a, b in s.spans}


def test_cong_nghiep_4_0_is_not_any_4_and_0(engine):
    assert ids(engine, "công nghiệp 4.0")[0] == "cong-nghiep-4-0"
    assert "bong-da" not in ids(engine, "4.0")  # 4-0, a score
    assert ids(engine, "4,0") == ids(engine, "4.0")


def test_a_day_and_month_is_found_with_a_point_or_a_slash(engine):
    for query in ("30.4", "30/4", "ngày 30.4"):
        assert {"le-30-4", "le-30-4-gach"} <= set(ids(engine, query)), query
    assert ids(engine, "10/5/2010") == ["ngay-10-5-2010"] == ids(engine, "10.5.2010")
    assert "ngay-10-5-2010" in ids(engine, "2010")  # a date's year is still a syllable


def test_versions_and_addresses_are_found_as_typed(engine):
    assert ids(engine, "1.5.0.3") == ["firefox"] == ids(engine, "192.168.1.1")
    assert ids(engine, "Firefox 2.0")[0] == "firefox"


def test_a_number_prefix_keeps_its_separator(engine):
    assert parse_query("2.*").groups[0][0].folded == ("2,",)
    found = set(ids(engine, "2.*"))
    assert {"2-5g-het-bang-tan", "gprs", "firefox"} <= found
    assert "5g-bang-tan" not in found  # 2020 begins with 2, not with 2.


def test_a_query_number_longer_than_any_syllable_is_refused():
    with pytest.raises(QueryError, match="64"):
        parse_query("giá 1" + ".000" * 22)


def test_find_syllables_cuts_numbers_as_syllables_does():
    rng = random.Random(17)
    pieces = list("0123456789.,.,  /-GgĐạ") + ["5G", "2,5", "1.000", "sỹ", "٣"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20)))
        cut = list(syllables(text))
        if not cut:
            continue
        wanted = {s.folded for s in rng.sample(cut, min(len(cut), 2))} | {rng.choice(["5g", "2", "1000", "2,5"])}
        assert find_syllables(text, wanted) == [s for s in cut if s.folded in wanted], text


def test_telex_decoding_leaves_numbers_alone():
    from searchkit.searching.rewrite import decode_typing
    from searchkit.text.keystrokes import decode_keystrokes

    class Lexicon:
        def frequency(self, folded):
            return {"mang": 50, "5g": 10, "2,5g": 3}.get(folded, 0)

        def accented_frequency(self, accented):
            return {"mạng": 40, "mà": 900}.get(accented, 0)

    assert decode_keystrokes("2.5g") is None and decode_keystrokes("4,0") is None
    assert decode_typing("majng 2.5G 4.0", Lexicon()) == "mạng 2.5G 4.0"


def test_the_indexer_pyvi_words_and_gazetteer_read_numbers_the_same_way():
    from searchkit.indexing.analysis import analyze_article
    from searchkit.models import Article
    from searchkit.text.places import load_gazetteer
    from searchkit.text.segment import compound_words

    article = Article(id="1", title="Mạng 2,5G", body="Ngày 10.5.2010, công nghiệp 4.0 tại Đắk Nông")
    fields = analyze_article(article)
    assert fields["title_f"] == ["mang", "2,5g"]
    assert fields["body_f"] == ["ngay", "10", "5", "2010", "cong", "nghiep", "4,0", "tai", "dak", "nong"]
    words = compound_words("mạng 2,5G và công nghiệp 4.0 năm 10.5.2010")
    assert words and not [w for w in words if any(c.isdigit() for c in w)]
    assert load_gazetteer().find("Ngày 10.5.2010, Sở TT&TT tỉnh Đắk Nông lắp 1.000 trạm") == "Đắk Nông"


def test_typesense_asks_for_the_statistics_of_whole_numbers():
    from searchkit.backends.typesense import _typed_terms

    terms = set(_typed_terms("mạng 2.5G"))
    assert ("body_f", "2,5g") in terms and ("body_f", "5g") not in terms


def test_an_index_cut_the_old_way_asks_for_a_rebuild_that_names_the_corpus(engine):
    from searchkit.cli import main
    from searchkit.indexing.schema import SCHEMA_VERSION

    marker = engine.path / "searchkit.json"
    saved = marker.read_text(encoding="utf-8")
    try:
        marker.write_text(json.dumps({"format": "searchkit", "schema_version": SCHEMA_VERSION - 1}), encoding="utf-8")
        result = CliRunner().invoke(main, ["query", "5G", "--index", str(engine.path)])
    finally:
        marker.write_text(saved, encoding="utf-8")
    assert result.exit_code == 3
    assert f"searchkit index --rebuild --index {engine.path} CORPUS" in result.output
