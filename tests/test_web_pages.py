"""The HTML pages through the ASGI test client: they work without JavaScript, follow their
own links (facets, pages, did-you-mean, articles) and show hostile text as text."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlencode

import pytest
from starlette.testclient import TestClient

from searchkit.text.fold import fold
from searchkit.web import create_app
from searchkit.web.markup import mark, query_terms, vietnamese_date
from tests.test_web_api import BTS_ARTICLES, DAK_NONG, HOSTILE, HOSTILE_ID, index_dir  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def client(index_dir):  # noqa: F811 - the fixture imported above
    with TestClient(create_app(index_dir)) as client:
        yield client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def links(text: str, block: str | None = None) -> list[str]:
    """Unescaped hrefs, optionally only inside the first <aside>, <nav>… of that class."""
    if block:
        found = re.search(rf'<(\w+) class="{block}"[^>]*>(.*?)</\1>', text, re.S)
        text = found.group(2) if found else ""
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', text)]


def hit_ids(text: str) -> list[str]:
    from urllib.parse import unquote

    return [unquote(href) for href in re.findall(r'<h2><a href="/articles/([^"?]+)', text)]


def test_the_home_page_is_a_labelled_search_form_in_vietnamese(client):
    text = page(client, "/")
    assert '<html lang="vi">' in text and 'name="viewport"' in text
    assert '<form class="search" action="/" method="get" role="search">' in text
    assert '<label for="q"' in text and 'id="q" name="q"' in text
    for field in ("since", "until", "province", "source", "category", "sort"):
        assert f'<label for="{field}">' in text and f'id="{field}" name="{field}"' in text
    assert "Tìm trong 6 bài viết." in text


def test_results_show_title_date_province_source_and_marked_snippets(client):
    text = page(client, "/?q=tram+bts")
    assert "Tìm thấy <strong>3</strong> bài cho «tram bts»" in text
    assert set(hit_ids(text)) == BTS_ARTICLES
    assert text.count("<mark>trạm BTS</mark>") >= 3
    assert '<time datetime="2010-02-03">03/02/2010</time>' in text
    assert '<span class="province">Đắk Nông</span>' in text and '<span class="source">Mic.gov.vn</span>' in text


def test_did_you_mean_and_searched_are_links_that_search_again(client):
    text = page(client, "/?q=tram+bts")
    suggestion = re.search(r'Có phải bạn muốn tìm: <a href="([^"]+)">trạm BTS</a>', text)
    assert suggestion and "q=tr%E1%BA%A1m+BTS" in html.unescape(suggestion.group(1))
    text = page(client, "/?q=truyeenf+thoong")
    searched = re.search(r'Đã tìm: <a href="([^"]+)">truyền thông</a>', text)
    assert searched
    again = page(client, "/" + html.unescape(searched.group(1)))
    assert "Tìm thấy <strong>5</strong> bài cho «truyền thông»" in again


def test_a_facet_link_filters_and_the_filter_can_be_removed(client):
    text = page(client, "/?q=tram+bts")
    facet = [href for href in links(text, "facets") if "province=" in href]
    assert len(facet) == 3
    dak_nong = next(href for href in facet if "province=%C4%90%E1%BA%AFk+N%C3%B4ng" in href)
    filtered = page(client, "/" + dak_nong)
    assert hit_ids(filtered) == [DAK_NONG]
    assert '<strong aria-current="true">Đắk Nông</strong>' in filtered  # the active value is no link
    removal = re.search(r'<a href="([^"]+)" aria-label="Bỏ lọc Tỉnh/thành Đắk Nông">', filtered)
    assert removal and set(hit_ids(page(client, "/" + html.unescape(removal.group(1))))) == BTS_ARTICLES


@pytest.mark.parametrize("typed", ["dak nong", "ĐẮK NÔNG", "Đăk Nông", "Dak  Nong"])
def test_a_province_typed_any_way_is_the_active_facet_value(client, typed):
    """Without accents, in capitals, the older Đăk, doubled spaces: the facet shows the index's
    Đắk Nông as the value in use (no link to itself), and no other province to add."""
    text = page(client, "/?" + urlencode({"q": "tram bts", "province": typed}))
    assert hit_ids(text) == [DAK_NONG]
    assert '<strong aria-current="true">Đắk Nông</strong>' in text
    assert not [href for href in links(text, "facets") if "province=%C4%90%E1%BA%AFk" in href]


def test_the_year_facet_filters_on_that_year(client):
    text = page(client, "/?q=th%C3%B4ng+tin")
    year = next(href for href in links(text, "facets") if "since=2010" in href)
    assert "until=2010" in year
    assert all("03/02/2010" in hit or "2010" in hit for hit in re.findall(r"<time[^>]*>([^<]+)</time>", page(client, "/" + year)))


def test_pages_go_forward_and_back_through_every_hit(client):
    seen, url = [], "/?q=tram+bts&limit=1"
    for expected_page in (1, 2, 3):
        text = page(client, url)
        assert f"Trang {expected_page}/3" in text
        seen += hit_ids(text)
        following = re.search(r'<a href="([^"]+)" rel="next">', text)
        if expected_page < 3:
            url = "/" + html.unescape(following.group(1))
        else:
            assert following is None
    assert len(seen) == 3 and set(seen) == BTS_ARTICLES
    back = re.search(r'<a href="([^"]+)" rel="prev">', text)
    assert hit_ids(page(client, "/" + html.unescape(back.group(1)))) == [seen[1]]


def test_the_article_page_marks_every_match_in_the_full_text(client):
    results = page(client, "/?q=tram+bts&province=nghe+an")
    href = re.search(r'<h2><a href="(/articles/[^"]+)"', results).group(1)
    text = page(client, html.unescape(href))
    assert "Nghệ An: Tổng kết công tác TT&amp;TT cụm I" in text
    marks = re.findall(r"<mark>(.*?)</mark>", text)
    assert marks.count("trạm BTS") == 2  # both mentions in the whole text
    assert {fold(m).lower() for m in marks} <= {"tram bts", "tram", "bts"}  # 'tram' typed: trăm too
    assert f"{len(marks)} chỗ khớp" in text
    assert '<a href="/?q=tram+bts">' in text  # back to the results


@pytest.mark.parametrize("query", ["trajm BTS", '"trạm BTS"'])
def test_the_article_page_marks_what_the_search_marked(client, query):
    """Telex decoded and a phrase only where it stands, as in the results' snippets."""
    href = re.search(r'<h2><a href="(/articles/[^"]+)"', page(client, "/?" + urlencode({"q": query}))).group(1)
    marks = re.findall(r"<mark>(.*?)</mark>", page(client, html.unescape(href)))
    assert marks and set(marks) == {"trạm BTS"}


