"""Tags (issue 19, item 4): JSONL `"tags"` read, filtered (AND, case and accents optional),
faceted under their most common spelling, from the library, the CLI, the API and the page."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from searchkit import SearchEngine
from searchkit.cli import main
from searchkit.web import create_app

RECORDS = [
    dict(id="vt1", title="Viettel phủ sóng 5G tại Hà Nội", tags=["5G", "Viettel"],
         body="Viettel chính thức phủ sóng 5G tại các quận nội thành Hà Nội từ tháng 10."),
    dict(id="vt2", title="Viettel thử nghiệm 5G ở Đà Nẵng", tags=["viettel", "5g", "Thử nghiệm"],
         body="Tập đoàn Viettel thử nghiệm mạng 5G cho doanh nghiệp tại Đà Nẵng."),
    dict(id="vnpt", title="VNPT ra mắt gói cước 5G", tags=["5G", "VNPT"],
         body="VNPT công bố gói cước 5G đầu tiên cho thuê bao trả sau."),
    dict(id="cds", title="Chuyển đổi số ở Nghệ An", tags=["Chuyển đổi số", "VIETTEL"],
         body="Viettel Nghệ An đồng hành cùng tỉnh trong chuyển đổi số và mạng 5G."),
    dict(id="bts", title="Trạm BTS mới ở Đắk Nông", tags=["Viettel", "BTS"],
         body="Viettel lắp thêm trạm BTS 4G và 5G ở vùng sâu."),
]
BAD = [
    dict(id="sai1", title="Thẻ là một chuỗi", body="Bài có thẻ viết sai.", tags="5G"),
    dict(id="sai2", title="Thẻ là số", body="Bài có thẻ là số.", tags=[5, "Viettel"]),
    dict(id="sai3", title="Thẻ không có chữ", body="Bài có thẻ toàn dấu.", tags=["!!!"]),
]
TXT = "Trạm BTS 5G ở An Giang\n\nViettel lắp trạm BTS 5G đầu tiên tại tỉnh An Giang.\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tags") / "corpus"
    folder.mkdir()
    lines = [json.dumps(record, ensure_ascii=False) for record in RECORDS + BAD]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "an-giang.txt").write_text(TXT, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index_dir(corpus, tmp_path_factory):
    index = tmp_path_factory.mktemp("tags-index") / "index"
    report = SearchEngine(index).index([corpus])
    assert report.added == 6
    reasons = {item.line: item.reason for item in report.skipped}
    assert reasons == {
        6: "'tags' must be a list of strings, not text (\"5G\")",
        7: "'tags' must be a list of strings, not a list holding a number ([5, \"Viettel\"])",
        8: "the tag \"!!!\" has no letters or digits",
    }
    return index


@pytest.fixture(scope="module")
def engine(index_dir):
    return SearchEngine(index_dir)


def ids(results) -> set[str]:
    return {hit.id for hit in results.hits}


def test_tags_are_read_once_by_key_and_txt_articles_have_none(engine):
    assert list(engine.article("vt2")["tags"]) == ["viettel", "5g", "Thử nghiệm"]
    hit = engine.search("Viettel Đà Nẵng", limit=1).hits[0]
    assert (hit.id, hit.tags) == ("vt2", ("viettel", "5g", "Thử nghiệm"))
    assert engine.search("An Giang", tag=None).hits[0].tags == ()


def test_a_tag_filter_is_case_and_accent_insensitive(engine):
    assert ids(engine.search("5G", tag="Viettel")) == {"vt1", "vt2", "cds", "bts"}
    assert ids(engine.search("5G", tag="viettel")) == ids(engine.search("5G", tag="VIETTEL")) == \
        {"vt1", "vt2", "cds", "bts"}
    assert ids(engine.search("Nghệ An", tag="chuyen doi so")) == {"cds"}
    assert ids(engine.search("5G", tag="thu nghiem")) == {"vt2"}


def test_several_tags_keep_the_articles_holding_every_one(engine):
    assert ids(engine.search("5G", tag=["5G", "Viettel"])) == {"vt1", "vt2"}
    assert ids(engine.search("5G", tag=["5g", "vnpt"])) == {"vnpt"}
    assert ids(engine.search("5G", tag=["VNPT", "Viettel"])) == set()


def test_an_unknown_tag_matches_nothing_without_an_error(engine):
    results = engine.search("5G", tag="Mobifone")
    assert results.total == 0 and not results.hits


def test_tag_facets_count_spellings_together_under_the_most_common(engine):
    """Viettel is written so twice, viettel and VIETTEL once each: four articles, shown as Viettel."""
    facets = engine.search("5G", facets=True).facets
    assert facets["tag"] == {"Viettel": 4, "5G": 3, "BTS": 1, "Chuyển đổi số": 1, "Thử nghiệm": 1, "VNPT": 1}
    assert engine.search("5G", facets=True, tag="viettel").facets["tag"] == \
        {"Viettel": 4, "5G": 2, "BTS": 1, "Chuyển đổi số": 1, "Thử nghiệm": 1}


def test_rankings_are_the_same_with_tags_filtered_in(engine):
    """Filters only mask: the articles a tag keeps come in the order of the unfiltered search."""
    every = [hit.id for hit in engine.search("Viettel 5G").hits]
    kept = [hit.id for hit in engine.search("Viettel 5G", tag="viettel").hits]
    assert kept == [article for article in every if article in {"vt1", "vt2", "cds", "bts"}]


def test_tags_survive_a_merge(corpus, tmp_path):
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus], batch_size=2, workers=1)
    assert engine.stats()["segments"] > 1
    engine.optimize()
    assert engine.stats()["segments"] == 1
    assert ids(engine.search("5G", tag=["5G", "Viettel"])) == {"vt1", "vt2"}
    assert engine.search("5G", facets=True).facets["tag"]["Viettel"] == 4


def test_the_cli_takes_tag_repeated(index_dir):
    run = CliRunner().invoke(main, ["query", "5G", "--index", str(index_dir), "--tag", "5G", "--tag", "viettel",
                                    "--json", "--facets"])
    assert run.exit_code == 0, run.output
    found = json.loads(run.output)
    assert {hit["id"] for hit in found["hits"]} == {"vt1", "vt2"}
    assert found["facets"]["tag"]["Viettel"] == 2


def test_the_cli_names_an_unknown_tag_when_nothing_matches(index_dir):
    run = CliRunner().invoke(main, ["query", "5G", "--index", str(index_dir), "--tag", "Mobifone"])
    assert run.exit_code == 1
    assert "0 results with --tag Mobifone; 6 without" in run.output


def test_the_cli_prints_tag_facets(index_dir):
    run = CliRunner().invoke(main, ["query", "5G", "--index", str(index_dir), "--facets"])
    assert "Tag: Viettel 4 · 5G 3 · BTS 1 · Chuyển đổi số 1 · Thử nghiệm 1 · VNPT 1" in run.output


@pytest.fixture(scope="module")
def client(index_dir):
    with TestClient(create_app(index_dir)) as client:
        yield client


def test_the_api_takes_tag_repeated(client):
    body = client.get("/api/search", params=[("q", "5G"), ("tag", "5G"), ("tag", "Viettel")]).json()
    assert {hit["id"] for hit in body["hits"]} == {"vt1", "vt2"}
    assert body["hits"][0]["tags"] in (["5G", "Viettel"], ["viettel", "5g", "Thử nghiệm"])
    faceted = client.get("/api/search", params={"q": "5G", "facets": "true"}).json()
    assert faceted["facets"]["tag"]["Viettel"] == 4
    assert client.get("/api/search", params={"q": "5G", "tag": "Mobifone"}).json()["total"] == 0


def test_the_page_offers_tags_to_narrow_by_and_keeps_them(client):
    page = client.get("/", params={"q": "5G"}).text
    facet = re.search(r'<section class="facet" data-facet="tag">.*?</section>', page, re.S).group()
    link = unescape(re.search(r'<a href="([^"]+)">Viettel</a>', facet).group(1))
    assert link == "?q=5G&tag=Viettel"
    narrowed = client.get("/" + link).text
    assert "<strong>Viettel</strong>" in narrowed  # the chip of the active filter
    assert '<input type="hidden" name="tag" value="Viettel">' in narrowed  # the form keeps it
    facet = re.search(r'<section class="facet" data-facet="tag">.*?</section>', narrowed, re.S).group()
    assert '<strong aria-current="true">Viettel</strong>' in facet
    both = unescape(re.search(r'<a href="([^"]+)">5G</a>', facet).group(1))
    assert both == "?q=5G&tag=Viettel&tag=5G"
    hits = re.findall(r'<li class="hit">', client.get("/" + both).text)
    assert len(hits) == 2
