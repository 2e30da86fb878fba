"""Filters, date sort and facets over a small corpus whose counts are known."""

import json

import pytest
from click.testing import CliRunner

from searchkit import FilterError, QueryError, SearchEngine
from searchkit.cli import main
from searchkit.searching.filters import Filters

RECORDS = [
    dict(id="j1", title="Đắk Nông: Triển khai chữ ký số cho cán bộ", date="2010-02-03",
         source="Mic.gov.vn", category="Vi tính", body="Sở TT&TT tỉnh Đắk Nông cấp chữ ký số cho cán bộ."),
    dict(id="j2", title="Đăk Nông: Chữ ký số cho doanh nghiệp", date="2011-05-10",
         source="VnExpress", category="Vi tính", body="Doanh nghiệp được hướng dẫn dùng chữ ký số."),
    dict(id="j3", title="Hà Nội: Chữ ký số trong dịch vụ công", date="2010-12-31",
         source="VnExpress", category="Kinh doanh", body="Người dân nộp hồ sơ có chữ ký số."),
    dict(id="j4", title="TP.HCM: Chữ ký số điện tử", source="Tuổi Trẻ", category="Kinh doanh",
         body="Nhiều doanh nghiệp dùng chữ ký số điện tử."),
    dict(id="j5", title="Chữ ký số đến với tỉnh Hòa Bình", date="2009-06-12",
         source="Mic.gov.vn", category="Vi tính", body="Cán bộ tỉnh được cấp chữ ký số."),
    dict(id="j6", title="Hội thảo vì hòa bình và phát triển", date="2010-02-01", source="Tuổi Trẻ",
         body="Các đại biểu ký văn bản bằng chữ ký số."),
    dict(id="j7", title="Đắk Nông: Trạm BTS mới", date="2010-03-01", source="Mic.gov.vn",
         category="Vi tính", body="Các trạm BTS phủ sóng vùng sâu."),
]
TXT = """Điện Biên: Chữ ký số cho Sở Tài chính

2/3/2010 9:46:12 AM

(Mic.gov.vn) - Ngày 01/02/2010, Sở TT&TT tỉnh Điện Biên triển khai chữ ký số cho Sở Tài chính.

Minh Đức

ĐÁNH GIÁ BÀI VIẾT( 0)
"""
QUERY = "chữ ký số"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("filters") / "corpus"
    folder.mkdir()
    lines = [json.dumps(record, ensure_ascii=False) for record in RECORDS]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "t1.txt").write_text(TXT, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def engine(corpus, tmp_path_factory):
    engine = SearchEngine(tmp_path_factory.mktemp("filters-index") / "index")
    report = engine.index([corpus])
    assert report.added == 8 and not report.skipped
    return engine


def ids(results) -> set[str]:
    return {hit.id for hit in results}


def test_without_filters_every_article_about_it_matches(engine):
    assert ids(engine.search(QUERY)) == {"j1", "j2", "j3", "j4", "j5", "j6", "t1"}


@pytest.mark.parametrize("filters, expected", [
    (dict(since="2010"), {"j1", "j2", "j3", "j6", "t1"}),
    (dict(until="2010-02"), {"j1", "j5", "j6", "t1"}),
    (dict(since="2010", until="2010"), {"j1", "j3", "j6", "t1"}),
    (dict(since="03/02/2010", until="03/02/2010"), {"j1", "t1"}),
    (dict(since="2010-02-02", until="2010-12-30"), {"j1", "t1"}),
    (dict(since="2011-05-10"), {"j2"}),
    (dict(since="2012"), set()),
    (dict(province="Đắk Nông"), {"j1", "j2"}),
    (dict(province="dak nong"), {"j1", "j2"}),
    (dict(province="ĐĂK NÔNG"), {"j1", "j2"}),
    (dict(province="Đắc Nông"), {"j1", "j2"}),
    (dict(province="hoa binh"), {"j5"}),  # not j6: 'vì hòa bình' is peace
    (dict(province="TP HCM"), {"j4"}),
    (dict(province="thành phố Hồ Chí Minh"), {"j4"}),
    (dict(province="Điện Biên"), {"t1"}),
    (dict(source="vnexpress"), {"j2", "j3"}),
    (dict(source="Mic.gov.vn"), {"j1", "j5", "t1"}),
    (dict(source="tuoi tre"), {"j4", "j6"}),
    (dict(category="vi tinh"), {"j1", "j2", "j5"}),
    (dict(category="KINH DOANH"), {"j3", "j4"}),
    (dict(province="dak nong", category="Vi tính", since="2011"), {"j2"}),
    (dict(source="Mic.gov.vn", until="2009"), {"j5"}),
])
def test_filters(engine, filters, expected):
    results = engine.search(QUERY, **filters)
    assert ids(results) == expected and results.total == len(expected)


def test_filters_kept_with_the_generation_still_filter_each_search_alike(engine, monkeypatch):
    """The local index keeps the last filters' masks (`backends.local.KEPT_MASKS`, 2 here):
    filters asked again, after others pushed theirs out or not, find what they found first."""
    import searchkit.backends.local as local

    monkeypatch.setattr(local, "KEPT_MASKS", 2)
    asked = [dict(province="dak nong"), dict(province="hoa binh"), dict(province="Đắk Nông"),
             dict(source="Mic.gov.vn", until="2009"), dict(province="Hòa Bình"), dict(province="hoà bình")]
    first = [ids(engine.search(QUERY, **filters)) for filters in asked]
    assert first == [{"j1", "j2"}, {"j5"}, {"j1", "j2"}, {"j5"}, {"j5"}, {"j5"}]
    assert [ids(engine.search("trạm BTS", **filters)) for filters in asked] == [{"j7"}, set(), {"j7"}, set(), set(), set()]
    assert [ids(engine.search(QUERY, **filters)) for filters in reversed(asked)] == first[::-1]


def test_filters_apply_to_the_total_not_only_the_page(engine):
    results = engine.search(QUERY, limit=1, since="2010")
    assert results.total == 5 and len(results.hits) == 1


def test_sort_by_date_newest_first_undated_last(engine):
    hits = engine.search(QUERY, sort="date").hits
    assert [h.date for h in hits] == [
        "2011-05-10", "2010-12-31", "2010-02-03", "2010-02-03", "2010-02-01", "2009-06-12", None,
    ]
    assert {h.id for h in hits[2:4]} == {"j1", "t1"} and hits[-1].id == "j4"
    assert all(isinstance(h.score, float) and h.score > 0 for h in hits)


def test_sort_by_date_pages_in_date_order(engine):
    assert [h.id for h in engine.search(QUERY, sort="date", limit=2)] == ["j2", "j3"]


def test_sort_by_relevance_is_the_default(engine):
    hits = engine.search(QUERY).hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_facets_count_all_matches_by_province_and_year(engine):
    results = engine.search(QUERY, limit=1, facets=True)
    assert len(results.hits) == 1
    assert results.facets == {
        "province": {"Đắk Nông": 2, "Điện Biên": 1, "Hà Nội": 1, "Hòa Bình": 1, "TP Hồ Chí Minh": 1},
        "year": {"2011": 1, "2010": 4, "2009": 1},
        "source": {"Mic.gov.vn": 3, "Tuổi Trẻ": 2, "VnExpress": 2},  # t1's '(Mic.gov.vn) -' lead counts
        "category": {"Vi tính": 3, "Kinh doanh": 2},
        "tag": {},  # no record carries tags
        # every province named; here each article names only its own ('vì hòa bình' is peace)
        "mentions": {"Đắk Nông": 2, "Điện Biên": 1, "Hà Nội": 1, "Hòa Bình": 1, "TP Hồ Chí Minh": 1},
    }
    assert list(results.facets["province"])[0] == "Đắk Nông"  # the largest first


def test_facets_follow_the_filters(engine):
    results = engine.search(QUERY, facets=True, source="Mic.gov.vn")
    assert results.total == 3
    assert results.facets == {"province": {"Đắk Nông": 1, "Điện Biên": 1, "Hòa Bình": 1},
                              "year": {"2010": 2, "2009": 1}, "source": {"Mic.gov.vn": 3},
                              "category": {"Vi tính": 2}, "tag": {},
                              "mentions": {"Đắk Nông": 1, "Điện Biên": 1, "Hòa Bình": 1}}
    assert list(results.facets["province"]) == ["Đắk Nông", "Điện Biên", "Hòa Bình"]  # ties by name


def test_no_facets_unless_asked(engine):
    assert engine.search(QUERY).facets == {}


def test_bts_article_has_province_but_does_not_match(engine):
    assert ids(engine.search("trạm BTS", province="dak nong", facets=True)) == {"j7"}


@pytest.mark.parametrize("filters, message", [
    (dict(since="hôm qua"), "since: 'hôm qua' is not a date"),
    (dict(until="2010-13"), "until: '2010-13' is not a date"),
    (dict(since="31/02/2010"), "DD/MM/YYYY"),
    (dict(since="2011", until="2010"), "since 2011 is after until 2010"),
    (dict(province="Atlantis"), "'Atlantis' is not a province"),
    (dict(sort="title"), "use one of: relevance, date"),
    (dict(source="..."), "has no letters"),
    (dict(source="vn"), "no article has source 'vn'; known ones: 'Mic.gov.vn', 'Tuổi Trẻ', 'VnExpress'"),
    (dict(source="vnexpres"), "did you mean 'VnExpress'"),  # keys match exactly, not by prefix
    (dict(category="Vi"), "no article has category 'vi'; known ones: 'Kinh doanh', 'Vi tính'"),
    (dict(category="kinh doan"), "did you mean 'Kinh doanh'"),
])
def test_bad_filters_say_what_to_fix(engine, filters, message):
    with pytest.raises(FilterError, match=message) as raised:
        engine.search(QUERY, **filters)
    assert isinstance(raised.value, QueryError) and raised.value.exit_code == 2
    assert raised.value.field == next(iter(filters)) and "--" not in str(raised.value)  # the CLI names flags


def test_filters_parse_to_canonical_values():
    assert Filters.parse(since="2010", until="02/2010", province="dak nong", source="Mic.gov.vn") == Filters(
        since="2010-01-01", until="2010-02-28", province="Đắk Nông", source="mic gov vn")
    assert not Filters.parse() and Filters.parse(category="Vi tính")


# --- the command line ---------------------------------------------------------------------

@pytest.fixture
def run(engine):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["query", QUERY, "--index", str(engine.path), *args])

    return invoke