def test_unknown_article_is_a_vietnamese_404_page(client):
    text = page(client, "/articles/khong-co-bai-nay", 404)
    assert "Không tìm thấy bài viết" in text


def test_a_bad_query_is_a_400_page_that_keeps_the_form(client):
    text = page(client, "/?q=tram&since=h%C3%B4m+qua", 400)
    assert "Chưa tìm được" in text and "không phải ngày" in text and 'value="tram"' in text
    text = page(client, "/?q=" + "a " * 2100, 400)
    assert "tối đa 4,000" in text or "tối đa 4.000" in text  # the message in the page's language
    assert "at most 4,000" in page(client, "/?lang=en&q=" + "a " * 2100, 400)


def test_hostile_article_text_renders_as_text(client):
    text = page(client, "/?q=tr%E1%BA%A1m+ph%C3%A1t+s%C3%B3ng&province=C%C3%A0+Mau")
    assert "<script>alert" not in text and "<img" not in text and "<i>nguồn</i>" not in text
    assert "&lt;script&gt;alert(&#34;tiêu đề&#34;)&lt;/script&gt;" in text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;i&gt;nguồn&lt;/i&gt;" in text
    assert "javascript:" not in text
    href = f'/articles/{quote(HOSTILE_ID, safe="")}?q='
    assert href in text
    article = page(client, href + "tr%E1%BA%A1m")
    assert "<script>" not in article and "<img" not in article and "javascript:" not in article
    assert "&lt;/p&gt;&lt;script&gt;document.cookie&lt;/script&gt;" in article
    assert "Xem bài gốc" not in article  # a javascript: URL never becomes a link


@pytest.mark.parametrize("query", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "trạm' onmouseover='x"])
def test_hostile_queries_render_as_text(client, query):
    response = client.get("/", params={"q": query})
    assert response.status_code in (200, 400)
    assert "<script>alert" not in response.text and "<img" not in response.text
    assert "' onmouseover='" not in response.text
    assert html.escape(query, quote=True).replace("&quot;", "&#34;").replace("&#x27;", "&#39;") in response.text


def test_mark_escapes_every_piece_and_ignores_impossible_spans():
    assert str(mark('<b>trạm</b> "BTS"', [(3, 7), (12, 17)])) == '&lt;b&gt;<mark>trạm</mark>&lt;/b&gt; <mark>&#34;BTS&#34;</mark>'
    assert str(mark("trạm BTS", [(0, 4), (2, 6), (5, 50), (6, 6)])) == "<mark>trạm</mark> BTS"


def test_query_terms_leave_out_exclusions_and_operators():
    assert query_terms('"trạm BTS" -Vinh NOT "Nghệ An" OR Đắk title:nông') == {
        "tram": frozenset({"trạm"}), "bts": frozenset(), "dak": frozenset({"đắk"}), "nong": frozenset({"nông"}),
    }


def test_dates_are_shown_day_first():
    assert vietnamese_date("2013-01-11") == "11/01/2013"


