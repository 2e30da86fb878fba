"""Reading articles: the seed format, JSONL records, and files that cannot be read."""

import json

import pytest

from searchkit.indexing.corpus import iter_articles, parse_date_line, parse_txt
from searchkit.models import Article, Skipped
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {a.id: a for a in iter_articles([CORPUS])}


def test_every_seed_is_read_with_its_id(seeds):
    assert sorted(seeds) == [
        "000_8ea709576470be64", "001_763baed69ffaf6d4", "002_8621a67b8f0e4508",
        "003_968839511eb7d5a3", "004_18419e47d282bcbb",
    ]


def test_title_date_source_and_trailer(seeds):
    an_giang = seeds["000_8ea709576470be64"]
    assert an_giang.title.startswith("An Giang: Tổng kết hoạt động ngành thông tin")
    assert an_giang.date == "2010-02-03"
    assert an_giang.body.startswith("Ngày 02/02/2010, Sở Thông tin và Truyền thông tỉnh An Giang")
    nghe_an = seeds["001_763baed69ffaf6d4"]
    assert nghe_an.source == "Mic.gov.vn"
    assert nghe_an.body.startswith("Mới đây, Sở TT&TT Nghệ An")
    assert all("ĐÁNH GIÁ BÀI VIẾT" not in a.body for a in seeds.values())


@pytest.mark.parametrize("line, iso", [
    ("2/3/2010 9:46:12 AM", "2010-02-03"), ("6/12/2009 8:30:21 PM", "2009-06-12"),
    ("13/13/2010", None), ("Ngày 11/6", None),
])
def test_date_lines_are_month_day_year(line, iso):
    assert parse_date_line(line) == iso


def test_txt_without_text_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        parse_txt("\n \nĐÁNH GIÁ BÀI VIẾT( 0)\n", "x")


def test_a_paragraph_opening_with_a_capital_keeps_it_and_legacy_fragments_in_values_are_repaired(tmp_path):
    """A JSON line spells a paragraph break `\\n`: `\\nÝ kiến` was read as the TCVN3 fragment
    `nÝ` and written `í kiến` (about one article in a hundred of the news corpus); a value's
    TCVN3 fragment and UTF-8 mojibake, escaped or not, are still repaired; a line written in VNI
    reads the same."""
    from searchkit.text.legacy import encode_vni

    path = tmp_path / "news.jsonl"
    records = [{"id": "y-kien", "title": "Ý kiến bạn đọc",
                "body": "Bạn đọc gửi thư.\nÝ kiến thứ nhất.\nÔng Nguyễn Văn A.\nÁnh sáng.\nÍt người."},
               {"id": "hong", "title": "bình đẳng và lµnh m¹nh", "body": "Viá»‡t Nam, 5 µm", "tags": ["Viá»‡t Nam"]}]
    lines = [json.dumps(records[0], ensure_ascii=False), json.dumps(records[1], ensure_ascii=True)]  # escaped too
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vni = {**records[0], "id": "vni"}  # a whole line in a legacy encoding: decoded, then its values repaired
    with path.open("ab") as out:
        out.write(encode_vni(json.dumps(vni, ensure_ascii=False)) + b"\n")
    for defer in (False, True):
        found = {a.id: a for a in iter_articles([path], defer=defer)}
        if defer:
            from searchkit.indexing.corpus import resolve
            found = {key: resolve(article) for key, article in found.items()}
        y_kien, hong = found["y-kien"], found["hong"]
        assert y_kien.body == "Bạn đọc gửi thư.\nÝ kiến thứ nhất.\nÔng Nguyễn Văn A.\nÁnh sáng.\nÍt người."
        assert y_kien.title == "Ý kiến bạn đọc"
        assert hong.title == "bình đẳng và lành mạnh" and hong.body == "Việt Nam, 5 µm"
        assert hong.tags == ("Việt Nam",)
        assert found["vni"].body == y_kien.body and found["vni"].title == y_kien.title


