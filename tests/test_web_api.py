"""The JSON API through the ASGI test client: schema, filters, pages, errors, escaping."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from searchkit import SearchEngine
from searchkit.engine import MAX_OFFSET
from searchkit.web import create_app
from searchkit.web.params import MAX_LIMIT, MAX_QUERY_CHARS, SearchRequest
from tests.conftest import CORPUS

AN_GIANG, NGHE_AN, HOA_BINH, DAK_NONG, DIEN_BIEN = (
    "000_8ea709576470be64", "001_763baed69ffaf6d4", "002_8621a67b8f0e4508",
    "003_968839511eb7d5a3", "004_18419e47d282bcbb",
)
BTS_ARTICLES = {AN_GIANG, NGHE_AN, DAK_NONG}
HOSTILE_ID = 'doc<b>"1\'/../x'
HOSTILE = {
    "id": HOSTILE_ID,
    "title": '<script>alert("tiêu đề")</script> Lắp đặt trạm phát sóng',
    "body": 'Sở TT&TT kiểm tra trạm phát sóng "><img src=x onerror=alert(1)> tại Cà Mau.\n'
            "Đoạn hai </p><script>document.cookie</script> vẫn nói về trạm phát sóng.",
    "date": "2011-05-06", "source": "<i>nguồn</i>", "category": "Viễn thông",
    "url": "javascript:alert(1)", "province": "Cà Mau",
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    """The five sample articles plus one whose every field tries to inject markup."""
    root = tmp_path_factory.mktemp("web")
    hostile = root / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    report = SearchEngine(root / "index").index([CORPUS, hostile])
    assert report.added == 6 and not report.skipped
    return root / "index"


@pytest.fixture(scope="module")
def client(index_dir):
    with TestClient(create_app(index_dir)) as client:
        yield client


def search(client, **params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_returns_the_json_schema_of_the_library_plus_offset_and_limit(client, index_dir):
    body = search(client, q="tram bts", limit=3)
    expected = SearchEngine(index_dir).search("tram bts", limit=3).to_dict()
    assert body == {**expected, "offset": 0, "limit": 3}
    assert {hit["id"] for hit in body["hits"]} == BTS_ARTICLES and body["total"] == 3
    assert body["suggestion"] == "trạm BTS"
    first = body["hits"][0]
    assert set(first) == {"id", "title", "score", "date", "source", "category", "url", "author", "province",
                          "tags", "mentions", "title_spans", "snippets"}
    marked = {s["text"][a:b] for hit in body["hits"] for s in hit["snippets"] for a, b in s["spans"]}
    assert "trạm BTS" in marked


def test_searched_is_the_decoded_telex(client):
    body = search(client, q="truyeenf thoong")
    assert body["searched"] == "truyền thông" and body["total"] == 5


@pytest.mark.parametrize("params, expected", [
    ({"province": "dak nong"}, {DAK_NONG}),
    ({"province": "Đắk Nông", "source": "mic.gov.vn"}, {DAK_NONG}),
    ({"since": "2010", "until": "2010-12"}, {AN_GIANG}),
    ({"since": "01/01/2009"}, {AN_GIANG}),
    ({"source": "MIC.GOV.VN"}, {NGHE_AN, DAK_NONG}),
    ({"province": "Cà Mau"}, {HOSTILE_ID}),  # 'trạm phát sóng': the best it has, graded
])
def test_filters_narrow_the_hits(client, params, expected):
    body = search(client, q="trạm BTS", **params)
    assert {hit["id"] for hit in body["hits"]} == expected and body["total"] == len(expected)


def test_sort_by_date_puts_the_newest_first_and_undated_last(client):
    hits = search(client, q="thông tin", sort="date", limit=10)["hits"]
    dates = [hit["date"] for hit in hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[: len(dated)] == dated


def test_facets_are_counted_only_when_asked(client):
    assert search(client, q="trạm BTS")["facets"] == {}
    facets = search(client, q="trạm BTS", facets="true")["facets"]
    assert facets["province"] == {"An Giang": 1, "Đắk Nông": 1, "Nghệ An": 1}


def test_pages_follow_each_other_without_gap_or_repeat(client):
    whole = [hit["id"] for hit in search(client, q="thông tin", limit=6)["hits"]]
    pages = [search(client, q="thông tin", limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [hit["id"] for page in pages for hit in page["hits"]] == whole
    assert [page["offset"] for page in pages] == [0, 2, 4] and {page["total"] for page in pages} == {len(whole)}
    past = search(client, q="thông tin", offset=50)
    assert past["hits"] == [] and past["total"] == len(whole)


def test_a_large_limit_is_lowered_to_the_cap(client):
    body = search(client, q="thông tin", limit=10_000)
    assert body["limit"] == MAX_LIMIT and len(body["hits"]) <= MAX_LIMIT


@pytest.mark.parametrize("params, kind, message", [
    ({"q": ""}, "QueryError", "no words to look for"),
    ({"q": "!!! ???"}, "QueryError", "no words to look for"),
    ({"q": "-Vinh"}, "QueryError", "only excluded words"),
    ({"q": "tram " * (MAX_QUERY_CHARS // 5 + 1)}, "QueryError", f"searchkit reads at most {MAX_QUERY_CHARS:,}"),
    ({"q": "tram", "limit": "0"}, "QueryError", "limit must be at least 1"),
    ({"q": "tram", "limit": "ten"}, "QueryError", "limit must be a whole number"),
    ({"q": "tram", "offset": "-1"}, "QueryError", "offset must be a whole number"),
    ({"q": "tram", "offset": str(MAX_OFFSET + 1)}, "QueryError", "offset must be from 0 to 10,000"),
    ({"q": "tram", "since": "hôm qua"}, "FilterError", "is not a date"),
    ({"q": "tram", "since": "2012", "until": "2010"}, "FilterError", "swap them"),
    ({"q": "tram", "province": "Atlantis"}, "FilterError", "not a province or city of Vietnam"),
    ({"q": "tram", "province": "x" * 101}, "QueryError", "at most 100"),
    ([("q", "tram"), *[("tag", f"thẻ {n}") for n in range(21)]], "FilterError", "at most 20 values, not 21; leave out"),
    ({"q": "tram", "sort": "popular"}, "QueryError", "use one of: relevance, date"),
    ({"q": "tram", "facets": "maybe"}, "QueryError", "facets must be true or false"),
])
def test_bad_requests_are_400_with_the_library_message(client, params, kind, message):
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["type"]) == (400, kind) and message in error["message"]


def test_an_article_comes_whole_without_the_server_path(client):
    response = client.get(f"/api/articles/{DAK_NONG}")
    assert response.status_code == 200
    article = response.json()
    assert article["id"] == DAK_NONG and article["province"] == "Đắk Nông"
    assert "trạm BTS" in article["body"] and "path" not in article


def test_any_id_round_trips_as_one_path_segment(client):
    from urllib.parse import quote

    response = client.get("/api/articles/" + quote(HOSTILE_ID, safe=""))
    assert response.status_code == 200 and response.json()["title"] == HOSTILE["title"]


@pytest.mark.parametrize("path", [
    "/api/articles/nope", "/api/articles/..%2F..%2Fetc%2Fpasswd", "/api/articles/%2Fetc%2Fpasswd",
    f"/api/articles/{DAK_NONG}.txt", "/api/articles/*",
])
def test_unknown_articles_are_404_and_ids_never_reach_the_disk(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "NotFound"


def test_stats_and_health(client):
    stats = client.get("/api/stats").json()
    assert stats["articles"] == 6 and stats["schema_version"] >= 3 and "index" not in stats
    assert client.get("/healthz").json() == {"status": "ok", "articles": 6}


def test_unknown_api_paths_are_404_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json()["error"]["status"] == 404


def test_a_missing_index_is_503_saying_how_to_build_one(tmp_path):
    with TestClient(create_app(tmp_path / "nowhere")) as missing:
        for path in ("/api/search?q=tram", "/healthz", "/api/stats", f"/api/articles/{DAK_NONG}"):
            response = missing.get(path)
            assert response.status_code == 503, path
            error = response.json()["error"]
            assert error["type"] == "IndexNotFoundError" and "searchkit index" in error["message"]
        page = missing.get("/?q=tram")
        assert page.status_code == 503 and "Chưa sẵn sàng" in page.text


def test_openapi_describes_every_parameter_and_path_that_answers(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    described = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert described == set(SearchRequest.__dataclass_fields__)
    for path in spec["paths"]:
        response = client.get(path.replace("{id}", DAK_NONG), params={"q": "tram"})
        assert response.status_code == 200, path


def test_json_keeps_hostile_text_as_data(client):
    hit = search(client, q="trạm phát sóng", province="Cà Mau")["hits"][0]
    assert hit["title"] == HOSTILE["title"] and hit["url"] == HOSTILE["url"]


def test_every_response_forbids_inline_scripts(client):
    for path in ("/", "/?q=tram", "/api/search?q=tram", "/nope"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def suggest(client, q, **params):
    response = client.get("/api/suggest", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["suggestions"]


@pytest.mark.parametrize("typed, expected", [
    ("tram b", "trạm BTS"),  # accents left out
    ("trạm b", "trạm BTS"),  # accents typed
    ("TRAM B", "trạm BTS"),  # any case
    ("-\"Nghệ An\" tram b", "-\"Nghệ An\" trạm BTS"),  # what comes before is kept
    ("trajm b", "trạm BTS"),  # Telex keys with no input method, read as the search reads them
    ("truyeenf th", "truyền thông"),
])
def test_suggest_completes_the_last_words_as_the_index_writes_them(client, typed, expected):
    assert suggest(client, typed)[0] == expected


def test_suggest_respects_typed_marks_limits_and_empty_input(client):
    assert "trạm BTS" not in suggest(client, "trăm b")  # a mark typed is a mark meant
    assert suggest(client, "") == [] and suggest(client, "   ") == []
    assert suggest(client, "xyzzyq") == []
    assert len(suggest(client, "t", limit=2)) == 2
    assert len(suggest(client, "t", limit=500)) <= 20
    response = client.get("/api/suggest", params={"q": "t", "limit": "ten"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "limit"


def test_suggest_is_the_engine_s_completion(client, index_dir):
    assert suggest(client, "nghe") == SearchEngine(index_dir).complete("nghe")


def test_untitled_articles_are_headed_by_their_first_sentence(tmp_path):
    records = tmp_path / "untitled.jsonl"
    records.write_text(json.dumps({
        "id": "no-title", "title": "",
        "body": "Viettel vừa phát sóng thử nghiệm 5G tại Hà Nội. Mạng mới nhanh gấp mười lần 4G.",
    }, ensure_ascii=False) + "\n", encoding="utf-8")
    engine = SearchEngine(tmp_path / "index")
    engine.index([records])
    assert engine.search("5G").hits[0].title == "Viettel vừa phát sóng thử nghiệm 5G tại Hà Nội."
    with TestClient(create_app(tmp_path / "index")) as untitled:
        assert untitled.get("/api/search", params={"q": "5G"}).json()["hits"][0]["title"].startswith("Viettel vừa")
        page = untitled.get("/", params={"q": "5G"}).text
        assert "(không có tiêu đề)" not in page and "thử nghiệm <mark>5G</mark> tại Hà Nội.</a></h2>" in page
        article = untitled.get("/articles/no-title").text
        assert "<h1>Viettel vừa phát sóng thử nghiệm 5G tại Hà Nội.</h1>" in article