def test_cli_filters_and_date_sort(run):
    result = run("--province", "dak nong", "--since", "2011", "--json")
    assert result.exit_code == 0
    assert [h["id"] for h in json.loads(result.stdout)["hits"]] == ["j2"]
    result = run("--sort", "date", "--json", "-n", "3")
    data = json.loads(result.stdout)
    assert [h["id"] for h in data["hits"]][:2] == ["j2", "j3"] and data["total"] == 7
    result = run("--source", "VnExpress", "--category", "kinh doanh", "--json")
    assert [h["id"] for h in json.loads(result.stdout)["hits"]] == ["j3"]


def test_cli_facets_as_json_and_text(run, monkeypatch):
    monkeypatch.setenv("SEARCHKIT_LANG", "vi")
    data = json.loads(run("--facets", "--json", "-n", "1").stdout)
    assert data["facets"]["province"]["Đắk Nông"] == 2 and data["facets"]["year"] == {"2011": 1, "2010": 4, "2009": 1}
    text = run("--facets", "-n", "1").stdout
    assert "Tỉnh/thành: Đắk Nông 2 · Điện Biên 1 · Hà Nội 1 · Hòa Bình 1 · TP Hồ Chí Minh 1" in text
    assert "Năm: 2011 1 · 2010 4 · 2009 1" in text
    assert "Nguồn: Mic.gov.vn 3 · Tuổi Trẻ 2 · VnExpress 2" in text and "Chuyên mục: Vi tính 3 · Kinh doanh 2" in text