def h1(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", found).strip() for found in re.findall(r"<h1[^>]*>(.*?)</h1>", text, re.S)]


@pytest.mark.parametrize("url, status, heading", [
    ("/", 200, "Tìm tin công nghệ thông tin"),
    ("/?q=tram+bts", 200, "Kết quả tìm «tram bts»"),
    ("/?q=xyzzyq", 200, "Kết quả tìm «xyzzyq»"),
    (f"/articles/{DAK_NONG}", 200, "Đắk Nông: Tổng kết ngành Thông tin và Truyền thông và triển khai nhiệm vụ năm 2010"),
    ("/docs", 200, "Tài liệu API JSON"),
    ("/nowhere", 404, "Không có trang này"),
    ("/?q=tram&sort=popular", 400, "Chưa tìm được"),
])
def test_every_page_has_one_h1(client, url, status, heading):
    assert h1(page(client, url, status)) == [heading]


def test_an_offset_past_the_end_shows_the_last_page(client):
    text = page(client, "/?q=tram+bts&limit=2&offset=10000")
    assert "Tìm thấy <strong>3</strong> bài cho «tram bts», đang xem 3–3" in text
    assert len(hit_ids(text)) == 1
    assert '<span aria-current="page" aria-label="Trang 2/2">2</span>' in text
    assert [n for n in re.findall(r'aria-label="Trang (\d+)">', text)] == ["1"]


def test_pages_are_numbered_links_and_the_time_taken_is_shown(client):
    text = page(client, "/?q=tram+bts&limit=1&offset=1")
    numbers = re.search(r'<ul class="numbers">(.*?)</ul>', text, re.S).group(1)
    assert re.findall(r">(\d)</(?:a|span)>", numbers) == ["1", "2", "3"]
    assert links(numbers) == ["?q=tram+bts&limit=1", "?q=tram+bts&limit=1&offset=2"]
    assert re.search(r'<span class="took">\(trong \d+,\d{3} giây\)</span>', text)


def test_empty_parameters_never_reach_an_address(client):
    response = client.get("/?q=tram+bts&since=&until=&province=&source=&category=&sort=relevance",
                          follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/?q=tram+bts"
    assert client.get("/?q=", follow_redirects=False).headers["location"] == "/"
    text = page(client, "/?q=tram+bts&province=dak+nong")
    hrefs = links(text)
    assert hrefs and not [href for href in hrefs if re.search(r"=(&|$)", href)]


def test_date_inputs_hold_the_filter_as_a_day(client):
    text = page(client, "/?q=tram&since=2010&until=2010-06")
    assert 'type="date" id="since" name="since" value="2010-01-01"' in text
    assert 'type="date" id="until" name="until" value="2010-06-30"' in text


def test_placeholders_only_suggest_values_the_index_holds(client):
    home = page(client, "/")
    assert "mic.gov.vn" not in home.lower() and "Vi tính" not in home
    text = page(client, "/?q=tram+bts")
    assert 'placeholder="ví dụ: Mic.gov.vn"' in text
    assert '<datalist id="province-values"><option value="Nghệ An">' in text or 'value="Đắk Nông"' in text


def test_facets_fold_above_the_results_and_stand_beside_them_on_wide_screens(client):
    text = page(client, "/?q=tram+bts")
    assert text.index('<details class="facets"') < text.index('<section class="hits"')
    assert re.search(r'<details class="facets">\s*<summary><h2>Thu hẹp kết quả</h2></summary>', text)
    assert '<details class="facets" open>' in page(client, "/?q=tram+bts&province=dak+nong")
    css = client.get("/static/style.css").text
    assert "@media (prefers-color-scheme: dark)" in css and "grid-column: 2" in css


def test_the_english_switch_keeps_its_language_in_every_link(client):
    vi = page(client, "/?q=tram+bts&limit=2")
    switch = re.search(r'<a class="language" href="([^"]+)"[^>]*>English</a>', vi)
    assert switch and html.unescape(switch.group(1)) == "/?q=tram+bts&limit=2&lang=en"
    en = page(client, "/?q=tram+bts&limit=2&lang=en")
    assert '<html lang="en">' in en and "Found <strong>3</strong> articles for «tram bts»" in en
    assert "Bộ lọc" not in en and "Tìm thấy" not in en
    back = re.search(r'<a class="language" href="([^"]+)"[^>]*>Tiếng Việt</a>', en)
    assert html.unescape(back.group(1)) == "/?q=tram+bts&limit=2"
    inside = [href for href in links(en) if href.startswith(("?", "/")) and "lang=en" not in href and "/static/" not in href]
    assert inside == [html.unescape(back.group(1)), "/openapi.json"]  # only the way back to Vietnamese
    assert "Results for «tram bts»" in page(client, f"/articles/{DAK_NONG}?q=tram+bts&lang=en")


def test_the_docs_page_describes_the_api_without_scripts_from_elsewhere(client):
    text = page(client, "/docs")
    for path in ("GET /api/search", "GET /api/suggest", "GET /api/articles/{id}", "GET /healthz"):
        assert f"<code>{path}</code>" in text
    assert '<th scope="row"><code>q</code> <span class="required">(bắt buộc)</span></th>' in text
    assert '<a href="#schema-Results"><code>Results</code></a>' in text and 'id="schema-Results"' in text
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text)


@pytest.mark.parametrize("name", ["searchkit.searching.complete", "searchkit.web.views", "searchkit.web.markup",
                                  "searchkit.web.openapi", "searchkit.web.params"])
def test_docstring_examples_of_the_search_box_and_pages(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0, name
