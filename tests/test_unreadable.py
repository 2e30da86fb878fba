"""Unreadable is not vanished (issue 18): a file or folder that still exists but cannot be read
keeps its articles in the index and is reported as skipped with its reason; only a file that
is gone takes its articles with it; a sync that would empty more than half of the index (a
network folder not mounted) stops unless --prune says it is meant.

Root reads any file whatever its mode, so the re-syncs that must fail to read run in a
subprocess without the DAC capabilities (`setpriv --bounding-set -dac_override,-dac_read_search`),
as the audit did.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import CorpusError, SearchEngine
from searchkit.cli import main
from searchkit.indexing.corpus import estimate_count
from tests.conftest import ROOT

DROP_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]

ARTICLES = {
    "an-giang": "An Giang: Tổng kết ngành thông tin và truyền thông\n\nSở TT&TT An Giang tổng kết năm 2009 "
                "và triển khai trạm BTS dùng chung.",
    "nghe-an": "Nghệ An: Hội nghị cụm thi đua\n\nSở TT&TT Nghệ An đăng cai hội nghị cụm thi đua số I về "
               "bưu chính viễn thông.",
    "ha-tinh": "Hà Tĩnh: Chữ ký số cho cơ quan nhà nước\n\nHà Tĩnh triển khai chữ ký số cho văn bản điện tử "
               "của các sở ngành.",
    "dak-nong": "Đắk Nông: Phát triển hạ tầng viễn thông\n\nĐắk Nông quy hoạch hạ tầng viễn thông thụ động "
                "giai đoạn 2010 đến 2015.",
}
RECORDS = [
    {"id": "hue-1", "title": "Thừa Thiên Huế: Cổng thông tin điện tử", "body": "Huế nâng cấp cổng thông tin "
     "điện tử của tỉnh, tích hợp dịch vụ công trực tuyến."},
    {"id": "hue-2", "title": "Thừa Thiên Huế: Đào tạo công nghệ thông tin", "body": "Huế mở lớp đào tạo "
     "công nghệ thông tin cho cán bộ cấp xã."},
]
ARCHIVE = {  # a subfolder
    "2010/quang-nam": "Quảng Nam: Bưu điện văn hóa xã\n\nQuảng Nam củng cố hệ thống bưu điện văn hóa xã "
                      "ở miền núi.",
    "2010/lam-dong": "Lâm Đồng: Phát thanh truyền hình\n\nĐài phát thanh truyền hình Lâm Đồng phủ sóng "
                     "các huyện vùng sâu.",
}


def make_corpus(folder: Path) -> Path:
    """Four .txt articles, a JSONL of two records and a subfolder of two: eight articles."""
    for name, text in {**ARTICLES, **ARCHIVE}.items():
        path = folder / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "hue.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS),
                                      encoding="utf-8")
    return folder


def ids(engine: SearchEngine) -> set[str]:
    from searchkit.indexing.store import open_index

    with open_index(engine.path).reader() as reader:
        column = reader.column_reader("id")
        return {column[n] for n in reader.all_doc_ids()}


ALL_IDS = {"an-giang", "nghe-an", "ha-tinh", "dak-nong", "hue-1", "hue-2", "2010/quang-nam", "2010/lam-dong"}


@pytest.fixture
def unprivileged(tmp_path):
    """Runs `searchkit ARGS` as root without the capabilities that let root read anything."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is missing: cannot drop root's DAC capabilities")
    if os.geteuid() != 0:
        pytest.skip("not root: setpriv cannot drop capabilities this process does not have "
                    "(test_an_io_error_keeps_the_articles covers the same path without it)")
    probe = tmp_path / "probe.txt"
    probe.write_text("Hà Nội", encoding="utf-8")
    probe.chmod(0)
    try:
        if subprocess.run([*DROP_DAC, "cat", str(probe)], capture_output=True).returncode == 0:
            pytest.skip("setpriv ran, but the file stayed readable (the capabilities were not dropped)")
    finally:
        probe.unlink()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*DROP_DAC, sys.executable, "-m", "searchkit", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
    return run


def test_unreadable_files_and_folders_keep_their_articles(tmp_path, unprivileged):
    corpus = make_corpus(tmp_path / "corpus")
    engine = SearchEngine(tmp_path / "index")
    assert engine.index([corpus]).total == 8
    (corpus / "nghe-an.txt").chmod(0)
    (corpus / "hue.jsonl").chmod(0)
    (corpus / "2010").chmod(0)
    (corpus / "ha-tinh.txt").unlink()  # gone: its article goes
    try:
        result = unprivileged("index", str(corpus), "--index", str(engine.path), "--json", "--quiet")
    finally:
        for path in ("nghe-an.txt", "hue.jsonl"):
            (corpus / path).chmod(0o644)
        (corpus / "2010").chmod(0o755)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["updated"], report["removed"], report["total"]) == (0, 0, 1, 7)
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert skipped.keys() == {"nghe-an.txt", "hue.jsonl", "2010"}
    assert skipped["nghe-an.txt"].startswith("permission denied") and "its article already in the index is kept" \
        in skipped["nghe-an.txt"]
    assert "its 2 articles already in the index are kept" in skipped["hue.jsonl"]
    assert skipped["2010"].startswith("cannot list the folder (Permission denied)")
    assert "its 2 articles already in the index are kept" in skipped["2010"]
    assert ids(engine) == ALL_IDS - {"ha-tinh"}
    assert engine.search("hội nghị cụm thi đua").hits[0].id == "nghe-an"
    assert engine.search("bưu điện văn hóa xã").hits[0].id == "2010/quang-nam"

    again = engine.index([corpus])  # readable again: nothing to do, nothing lost
    assert (again.added, again.removed, again.unchanged, again.total) == (0, 0, 7, 7)


