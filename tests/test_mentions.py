"""Provinces mentioned (issue 20, part 5): beside its own province, every province an article
names is indexed, filtered (`mentions=`, `--mentions`, `&mentions=`, any spelling the
province filter takes) and faceted as `"mentions"`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from searchkit import FilterError, SearchEngine
from searchkit.cli import main
from searchkit.web import create_app
from tests.conftest import CORPUS

AN_GIANG, NGHE_AN, HOA_BINH, DAK_NONG, DIEN_BIEN = (
    "000_8ea709576470be64", "001_763baed69ffaf6d4", "002_8621a67b8f0e4508",
    "003_968839511eb7d5a3", "004_18419e47d282bcbb",
)
RECORDS = [
    dict(id="ht", title="Hà Tĩnh: Ứng dụng CNTT trong cải cách hành chính",
         body="Sở TT&TT Hà Tĩnh học tập mô hình ứng dụng CNTT của tỉnh Nghệ An và Quảng Bình."),
    dict(id="hcm", title="Doanh nghiệp CNTT ở Sài Gòn mở chi nhánh",
         body="Nhiều doanh nghiệp CNTT từ TP.HCM mở văn phòng tại Nghệ An và Đà Nẵng."),
    dict(id="hb", title="Hội thảo CNTT vì hòa bình", body="Các chuyên gia CNTT bàn về an ninh mạng."),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("mentions")
    news = root / "news.jsonl"
    news.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", encoding="utf-8")
    report = SearchEngine(root / "index").index([CORPUS, news])
    assert report.added == 8 and not report.skipped
    return root / "index"


@pytest.fixture(scope="module")
def engine(index_dir):
    return SearchEngine(index_dir)


def ids(results) -> set[str]:
    return {hit.id for hit in results.hits}


def test_each_seed_names_only_its_own_province(engine):
    """Districts and towns (Tịnh Biên, TP. Vinh) are no provinces: the seeds mention their own."""
    mentioned = {key: tuple(engine.article(key)["mentions"]) for key in (AN_GIANG, NGHE_AN, HOA_BINH, DAK_NONG, DIEN_BIEN)}
    assert mentioned == {AN_GIANG: ("An Giang",), NGHE_AN: ("Nghệ An",), HOA_BINH: ("Hòa Bình",),
                         DAK_NONG: ("Đắk Nông",), DIEN_BIEN: ("Điện Biên",)}
    assert ids(engine.search("hội nghị", mentions="nghe an")) == {NGHE_AN}


def test_every_province_named_is_kept_its_own_first(engine):
    assert tuple(engine.article("ht")["mentions"]) == ("Hà Tĩnh", "Nghệ An", "Quảng Bình")
    assert tuple(engine.article("hcm")["mentions"]) == ("TP Hồ Chí Minh", "Nghệ An", "Đà Nẵng")
    assert tuple(engine.article("hb")["mentions"]) == ()  # 'vì hòa bình' is peace, not the province


def test_mentions_finds_what_the_province_filter_misses(engine):
    """The issue's example: CNTT in Nghệ An, also in articles whose own province is another."""
    assert ids(engine.search("CNTT", province="nghe an")) == {NGHE_AN}
    for typed in ("nghe an", "Nghệ An", "NGHỆ AN", "tỉnh Nghệ An"):
        assert ids(engine.search("CNTT", mentions=typed)) == {NGHE_AN, "ht", "hcm"}, typed
    assert ids(engine.search("CNTT", mentions=["nghe an", "quang binh"])) == {"ht"}  # every one
    assert ids(engine.search("CNTT", mentions="TP HCM")) == ids(engine.search("CNTT", mentions="Sài Gòn")) == {"hcm"}


def test_a_name_that_is_no_province_is_an_error_as_for_province(engine):
    with pytest.raises(FilterError, match="mentions: 'Atlantis' is not a province or city of Vietnam"):
        engine.search("CNTT", mentions="Atlantis")


def test_mentions_facet_counts_every_province_named(engine):
    facets = engine.search("CNTT", facets=True).facets
    assert facets["mentions"] == {"Nghệ An": 3, "An Giang": 1, "Hà Tĩnh": 1, "Hòa Bình": 1, "Quảng Bình": 1,
                                  "TP Hồ Chí Minh": 1, "Điện Biên": 1, "Đà Nẵng": 1, "Đắk Nông": 1}
    assert list(facets["mentions"])[0] == "Nghệ An"
    assert facets["province"]["Nghệ An"] == 1 and "Quảng Bình" not in facets["province"]


def test_the_cli_takes_mentions_and_names_it_when_nothing_matches(index_dir):
    run = CliRunner().invoke(main, ["query", "CNTT", "--index", str(index_dir), "--mentions", "nghe an",
                                    "--mentions", "da nang", "--json"])
    assert run.exit_code == 0, run.output
    assert {hit["id"] for hit in json.loads(run.output)["hits"]} == {"hcm"}
    empty = CliRunner().invoke(main, ["query", "CNTT", "--index", str(index_dir), "--mentions", "ca mau"])
    assert empty.exit_code == 1
    assert "0 results with --mentions Cà Mau; 8 without" in empty.output
    bad = CliRunner().invoke(main, ["query", "CNTT", "--index", str(index_dir), "--mentions", "Atlantis"])
    assert bad.exit_code == 2 and "--mentions: 'Atlantis' is not a province" in bad.output


def test_the_api_and_the_page_take_mentions(index_dir):
    with TestClient(create_app(index_dir)) as client:
        body = client.get("/api/search", params={"q": "CNTT", "mentions": "nghe an", "facets": "1"}).json()
        assert {hit["id"] for hit in body["hits"]} == {NGHE_AN, "ht", "hcm"}
        assert body["facets"]["mentions"]["Nghệ An"] == 3
        assert {tuple(hit["mentions"]) for hit in body["hits"]} == {
            ("Nghệ An",), ("Hà Tĩnh", "Nghệ An", "Quảng Bình"), ("TP Hồ Chí Minh", "Nghệ An", "Đà Nẵng")}
        both = client.get("/api/search", params=[("q", "CNTT"), ("mentions", "Nghệ An"), ("mentions", "ha tinh")])
        assert {hit["id"] for hit in both.json()["hits"]} == {"ht"}
        assert client.get("/api/search", params={"q": "CNTT", "mentions": "Atlantis"}).status_code == 400
        page = client.get("/", params={"q": "CNTT"}).text
        assert '<section class="facet" data-facet="mentions">' in page
        assert '<a href="?q=CNTT&amp;mentions=Ngh%E1%BB%87+An">Nghệ An</a>' in page