def test_cli_hit_lines_show_province_and_author(run):
    text = run("--province", "Điện Biên").stdout
    assert "t1 · 2010-02-03 · Điện Biên · Mic.gov.vn · Minh Đức · score" in text


@pytest.mark.parametrize("args, message", [
    (["--since", "2010/02/03"], "--since: '2010/02/03' is not a date"),
    (["--province", "Atlantis"], "is not a province or city of Vietnam"),
    (["--sort", "title"], "Invalid value for '--sort'"),
    (["--category", "vien thong"], "no article has category 'vien thong'; did you mean 'Vi tính' or 'Kinh doanh'?"),
])
def test_cli_bad_filters_exit_2_with_a_message(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_cli_filter_matching_nothing_exits_1(run):
    assert run("--since", "2020").exit_code == 1


def test_a_long_filter_value_folds_as_a_short_one_and_only_names_are_kept():
    """Folded keys are kept for names (a build folds every article's source and provinces);
    a long value a caller hands a filter folds the same way but is not kept by the process."""
    from searchkit.text import keys

    long_value = "Sở Thông tin và Truyền thông tỉnh Hoà Bình, " * 8
    keys._kept_key.cache_clear()  # what earlier tests folded aside
    assert keys.folded_key(long_value) == ("so thong tin va truyen thong tinh hoa binh " * 8).strip()
    assert keys._kept_key.cache_info().currsize == 0
    assert keys.folded_key("Hoà Bình") == keys.folded_key("Hòa Bình") == "hoa binh"
    assert keys._kept_key.cache_info().currsize == 2