def test_the_cli_lists_an_unreadable_file_on_stderr_and_exits_0(tmp_path, unprivileged):
    corpus = make_corpus(tmp_path / "corpus")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    (corpus / "dak-nong.txt").chmod(0)
    try:
        result = unprivileged("index", str(corpus), "--index", str(engine.path), "--quiet")
    finally:
        (corpus / "dak-nong.txt").chmod(0o644)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stdout.startswith("0 added, 0 updated, 0 removed, 7 unchanged, 1 skipped")
    assert "dak-nong.txt: permission denied" in result.stderr and "is kept" in result.stderr
    assert engine.search("hạ tầng viễn thông thụ động").hits[0].id == "dak-nong"


def test_an_unreadable_corpus_root_is_a_corpus_error_and_touches_nothing(tmp_path, unprivileged):
    corpus = make_corpus(tmp_path / "kho" / "corpus")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    (tmp_path / "kho").chmod(0)  # the root itself cannot be reached
    try:
        result = unprivileged("index", str(corpus), "--index", str(engine.path))
    finally:
        (tmp_path / "kho").chmod(0o755)
    assert result.returncode == 2 and "cannot be read (Permission denied)" in result.stderr, result.stderr
    assert ids(engine) == ALL_IDS


def test_an_io_error_keeps_the_articles(tmp_path, monkeypatch):
    """Without setpriv: an I/O error reading a file (EIO: a failing disk, a lost network share)."""
    corpus = make_corpus(tmp_path / "corpus")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    (corpus / "an-giang.txt").write_text(ARTICLES["an-giang"] + " Sửa lại.", encoding="utf-8")  # changed too
    real_read, real_open = Path.read_bytes, Path.open

    def failing_read(self):
        if self.name == "an-giang.txt":
            raise OSError(errno.EIO, "Input/output error", str(self))
        return real_read(self)

    def failing_open(self, *args, **kwargs):
        if self.name == "hue.jsonl":
            raise OSError(errno.EIO, "Input/output error", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", failing_read)
    monkeypatch.setattr(Path, "open", failing_open)
    assert estimate_count([corpus]) == 6  # the progress count goes past the JSONL it cannot open
    report = engine.index([corpus], workers=1)
    assert (report.removed, report.total) == (0, 8)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons == {"an-giang.txt": "cannot read (Input/output error); its article already in the index is kept",
                       "hue.jsonl": "cannot read (Input/output error); its 2 articles already in the index are kept"}
    assert ids(engine) == ALL_IDS


def test_an_unreadable_file_keeps_its_id_from_another_file(tmp_path, monkeypatch):
    """A record in a later file that claims the id of an article whose file cannot be read
    now does not take it over: that file may still hold it."""
    corpus = make_corpus(tmp_path / "corpus")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    (corpus / "zz-moi.jsonl").write_text(json.dumps(
        {"id": "hue-1", "title": "Bản khác", "body": "Một bài khác mang cùng mã hue-1."}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied", str(self))) if self.name == "hue.jsonl"
        else real_open(self, *a, **k))
    report = engine.index([corpus], workers=1)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    taken = [s for s in report.skipped if s.path.endswith("zz-moi.jsonl")]
    assert len(taken) == 1 and "cannot be read now" in taken[0].reason
    assert engine.search("Cổng thông tin điện tử").hits[0].title == "Thừa Thiên Huế: Cổng thông tin điện tử"


def test_removing_more_than_half_of_the_index_needs_prune(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    elsewhere = tmp_path / "unmounted"
    elsewhere.mkdir()
    for name in ("an-giang.txt", "nghe-an.txt", "hue.jsonl", "2010"):  # 6 of 8 articles: a share not mounted
        shutil.move(corpus / name, elsewhere / name)
    (corpus / "moi.txt").write_text("Gia Lai: Mạng cáp quang\n\nGia Lai kéo cáp quang đến các xã biên giới.",
                                    encoding="utf-8")

    with pytest.raises(CorpusError, match=r"would remove 6 of the 8 articles .* nothing was removed") as raised:
        engine.index([corpus])
    assert "with prune" in str(raised.value) and "mount" in str(raised.value)  # the CLI says --prune
    assert "the articles it added or updated (1) are indexed" in str(raised.value)
    assert ids(engine) == ALL_IDS | {"moi"}

    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(engine.path), "--quiet"])
    assert result.exit_code == 2 and "--prune" in result.output and "Traceback" not in result.output
    assert len(ids(engine)) == 9

    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(engine.path), "--prune", "--json"])
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["removed"], json.loads(result.stdout)["total"]) == (6, 3)
    assert ids(engine) == {"ha-tinh", "dak-nong", "moi"}


def test_removing_half_or_less_needs_no_prune(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    shutil.rmtree(corpus / "2010")
    (corpus / "hue.jsonl").unlink()
    report = engine.index([corpus])  # 4 of 8: exactly half
    assert (report.removed, report.total) == (4, 4)
    assert engine.index([corpus], prune=True).removed == 0


def test_a_symbolic_link_loop_is_reported_as_a_loop(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "vong-a.txt").symlink_to("vong-b.txt")
    (corpus / "vong-b.txt").symlink_to("vong-a.txt")
    (corpus / "mat.txt").symlink_to("khong-con.txt")
    report = SearchEngine(tmp_path / "index").index([corpus])
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons["vong-a.txt"].startswith("symbolic link loop: vong-b.txt leads back to this link")
    assert reasons["vong-b.txt"].startswith("symbolic link loop: vong-a.txt leads back to this link")
    assert "broken" not in reasons["vong-a.txt"]
    assert reasons["mat.txt"] == "broken symbolic link: its target khong-con.txt does not exist"
    assert report.total == 8
