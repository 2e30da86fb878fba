"""HTML and Markdown articles: the text a reader sees, the title, the declared date."""

import pytest

from searchkit.text.markup import parse_html, parse_markdown


@pytest.mark.parametrize("html, title, body", [
    ("<title>Trạm BTS</title><p>Lắp đặt <b>trạm</b> mới.</p>", "Trạm BTS", "Lắp đặt trạm mới."),
    ("<h1>Chữ ký số</h1><p>Cấp chữ ký số &amp; hướng dẫn.</p>", "Chữ ký số", "Cấp chữ ký số & hướng dẫn."),
    ("<p>Không có tiêu đề</p><p>Dòng hai</p>", "Không có tiêu đề", "Dòng hai"),  # the first block
    ("<title>A</title><body><nav>Menu</nav><main><p>Nội dung</p></main><footer>©</footer></body>", "A", "Nội dung"),
    ("<title>A</title><svg><title>icon</title></svg><p>Thân <script>x()</script>bài</p>", "A", "Thân bài"),
    ("<title>A</title><div><p>không đóng thẻ<div>vẫn đọc được", "A", "không đóng thẻ\nvẫn đọc được"),
    ("<title>A</title></span></p><p>thẻ đóng thừa</p>", "A", "thẻ đóng thừa"),
])
def test_html_text_is_what_a_reader_sees(html, title, body):
    page = parse_html(html)
    assert (page.title, page.body) == (title, body)


def test_html_with_no_text_is_refused():
    with pytest.raises(ValueError, match="no text in the HTML page"):
        parse_html("<html><head><script>var a = 1;</script></head><body><nav>Menu</nav></body></html>")


def test_deeply_nested_html_is_read_in_linear_time():
    page = parse_html("<title>Sâu</title>" + "<div>" * 50_000 + "chữ" + "</span>" * 50_000)
    assert (page.title, page.body) == ("Sâu", "chữ")


def test_html_dates_from_meta_or_time():
    assert parse_html('<meta name="date" content="2011-03-04"><p>x</p>').date == "2011-03-04"
    assert parse_html('<p>Ngày <time datetime="2012-05-06">6/5</time></p>').date == "2012-05-06"


def test_markdown_title_from_heading_and_links_without_addresses():
    page = parse_markdown("# Mạng 5G\n\nViettel thử [mạng 5G](https://viettel.vn/5g).\n\n```\ncode\n```\n## Chi tiết\nThêm.")
    assert page.title == "Mạng 5G"
    assert page.body == "Viettel thử mạng 5G.\ncode\nChi tiết\nThêm."
