"""Metadata extracted at ingest: date, source, author, province; the gazetteer of provinces."""

import pytest

from searchkit.indexing.corpus import iter_articles, parse_record, parse_txt
from searchkit.models import Article
from searchkit.text.authors import is_person_name, signature_author
from searchkit.text.dates import lead_date, parse_date_bound
from searchkit.text.keys import folded_key
from searchkit.text.places import load_gazetteer, parse_gazetteer
from tests.conftest import CORPUS

SEEDS = {
    "000_8ea709576470be64": dict(
        title="An Giang: Tổng kết hoạt động ngành thông tin và truyền thông tỉnh năm 2009 và "
              "triển khai nhiệm vụ năm 2010",
        date="2010-02-03", source=None, author=None, province="An Giang"),
    "001_763baed69ffaf6d4": dict(
        title="Nghệ An: Tổng kết công tác TT&TT cụm I",
        date=None, source="Mic.gov.vn", author="Kim Oanh", province="Nghệ An"),
    "002_8621a67b8f0e4508": dict(
        title="Lãnh đạo Tỉnh Hòa Bình làm việc với Sở Thông tin và Truyền thông",
        date="2009-06-12", source=None, author=None, province="Hòa Bình"),
    "003_968839511eb7d5a3": dict(
        title="Đắk Nông: Tổng kết ngành Thông tin và Truyền thông và triển khai nhiệm vụ năm 2010",
        date=None, source="Mic.gov.vn", author="Nguyễn Phượng", province="Đắk Nông"),
    "004_18419e47d282bcbb": dict(
        title="Điện Biên: Hội nghị tổng kết công tác thông tin và truyền thông năm 2012",
        date="2013-01-11", source="Mic.gov.vn", author="Minh Đức", province="Điện Biên"),
}
FIELDS = ("title", "date", "source", "author", "province")


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {a.id: a for a in iter_articles([CORPUS])}


@pytest.mark.parametrize("seed_id", sorted(SEEDS))
@pytest.mark.parametrize("field", FIELDS)
def test_seed_metadata_field_by_field(seeds, seed_id, field):
    assert getattr(seeds[seed_id], field) == SEEDS[seed_id][field]


def test_signature_stays_in_the_body(seeds):
    assert seeds["001_763baed69ffaf6d4"].body.endswith("Kim Oanh - Sở TT&TT Nghệ An")
    assert seeds["004_18419e47d282bcbb"].body.endswith("Minh Đức\nSở TT&TT Điện Biên")


@pytest.mark.parametrize("seed_id", sorted(SEEDS))
def test_every_hit_carries_the_seed_metadata(sample_engine, seed_id):
    expected = SEEDS[seed_id]
    hits = {hit.id: hit for hit in sample_engine.search(f'title:"{expected["title"]}"', limit=5)}
    hit = hits[seed_id]
    assert [getattr(hit, f) for f in FIELDS] == [expected[f] for f in FIELDS]


def test_repaired_legacy_fragment_is_searchable(sample_engine):
    # 002 spells "lành mạnh" as the TCVN3 bytes 'lµnh m¹nh' inside Unicode text
    results = sample_engine.search('"lành mạnh"')
    assert "002_8621a67b8f0e4508" in [hit.id for hit in results]
    (hit,) = [h for h in results if h.id == "002_8621a67b8f0e4508"]
    assert any("lành mạnh" in s.text[a:b] for s in hit.snippets for a, b in s.spans)


# --- dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("lead, iso", [
    ("Ngày 02/02/2010, Sở Thông tin và Truyền thông tỉnh An Giang tổ chức Hội nghị", "2010-02-02"),
    ("Sáng ngày 04/2/2010, Sở Thông tin và Truyền thông tỉnh Đak Nông", "2010-02-04"),
    ("Sáng ngày 04/2/210, Sở Thông tin và Truyền thông tỉnh Đak Nông", None),  # year 210: a typo
    ("Ngày 11/6, đồng chí Hoàng Việt Cường, Bí thư Tỉnh uỷ", None),  # no year: no guess
    ("Ngày 31/02/2010, hội nghị", None),
    ("Chiều ngày 5-3-2011, tại Hà Nội", "2011-03-05"),
    ("Mới đây, Sở TT&TT Nghệ An đã tổ chức hội nghị", None),
    ("Theo Quyết định số 1355/QĐ–UBND ngày 7/9/2009 " + "của UBND tỉnh " * 20, "2009-09-07"),
    ("Hội nghị tổng kết " + "công tác thông tin và truyền thông " * 8 + "ngày 7/9/2009", None),
])
def test_lead_dates_are_day_month_year(lead, iso):
    assert lead_date(lead) == iso


