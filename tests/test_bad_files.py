"""A corpus with one bad file of every kind: each is reported with file, line and reason, and
every good article around it is indexed — through `SearchEngine.index` and `searchkit index`.
"""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import SearchEngine
from searchkit.cli import main
from searchkit.indexing.corpus import MAX_ARTICLE_BYTES

GOOD_TXT = {
    "good_before.txt": "Hà Tĩnh: Triển khai chữ ký số\n\nNgày 3/3/2011, Sở TT&TT tỉnh Hà Tĩnh triển khai chữ ký số.",
    "good_after.txt": "Lào Cai: Phủ sóng trạm BTS\n\nCác trạm BTS mới phủ sóng vùng biên giới tỉnh Lào Cai.",
}
GOOD_RECORDS = {
    1: {"id": "r1", "title": "Bản tin viễn thông", "body": "Mạng cáp quang đến các xã vùng sâu."},
    5: {"id": "r5", "title": "Cổng thông tin điện tử", "body": "Cổng dịch vụ công trực tuyến mức độ 4."},
    8: {"id": "r8", "title": "Bưu chính công ích", "body": "Bưu điện văn hóa xã phục vụ người dân."},
}
BAD_LINES = {
    2: ("{not json", "not valid JSON"),
    3: (json.dumps({"title": "Không có id", "body": "Nội dung."}, ensure_ascii=False), "record has no 'id'"),
    4: (json.dumps({"id": "r4", "title": "Không có nội dung"}, ensure_ascii=False), "record has no 'body' text"),
    7: (json.dumps(["mảng", "không phải đối tượng"], ensure_ascii=False), "record is not a JSON object"),
}
#: (file name, line or None, words of the reason) of every bad input.
EXPECTED_SKIPS = {
    ("binary.txt", None, "binary content (NUL bytes)"),
    ("empty.txt", None, "empty file (0 bytes)"),
    ("blank.txt", None, "empty article (no text)"),
    ("huge.txt", None, "article larger than 10 MB"),
    ("locked.txt", None, "permission denied"),
    ("empty.jsonl", None, "empty file"),
    *(("news.jsonl", line, reason) for line, (_, reason) in BAD_LINES.items()),
}
GOOD_IDS = {"good_before", "good_after", "r1", "r5", "r8"}


def make_bad_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in GOOD_TXT.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("\n   \nĐÁNH GIÁ BÀI VIẾT( 0)\n", encoding="utf-8")
    huge = "Bài rất dài\n\n" + "Nội dung lặp lại về chuyển đổi số. " * (MAX_ARTICLE_BYTES // 30)
    (folder / "huge.txt").write_text(huge, encoding="utf-8")
    (folder / "locked.txt").write_text("Bài bị khoá\n\nKhông đọc được.", encoding="utf-8")
    (folder / "locked.txt").chmod(0)
    (folder / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    lines = {n: json.dumps(r, ensure_ascii=False) for n, r in GOOD_RECORDS.items()}
    lines.update({n: text for n, (text, _) in BAD_LINES.items()})
    lines[6] = ""  # a blank line is no record and no error
    (folder / "news.jsonl").write_text("\n".join(lines[n] for n in range(1, 9)) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def bad_corpus(tmp_path, monkeypatch) -> Path:
    """The corpus; where chmod 000 does not stop reading (root), reading it fails as it would."""
    folder = make_bad_corpus(tmp_path / "corpus")
    locked = folder / "locked.txt"
    if os.access(locked, os.R_OK):  # running as root: simulate EACCES for that one file
        real_read_bytes = Path.read_bytes

        def read_bytes(path: Path) -> bytes:
            if path == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_read_bytes(path)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    yield folder
    locked.chmod(0o644)


def skips_of(skipped) -> set[tuple[str, int | None, str]]:
    """(file name, line, matching expected reason) of reported skips; fails on an unexpected one."""
    found = set()
    for item in skipped:
        name, line, reason = Path(item["path"]).name, item["line"], item["reason"]
        matches = [e for e in EXPECTED_SKIPS if e[:2] == (name, line) and e[2] in reason]
        assert matches, f"unexpected skip {name}:{line}: {reason}"
        found.add(matches[0])
    return found


def test_index_reports_every_bad_input_and_keeps_every_good_article(bad_corpus, tmp_path):
    engine = SearchEngine(tmp_path / "index")
    report = engine.index([bad_corpus])
    assert skips_of([s.to_dict() for s in report.skipped]) == EXPECTED_SKIPS
    assert len(report.skipped) == len(EXPECTED_SKIPS)
    assert report.added == len(GOOD_IDS) and report.total == len(GOOD_IDS)
    queries = ("chữ ký số", "trạm BTS", "cáp quang", "dịch vụ công", "bưu điện")
    assert {hit.id for query in queries for hit in engine.search(query)} == GOOD_IDS
    assert engine.search("chữ ký số").hits[0].province == "Hà Tĩnh"


def test_skipped_entries_print_file_line_and_reason(bad_corpus, tmp_path):
    report = SearchEngine(tmp_path / "index").index([bad_corpus])
    printed = sorted(str(s) for s in report.skipped)
    assert any(line.endswith("news.jsonl:3: record has no 'id'") for line in printed)
    assert any(line.endswith("binary.txt: binary content (NUL bytes)") for line in printed)
    assert any("locked.txt: permission denied; make the file readable" in line for line in printed)


def test_cli_index_lists_skipped_files_on_stderr_and_exits_0(bad_corpus, tmp_path):
    result = CliRunner().invoke(main, ["index", str(bad_corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{len(GOOD_IDS)} added, 0 updated, 0 removed, 0 unchanged, "
                                    f"{len(EXPECTED_SKIPS)} skipped")
    skipped_lines = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped_lines) == len(EXPECTED_SKIPS)
    for name, line, reason in EXPECTED_SKIPS:
        where = f"{name}:{line}: " if line else f"{name}: "
        assert any(where in printed and reason in printed for printed in skipped_lines), (name, line)


def test_cli_index_json_lists_every_skip_with_line(bad_corpus, tmp_path):
    result = CliRunner().invoke(main, ["index", str(bad_corpus), "--index", str(tmp_path / "ix"), "--json"])
    report = json.loads(result.stdout)
    assert skips_of(report["skipped"]) == EXPECTED_SKIPS and report["added"] == len(GOOD_IDS)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads chmod 000 files; the bad_corpus fixture simulates EACCES instead")
def test_chmod_000_really_is_reported(tmp_path):
    folder = make_bad_corpus(tmp_path / "corpus")
    try:
        report = SearchEngine(tmp_path / "index").index([folder])
        assert ("locked.txt", None, "permission denied") in skips_of([s.to_dict() for s in report.skipped])
    finally:
        (folder / "locked.txt").chmod(0o644)
