"""A corpus built to break the indexer: every good article is indexed (each holds a unique
token), every bad file, record, link or name is skipped with its reason, and nothing escapes
as a traceback. Regression tests for issue 10.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import CorpusError, QueryError, SearchEngine
from searchkit.cli import main
from searchkit.indexing.walk import printable

BAD_NAME = os.fsdecode(b"b\xe0i-h\xf4ng.txt")  # Latin-1 bytes in a file name: not UTF-8
BAD_FOLDER = os.fsdecode(b"th\xe1ng-5")
LONG_WORD = "đ" * 10_000


def record(article_id, token: str, **fields) -> str:
    return json.dumps({"id": article_id, "title": f"Bài {token}",
                       "body": f"Sở Thông tin và Truyền thông triển khai {token}.", **fields}, ensure_ascii=False)


def txt(token: str, title: str = "Tin công nghệ") -> str:
    return f"{title}\n\nSở TT&TT tỉnh Nghệ An triển khai hệ thống {token} cho cán bộ."


def make_hostile(base: Path) -> tuple[Path, Path, Path]:
    """Two folders to index (`a`, `b`) and one outside them; returns (a, b, outside)."""
    a, b, outside = base / "a", base / "b", base / "outside"
    for folder in (a, b, outside):
        folder.mkdir(parents=True)
    (a / "good.txt").write_text(txt("zqgood"), encoding="utf-8")
    (a / "deep.jsonl").write_text('{"id": "sau", "body": ' + "[" * 1000 + "]" * 1000 + "}\n"
                                  + record("deep-ok", "zqdeep") + "\n", encoding="utf-8")
    (a / "surrogate.jsonl").write_text(
        '{"id": "lone-surrogate", "title": "Trạm \\ud800 BTS", "body": "Trạm BTS zqsurrogate \\udfff mới."}\n'
        '{"id": "control", "title": "Tiêu\\u0000đề\\u001f zqcontrol", "body": "Nội\\u0007dung zqcontrol."}\n',
        encoding="utf-8")
    (a / "ids.jsonl").write_text("\n".join([
        record(["a", "b"], "zqlist"), record(True, "zqtrue"), record(1.5, "zqfloat"),
        record({"x": 1}, "zqobject"), record(42, "zqint"), record("", "zqempty"),
    ]) + "\n", encoding="utf-8")
    (a / BAD_NAME).write_text(txt("zqbadname"), encoding="utf-8")
    (a / BAD_FOLDER).mkdir()
    (a / BAD_FOLDER / "bai.txt").write_text(txt("zqbadfolder"), encoding="utf-8")
    os.mkfifo(a / "pipe.txt")
    server, here = socket.socket(socket.AF_UNIX), os.getcwd()
    try:
        os.chdir(a)  # a relative name: socket paths may not exceed 108 bytes
        server.bind("sock.jsonl")
    finally:
        os.chdir(here)
        server.close()
    (a / "real.txt").write_text(txt("zqreal"), encoding="utf-8")
    (a / "link-in.txt").symlink_to("real.txt")
    (outside / "secret.txt").write_text(txt("zqsecret"), encoding="utf-8")
    (outside / "more.txt").write_text(txt("zqmore"), encoding="utf-8")
    (a / "link-out.txt").symlink_to(outside / "secret.txt")
    (a / "link-out-dir").symlink_to(outside)
    (a / "gone.txt").symlink_to("nowhere.txt")
    (a / "latin.txt").write_bytes(
        "Café à Genève\n\nL'élève a été très content à Genève, près du lycée. zqlatin".encode("latin-1"))
    (a / "long.txt").write_text(txt(f"zqlong {LONG_WORD}"), encoding="utf-8")
    (a / "page.html").write_text(
        "<html><head><title>Chữ ký số &amp; dịch vụ công</title><script>var zqscript = 1;</script>"
        "<style>.zqstyle {}</style></head><body><nav>Trang chủ zqmenu</nav><article><h1>Chữ ký số &amp; dịch vụ công</h1>"
        "<p>Tỉnh Đắk Nông triển khai chữ ký số zqhtml.</p></article></body></html>", encoding="utf-8")
    (a / "note.md").write_text("---\ntitle: Chuyển đổi số\ndate: 2021-03-04\n---\n# Bỏ qua\n"
                               "Xem [hướng dẫn](http://zqurl.example/a) về **chuyển đổi số** zqmarkdown.\n",
                               encoding="utf-8")
    (a / "bai.txt").write_text(txt("zqbaia"), encoding="utf-8")
    (a / "dup1.jsonl").write_text(record("trung", "zqdup1") + "\n", encoding="utf-8")
    (a / "dup2.jsonl").write_text(record("trung", "zqdup2") + "\n", encoding="utf-8")
    (a / "anh.pdf").write_bytes(b"%PDF-1.4 zqpdf")  # not an article type: ignored inside folders
    (b / "bai.txt").write_text(txt("zqbaib"), encoding="utf-8")
    return a, b, outside


#: token -> id of every article that must be indexed
INDEXED = {
    "zqgood": "good", "zqdeep": "deep-ok", "zqsurrogate": "lone-surrogate", "zqcontrol": "control",
    "zqint": "42", "zqreal": "real", "zqlatin": "latin", "zqlong": "long", "zqhtml": "page",
    "zqmarkdown": "note", "zqbaia": "bai", "zqdup1": "trung",
}
#: tokens that must not be found
NOT_INDEXED = ("zqlist", "zqtrue", "zqfloat", "zqobject", "zqempty", "zqbadname", "zqbadfolder", "zqsecret",
               "zqmore", "zqdup2", "zqbaib", "zqscript", "zqstyle", "zqmenu", "zqurl", "zqpdf")
#: (name shown, JSONL line, words of the reason) of every skip
SKIPPED = {
    ("deep.jsonl", 1, "JSON nested too deeply"),
    ("ids.jsonl", 1, "'id' must be a string or an integer, not a list"),
    ("ids.jsonl", 2, "'id' must be a string or an integer, not true/false"),
    ("ids.jsonl", 3, "'id' must be a string or an integer, not a number (1.5)"),
    ("ids.jsonl", 4, "'id' must be a string or an integer, not an object"),
    ("ids.jsonl", 6, "record has no 'id'"),
    (printable(BAD_NAME), None, "file name is not valid UTF-8"),
    (printable(BAD_FOLDER), None, "folder name is not valid UTF-8"),
    ("pipe.txt", None, "a named pipe (FIFO), not a file"),
    ("sock.jsonl", None, "a socket, not a file"),
    ("link-in.txt", None, "which is indexed under its own name"),
    ("link-out.txt", None, "outside the folders being indexed: not followed (pass --follow"),
    ("link-out-dir", None, "outside the folders being indexed: not followed (pass --follow"),
    ("gone.txt", None, "broken symbolic link: its target nowhere.txt does not exist"),
    ("dup2.jsonl", 1, "duplicate id 'trung'"),
    ("bai.txt", None, "duplicate id 'bai'"),
}


@pytest.fixture
def hostile(tmp_path) -> tuple[Path, Path, Path]:
    return make_hostile(tmp_path / "hostile")


def found(engine: SearchEngine, token: str) -> set[str]:
    return {hit.id for hit in engine.search(token, limit=50)}


def skips(report) -> set[tuple[str, int | None, str]]:
    """The expected skips the report holds; fails on one not expected."""
    matched = set()
    for item in report.skipped:
        name = Path(item.path).name
        hits = [s for s in SKIPPED if s[:2] == (name, item.line) and s[2] in item.reason]
        assert hits, f"unexpected skip {item}"
        matched.add(hits[0])
    return matched


def test_every_good_article_is_indexed_and_every_bad_input_reported(hostile, tmp_path):
    a, b, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    report = engine.index([a, b])
    assert skips(report) == SKIPPED and len(report.skipped) == len(SKIPPED)
    assert report.total == report.added == len(INDEXED)
    for token, article_id in INDEXED.items():
        assert found(engine, token) == {article_id}, token
    for token in NOT_INDEXED:
        assert found(engine, token) == set(), token
    kept_first = {s.reason for s in report.skipped if s.reason.startswith("duplicate id 'bai'")}
    assert any(str(a / "bai.txt") in reason for reason in kept_first)  # names the file that keeps the id


def test_a_second_run_changes_nothing_and_reports_the_same(hostile, tmp_path):
    a, b, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    engine.index([a, b])
    again = engine.index([a, b])
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(INDEXED))
    assert skips(again) == SKIPPED
    assert found(engine, "zqbaia") == {"bai"} and found(engine, "zqbaib") == set()


def test_text_is_sanitised_and_decoded_as_written(hostile, tmp_path):
    a, b, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    engine.index([a])
    (surrogate,) = engine.search("zqsurrogate").hits
    assert surrogate.title == "Trạm \ufffd BTS" and "\ufffd" in surrogate.snippets[0].text
    (control,) = engine.search("zqcontrol").hits
    assert control.title == "Tiêu đề zqcontrol"
    (latin,) = engine.search("Genève").hits
    assert latin.title == "Café à Genève"  # not TCVN3's 'Cafộ'
    (page,) = engine.search("zqhtml").hits
    assert page.title == "Chữ ký số & dịch vụ công" and page.province == "Đắk Nông"
    (note,) = engine.search("zqmarkdown").hits
    assert (note.title, note.date) == ("Chuyển đổi số", "2021-03-04")


def test_follow_indexes_what_links_outside_lead_to(hostile, tmp_path):
    a, b, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    report = engine.index([a, b], follow=True)
    assert found(engine, "zqsecret") == {"link-out-dir/secret"}  # the same file once, not twice
    assert found(engine, "zqmore") == {"link-out-dir/more"}
    assert not [s for s in report.skipped if "outside" in s.reason]
    assert report.total == len(INDEXED) + 2


def test_a_record_moved_to_another_file_takes_its_id_along(hostile, tmp_path):
    a, b, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    engine.index([a, b])
    (a / "dup1.jsonl").write_text(record("khac", "zqother") + "\n", encoding="utf-8")
    report = engine.index([a, b])
    assert found(engine, "zqdup2") == {"trung"} and found(engine, "zqother") == {"khac"}
    assert not [s for s in report.skipped if "trung" in s.reason]


def test_an_id_taken_by_a_file_elsewhere_is_refused_not_overwritten(hostile, tmp_path):
    a, b, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    engine.index([a])
    other = tmp_path / "other"
    other.mkdir()
    (other / "bai.html").write_text("<title>Bài khác</title><p>Nội dung zqhijack.</p>", encoding="utf-8")
    report = engine.index([other / "bai.html"], remove_missing=False)
    assert report.added == report.updated == 0
    (skip,) = report.skipped
    assert f"id 'bai' is already indexed from {a / 'bai.txt'}, which still exists" in skip.reason
    assert found(engine, "zqbaia") == {"bai"} and found(engine, "zqhijack") == set()
    (a / "bai.txt").unlink()  # the owner is gone: the id moves with the article
    report = engine.index([other / "bai.html"], remove_missing=False)
    assert (report.updated, report.skipped) == (1, ()) and found(engine, "zqhijack") == {"bai"}


@pytest.mark.parametrize("name, message", [
    ("bai.json", "does not read .json files; give .txt, .jsonl"),
    ("bai.pdf", "does not read .pdf files"),
    ("README", "does not read extension-less files"),
])
def test_a_named_file_of_another_type_is_refused_before_anything_is_written(tmp_path, name, message):
    (tmp_path / name).write_text('{"id": "x", "body": "nội dung"}', encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        SearchEngine(tmp_path / "index").index([tmp_path / name])
    assert not (tmp_path / "index").exists()
    result = CliRunner().invoke(main, ["add", str(tmp_path / name), "--index", str(tmp_path / "index")])
    assert result.exit_code == 2 and message in result.output


def test_a_named_pipe_on_the_command_line_is_refused(tmp_path):
    os.mkfifo(tmp_path / "news.jsonl")
    with pytest.raises(CorpusError, match="is a named pipe"):
        SearchEngine(tmp_path / "index").index([tmp_path / "news.jsonl"])


def test_a_named_html_page_is_parsed_not_indexed_as_markup(tmp_path):
    page = tmp_path / "bai.html"
    page.write_text("<!doctype html><html><head><meta charset='utf-8'><title>Mạng 5G</title>"
                    "<meta property='article:published_time' content='2020-05-06T08:00:00+07:00'></head>"
                    "<body><p>Viettel thử nghiệm mạng 5G tại Hà Nội.</p></body></html>", encoding="utf-8")
    engine = SearchEngine(tmp_path / "index")
    assert engine.index([page]).added == 1
    (hit,) = engine.search("mạng 5G").hits
    assert (hit.id, hit.title, hit.date) == ("bai", "Mạng 5G", "2020-05-06")
    assert engine.search("doctype").total == 0 and engine.search("charset").total == 0


def test_a_ten_thousand_letter_word_is_neither_indexed_nor_searched(hostile, tmp_path):
    a, _, _ = hostile
    engine = SearchEngine(tmp_path / "index")
    engine.index([a])
    assert found(engine, "zqlong") == {"long"}
    with pytest.raises(QueryError, match="the query is 10,000 characters long; searchkit reads at most 4,000"):
        engine.search(LONG_WORD)
    with pytest.raises(QueryError, match="is 100 letters long; no indexed word is longer than 64"):
        engine.search("trạm " + "đ" * 100)
    assert found(engine, "đ" * 64) == set()  # the longest word a query may hold


def test_cli_prints_every_skip_even_with_undecodable_names(hostile, tmp_path):
    a, b, _ = hostile
    result = CliRunner().invoke(main, ["index", str(a), str(b), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{len(INDEXED)} added, 0 updated, 0 removed, 0 unchanged, {len(SKIPPED)} skipped")
    lines = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(lines) == len(SKIPPED)
    assert any("b\\xe0i-h\\xf4ng.txt: file name is not valid UTF-8" in line for line in lines)


def _load_bounded(paths) -> BaseException | None:
    """load_abbreviations(paths) in a thread joined for at most a minute: a FIFO must never
    block the open; returns what it raised (a hang fails the test instead of stalling it)."""
    import threading

    from searchkit.searching.abbreviations import load_abbreviations

    raised: list[BaseException | None] = []

    def load():
        try:
            load_abbreviations(paths)
            raised.append(None)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            raised.append(error)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(60)
    assert raised, "load_abbreviations blocked on the file"
    return raised[0]


def test_a_fifo_as_abbreviations_file_is_refused_without_blocking(tmp_path):
    from searchkit import AbbreviationsError

    fifo = tmp_path / "viet-tat.tsv"
    os.mkfifo(fifo)
    error = _load_bounded([fifo])
    assert isinstance(error, AbbreviationsError) and error.kind == "abbreviations.not_a_file"
    assert str(fifo) in str(error) and "FIFO" in str(error) and "not a regular file" in str(error)
    assert error.exit_code == 2


def test_dev_zero_as_abbreviations_file_is_refused_before_reading():
    from searchkit import AbbreviationsError

    error = _load_bounded(["/dev/zero"])  # used to grow to 1.7 GB, then MemoryError
    assert isinstance(error, AbbreviationsError) and error.kind == "abbreviations.not_a_file"
    assert "/dev/zero is a device" in str(error)


def test_an_abbreviations_file_over_the_cap_is_refused_and_one_under_it_loads(tmp_path):
    from searchkit import AbbreviationsError
    from searchkit.searching.abbreviations import MAX_FILE_BYTES, load_abbreviations

    line = "ĐTTM\tđiện thoại thông minh\n".encode()
    big = tmp_path / "lon.tsv"
    big.write_bytes(line * (MAX_FILE_BYTES // len(line) + 1))
    error = _load_bounded([big])
    assert isinstance(error, AbbreviationsError) and error.kind == "abbreviations.too_large"
    assert f"at most {MAX_FILE_BYTES:,}" in str(error)
    fits = tmp_path / "vua.tsv"
    fits.write_bytes(line * (MAX_FILE_BYTES // len(line)))
    assert load_abbreviations([fits]).expand("ĐTTM") == ("điện thoại thông minh",)


def test_the_command_line_words_a_fifo_abbreviations_file_as_a_usage_error(tmp_path, sample_engine):
    fifo = tmp_path / "viet-tat.tsv"
    os.mkfifo(fifo)
    result = CliRunner().invoke(main, ["query", "CNTT", "--index", str(sample_engine.path),
                                       "--abbreviations", str(fifo)], env={"SEARCHKIT_LANG": "en"})
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output and "Traceback" not in result.output


def test_backend_secrets_stay_out_of_reprs_strings_dicts_and_errors(tmp_path):
    from searchkit.backends import BackendError, parse_backend_url

    secret = "khóa-bí-mật-Zq93"
    url = parse_backend_url(f"typesense://{secret}@127.0.0.1:8108,127.0.0.1:8109/tin_tuc")
    assert url.api_key == secret  # the client still gets it
    engine = SearchEngine(tmp_path / "index", backend=url)
    shown = [repr(url), str(url), repr(url.to_dict()), repr(engine), str(engine), repr([url]), f"{url!r}"]
    assert not [text for text in shown if secret in text], shown
    assert repr(url) == "BackendURL('typesense://127.0.0.1:8108,127.0.0.1:8109/tin_tuc', api_key=<hidden>)"
    with pytest.raises(BackendError) as raised:
        parse_backend_url(f"typesense://{secret}@127.0.0.1/tin_tuc")  # no port
    assert secret not in str(raised.value) and secret not in repr(raised.value.to_dict())
