"""UTF-16 and UTF-32 files with a byte-order mark (issue 18): `.txt` articles and `.jsonl`
records in each byte order read as their UTF-8 twins do, instead of being skipped line by
line; JSON errors are worded once ('starting at column', never 'at at column')."""

from __future__ import annotations

import codecs
import json

import pytest

from searchkit import SearchEngine
from searchkit.indexing.corpus import decode, iter_articles

TITLE = "Đắk Nông: Phát triển hạ tầng viễn thông thụ động"
BODY = ("Ngày 12/3/2010, Sở Thông tin và Truyền thông tỉnh Đắk Nông tổ chức hội nghị triển khai quy hoạch "
        "hạ tầng kỹ thuật viễn thông thụ động, trong đó có việc dùng chung cột ăng-ten trạm BTS.\n"
        "Ông Nguyễn Văn Hưởng, Giám đốc Sở, đề nghị các doanh nghiệp phối hợp chặt chẽ với chính quyền "
        "địa phương để bảo đảm mỹ quan đô thị.")
RECORDS = [
    {"id": "dak-nong-1", "title": TITLE, "body": BODY},
    {"id": "nghe-an-1", "title": "Nghệ An: Ứng dụng chữ ký số", "body": "Sở TT&TT Nghệ An hướng dẫn các "
     "cơ quan nhà nước dùng chữ ký số trên văn bản điện tử, thay cho chữ ký tay."},
    {"id": "hue-1", "title": "Thừa Thiên Huế: Dịch vụ công trực tuyến", "body": "Huế đưa 120 thủ tục hành "
     "chính lên cổng dịch vụ công trực tuyến mức độ 3 và 4."},
]
#: name -> (codec without a mark, its byte-order mark)
ENCODINGS = {
    "utf-16-le": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-16-be": ("utf-16-be", codecs.BOM_UTF16_BE),
    "utf-32-le": ("utf-32-le", codecs.BOM_UTF32_LE),
    "utf-32-be": ("utf-32-be", codecs.BOM_UTF32_BE),
}


def encoded(text: str, name: str) -> bytes:
    codec, bom = ENCODINGS[name]
    return bom + text.encode(codec)


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


@pytest.mark.parametrize("name", ENCODINGS)
def test_a_txt_article_reads_as_its_utf8_twin(tmp_path, name):
    (tmp_path / "wide").mkdir()
    (tmp_path / "utf8").mkdir()
    (tmp_path / "wide" / "bai.txt").write_bytes(encoded(f"{TITLE}\n\n{BODY}\n", name))
    (tmp_path / "utf8" / "bai.txt").write_text(f"{TITLE}\n\n{BODY}\n", encoding="utf-8")
    [wide] = iter_articles([tmp_path / "wide"])
    [twin] = iter_articles([tmp_path / "utf8"])
    assert (wide.title, wide.body, wide.date, wide.province) == (twin.title, twin.body, twin.date, twin.province)
    assert wide.title == TITLE and "\x00" not in wide.body and "Nguyễn Văn Hưởng" in wide.body


@pytest.mark.parametrize("name", ENCODINGS)
def test_every_jsonl_record_is_read(tmp_path, name):
    path = tmp_path / f"tin-{name}.jsonl"
    path.write_bytes(encoded(jsonl(RECORDS), name))
    entries = list(iter_articles([path]))
    assert [(e.id, e.title, e.body, e.line) for e in entries] == [
        (r["id"], r["title"], r["body"], n) for n, r in enumerate(RECORDS, start=1)]


@pytest.mark.parametrize("name", ENCODINGS)
def test_a_wide_jsonl_is_indexed_searched_and_unchanged_on_a_resync(tmp_path, name):
    path = tmp_path / "corpus" / "tin.jsonl"
    path.parent.mkdir()
    path.write_bytes(encoded(jsonl(RECORDS), name))
    engine = SearchEngine(tmp_path / "index")
    report = engine.index([path.parent])
    assert (report.added, report.skipped) == (3, ())
    assert engine.search("chữ ký số").hits[0].id == "nghe-an-1"
    assert engine.search("hạ tầng viễn thông thụ động").hits[0].title == TITLE
    again = engine.index([path.parent])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_a_bad_record_in_a_wide_jsonl_is_skipped_with_its_line(tmp_path):
    path = tmp_path / "tin.jsonl"
    text = jsonl(RECORDS[:1]) + '{"id": "thieu-than", "title": "Không có nội dung"}\n' + jsonl(RECORDS[1:])
    path.write_bytes(encoded(text, "utf-16-le"))
    entries = list(iter_articles([path]))
    skipped = [e for e in entries if not hasattr(e, "body")]
    assert [(s.line, s.reason) for s in skipped] == [(2, "record has no 'body' text")]
    assert [e.id for e in entries if hasattr(e, "body")] == ["dak-nong-1", "nghe-an-1", "hue-1"]


def test_a_line_of_broken_utf16_is_skipped_and_the_next_lines_are_read(tmp_path):
    path = tmp_path / "tin.jsonl"
    broken = '{"id": "hong", "body": "Cà Mau \ud800"}\n'.encode("utf-16-le", "surrogatepass")  # half a pair
    path.write_bytes(encoded(jsonl(RECORDS[:2]), "utf-16-le") + broken + jsonl(RECORDS[2:]).encode("utf-16-le"))
    entries = list(iter_articles([path]))
    assert [getattr(e, "id", None) for e in entries] == ["dak-nong-1", "nghe-an-1", None, "hue-1"]
    assert entries[2].line == 3 and entries[2].reason.startswith("invalid UTF-16 (illegal UTF-16 surrogate)")


def test_a_txt_with_a_utf32_mark_but_broken_content_is_skipped_with_the_reason(tmp_path):
    path = tmp_path / "bai.txt"
    path.write_bytes(codecs.BOM_UTF32_BE + TITLE.encode("utf-32-be") + b"\x00\x11\x00\x00")  # past U+10FFFF
    [skipped] = iter_articles([path])
    assert skipped.reason.startswith("UTF-32 byte-order mark but invalid UTF-32 at byte")


def test_utf8_and_legacy_files_are_decoded_as_before():
    assert decode(codecs.BOM_UTF8 + "Hà Nội".encode("utf-8")) == "Hà Nội"
    assert decode(b"H\xb5 N\xe9i") == "Hà Nội"  # TCVN3
    assert decode(codecs.BOM_UTF16_LE + "Cần Thơ".encode("utf-16-le")) == "Cần Thơ"


@pytest.mark.parametrize("line, reason", [
    ('{"id": "a", "body": "Hà Nội', "not valid JSON (Unterminated string starting at column 21)"),
    ('{"id": "a", "body": "Hà\tNội"}', "not valid JSON (Invalid control character at column 24)"),
    ('{"id": "a" "body": "Huế"}', "not valid JSON (Expecting ',' delimiter at column 12)"),
])
def test_json_errors_name_the_column_once(tmp_path, line, reason):
    path = tmp_path / "loi.jsonl"
    path.write_text(line, encoding="utf-8")  # the last line: no newline inside the open string
    [skipped] = iter_articles([path])
    assert (skipped.line, skipped.reason) == (1, reason)
    assert " at at " not in skipped.reason