@pytest.mark.parametrize("value, start, end", [
    ("2010", "2010-01-01", "2010-12-31"),
    ("2010-02", "2010-02-01", "2010-02-28"),
    ("2012-02", "2012-02-01", "2012-02-29"),
    ("2010-02-03", "2010-02-03", "2010-02-03"),
    ("03/02/2010", "2010-02-03", "2010-02-03"),
    (" 3/2/2010 ", "2010-02-03", "2010-02-03"),
    ("02/2010", "2010-02-01", "2010-02-28"),
])
def test_date_filter_bounds(value, start, end):
    assert parse_date_bound(value) == start and parse_date_bound(value, end=True) == end


@pytest.mark.parametrize("value", ["hôm qua", "2010-13", "31/02/2010", "210", "2010/02/03", ""])
def test_bad_date_filters_say_which_forms_work(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD or DD/MM/YYYY"):
        parse_date_bound(value)


# --- authors -----------------------------------------------------------------------------

@pytest.mark.parametrize("lines, author", [
    (["Nội dung.", "Kim Oanh - Sở TT&TT Nghệ An"], "Kim Oanh"),
    (["Nội dung.", "Nguyễn Phượng"], "Nguyễn Phượng"),
    (["Nội dung.", "Minh Đức", "Sở TT&TT Điện Biên"], "Minh Đức"),
    (["Nội dung.", "Nguyễn Văn An (Sở TT&TT Hà Tĩnh)"], "Nguyễn Văn An"),
    (["Nội dung.", "TRẦN THU HÀ"], "TRẦN THU HÀ"),
    (["Nội dung.", "Toàn cảnh hội nghị"], None),
    (["Nội dung.", "Sở TT&TT Điện Biên"], None),
    (["Nội dung.", "Hà Nội"], None),  # a place, not a person
    (["Minh Đức", "Một đoạn văn dài kết thúc bài viết, không phải là chữ ký của tác giả nào."], None),
    (["Nội dung.", "Nguyễn Thị Minh Khai Phương Anh"], None),  # too long for a name
    ([], None),
])
def test_signature_authors(lines, author):
    places = load_gazetteer()
    assert signature_author(lines, is_place=lambda name: places.resolve(name) is not None) == author


def test_person_names():
    assert is_person_name("Kim Oanh") and is_person_name("Nguyễn Văn A")
    assert not is_person_name("Oanh") and not is_person_name("Sở Nội Vụ") and not is_person_name("Kim oanh")


def test_txt_without_signature_or_trailer_has_no_author():
    article = parse_txt("Hà Tĩnh: Chữ ký số\n\nNgày 3/3/2011, Sở TT&TT tỉnh Hà Tĩnh triển khai chữ ký số.", "x")
    assert (article.author, article.date, article.province) == (None, "2011-03-03", "Hà Tĩnh")


# --- provinces -----------------------------------------------------------------------------

@pytest.mark.parametrize("spelling, canonical", [
    ("Đắk Nông", "Đắk Nông"), ("Đăk Nông", "Đắk Nông"), ("Đak Nông", "Đắk Nông"),
    ("Dak Nong", "Đắk Nông"), ("dak nong", "Đắk Nông"), ("ĐẮK NÔNG", "Đắk Nông"),
    ("Đắk Lắk", "Đắk Lắk"), ("Đắc Lắc", "Đắk Lắk"), ("Daklak", "Đắk Lắk"), ("Dak Lak", "Đắk Lắk"),
    ("Hòa Bình", "Hòa Bình"), ("Hoà Bình", "Hòa Bình"), ("hoa binh", "Hòa Bình"),
    ("Khánh Hoà", "Khánh Hòa"), ("Thanh Hoá", "Thanh Hóa"),
    ("TP.HCM", "TP Hồ Chí Minh"), ("TP HCM", "TP Hồ Chí Minh"), ("TPHCM", "TP Hồ Chí Minh"),
    ("TP Hồ Chí Minh", "TP Hồ Chí Minh"), ("Thành phố Hồ Chí Minh", "TP Hồ Chí Minh"),
    ("Sài Gòn", "TP Hồ Chí Minh"), ("Hồ Chí Minh", "TP Hồ Chí Minh"),
    ("Thừa Thiên Huế", "Thừa Thiên Huế"), ("Thừa Thiên - Huế", "Thừa Thiên Huế"), ("Huế", "Thừa Thiên Huế"),
    ("Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu"), ("Bà Rịa Vũng Tàu", "Bà Rịa - Vũng Tàu"),
    ("BR-VT", "Bà Rịa - Vũng Tàu"), ("Bắc Cạn", "Bắc Kạn"), ("Kontum", "Kon Tum"),
    ("tỉnh Nghệ An", "Nghệ An"), ("Hà Tây", "Hà Tây"), ("Atlantis", None), ("", None),
])
def test_gazetteer_resolves_every_spelling(spelling, canonical):
    assert load_gazetteer().resolve(spelling) == canonical


def test_gazetteer_has_the_63_provinces_and_hatay():
    names = load_gazetteer().names
    assert len(names) == 64 and len(set(names)) == 64
    assert {"Hà Nội", "TP Hồ Chí Minh", "Đắk Nông", "Điện Biên", "Hà Tây", "Bạc Liêu"} <= set(names)


@pytest.mark.parametrize("text, canonical", [
    ("Sở Thông tin và Truyền thông tỉnh Đak Nông đã tổ chức hội nghị", "Đắk Nông"),
    ("Lãnh đạo Tỉnh Hòa Bình làm việc với Sở", "Hòa Bình"),
    ("Hội thảo vì hòa bình và phát triển", None),  # peace
    ("Hội thảo Vì Hòa Bình", None),  # capitalised, but still no 'tỉnh' before it
    ("Cáp quang biển Thái Bình Dương bị đứt", None),  # the Pacific, not Thái Bình nor Bình Dương
    ("Trụ sở ở 308A Điện Biên Phủ, quận 3", None),  # a street
    ("Điện thoại đa năng giá rẻ", None),  # 'đa năng' folds like 'Đà Nẵng'
    ("Hai phòng máy tính mới", None),  # 'Hai phòng' folds like 'Hải Phòng'
    ("Học tập tư tưởng Hồ Chí Minh", None),  # the person
    ("Công an TP HCM bất ngờ kiểm tra", "TP Hồ Chí Minh"),
    ("Thành phố Hồ Chí Minh có 5 triệu thuê bao", "TP Hồ Chí Minh"),
    ("tin tuc Dak Nong hom nay", "Đắk Nông"),  # no marks at all: matched folded
    ("Tuần lễ Chuyển đổi số- Huế năm 2021", None),
    ("Festival TP. Huế", "Thừa Thiên Huế"),
    ("Hà Nội, Hải Phòng và Đà Nẵng", "Hà Nội"),  # the first one
])
def test_finding_provinces_in_running_text(text, canonical):
    assert load_gazetteer().find(text) == canonical


def test_title_prefix_wins_and_may_be_an_ambiguous_name():
    places = load_gazetteer()
    assert places.province_of("Hòa Bình: Triển khai chữ ký số", "Sở TT&TT tỉnh Sơn La") == "Hòa Bình"
    assert places.province_of("Hội nghị ở tỉnh Lào Cai", "Sở TT&TT tỉnh Sơn La") == "Lào Cai"
    assert places.province_of("Tổng kết năm", "Sở TT&TT tỉnh Sơn La") == "Sơn La"
    assert places.province_of("Bill Gates: Tương lai của phần mềm", "") is None


def test_jsonl_records_get_province_and_lead_date():
    article = parse_record({"id": "r1", "title": "Đà Nẵng: Khai trương tổng đài 1022",
                            "body": "Ngày 5/3/2021, UBND thành phố Đà Nẵng khai trương…"})
    assert (article.province, article.date) == ("Đà Nẵng", "2021-03-05")
    given = parse_record({"id": "r2", "title": "x", "body": "y", "province": "dak nong",
                          "date": "2020-01-02", "author": "Hồng Nhung"})
    assert (given.province, given.date, given.author) == ("Đắk Nông", "2020-01-02", "Hồng Nhung")


def test_folded_keys():
    assert folded_key("Đắk Nông") == folded_key("dak   NONG") == "dak nong"
    assert folded_key("Vi tính") == folded_key("Vi tinh") == "vi tinh"


def test_malformed_gazetteer_lines_are_named():
    with pytest.raises(ValueError, match="g.tsv:2"):
        parse_gazetteer("Hà Nội\t\t\nA\tB\tC\tD\n", "g.tsv")
    with pytest.raises(ValueError, match="spelling of both"):
        parse_gazetteer("Hà Nội\tHanoi\t\nHà Tây\tHà Nội\t\n", "g.tsv")