def test_jsonl_records_and_bad_lines(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "Trạm BTS ở Đắk Nông", "body": "Nội dung.", "date": "2021-05-02",
                    "category": "Viễn thông", "url": "https://example.vn/a1"}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "không có id", "body": "x"}, ensure_ascii=False),
        json.dumps({"id": "a4", "title": "không có body"}, ensure_ascii=False),
        "",
        json.dumps({"id": 5, "title": None, "body": "Chuyển đổi số."}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    entries = list(iter_articles([path]))
    articles = [e for e in entries if isinstance(e, Article)]
    skipped = [e for e in entries if isinstance(e, Skipped)]
    assert [a.id for a in articles] == ["a1", "5"]
    assert articles[0].date == "2021-05-02" and articles[0].category == "Viễn thông"
    assert articles[1].title == ""
    assert [(s.line, s.reason) for s in skipped] == [
        (2, "not valid JSON (Expecting property name enclosed in double quotes at column 2)"),
        (3, "record has no 'id'"),
        (4, "record has no 'body' text"),
    ]


def test_binary_file_is_skipped_with_its_name_and_reason(tmp_path):
    (tmp_path / "good.txt").write_text("Trạm BTS\n\nNội dung bài.", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00")
    entries = list(iter_articles([tmp_path]))
    assert [e.id for e in entries if isinstance(e, Article)] == ["good"]
    (skipped,) = [e for e in entries if isinstance(e, Skipped)]
    assert skipped.path.endswith("broken.txt") and "NUL" in skipped.reason


def test_a_full_build_leaves_each_line_to_its_worker_and_reads_it_the_same(tmp_path):
    """Issue 21: the reader of a full build only identifies and checks each JSONL line; the
    worker decodes it (`resolve`), into the very Article the reader would have made. A line
    whose id decoding could change (not ASCII), one in a legacy encoding, and one that does
    not check out are read whole by the reader as before, each skip with its line."""
    from searchkit.indexing.corpus import PendingArticle, resolve

    lines = [
        json.dumps({"id": "bts-1", "title": "Trạm  BTS ở Đắk Nông", "body": "Sở TT&TT Đắk Nông lắp trạm BTS.\n"
                    "Ngày 3/2/2010, Nghệ An cũng vậy.", "tags": ["Viettel", "viettel"]}, ensure_ascii=False),
        json.dumps({"id": "tên-có-dấu", "body": "Hòa Bình phủ sóng 4G."}, ensure_ascii=False),
        json.dumps({"id": 42, "title": "Chư\u0303 ky\u0301 số", "body": "Khánh Hoà cấp chữ ký số."},
                   ensure_ascii=False),  # decomposed marks: NFC in the worker
        '{"id": "vni", "body": "Vie\xe4t Nam"}',  # its bytes made VNI below
        '{"id": "no-body", "title": "Thiếu nội dung"}',
        "not json",
        json.dumps({"id": "rong", "title": "Tỉnh Hoà Bình phủ sóng 4G đến mọi xã", "body": ""}, ensure_ascii=False),  # empty body
    ]
    data = "\n".join(lines).encode("utf-8").replace(b"e\xc3\xa4", b"e\xe4")  # VNI's ệ: not UTF-8
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_bytes(data)
    plain = list(iter_articles([corpus]))
    deferred = list(iter_articles([corpus], defer=True))
    assert [type(entry).__name__ for entry in deferred] == [
        "PendingArticle", "Article", "PendingArticle", "Article", "Skipped", "Skipped", "PendingArticle"]
    assert [resolve(entry) for entry in deferred] == plain
    assert [e.id for e in deferred[:4]] == ["bts-1", "tên-có-dấu", "42", "vni"]
    assert plain[2].title == "Chữ ký số" and plain[0].mentions == ("Đắk Nông", "Nghệ An")
    assert plain[3].body == "Việt Nam"
    assert [(s.line, s.kind) for s in plain[4:6]] == [(5, ""), (6, "skip.not_json")]
    assert (plain[6].title, plain[6].body, plain[6].province) == ("Tỉnh Hoà Bình phủ sóng 4G đến mọi xã", "", "Hòa Bình")
    broken = PendingArticle(id="x", title="", body="", path="mixed.jsonl", line=9, raw=b'{"id": "x", "body": 5}')
    assert resolve(broken) == Skipped("mixed.jsonl", "'body' must be a string, not a number", 9)
