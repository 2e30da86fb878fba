"""The command line speaks one language at a time (--lang, $SEARCHKIT_LANG, the locale): reports,
results and errors, with the field at fault named as its flag and the exit codes unchanged; a
filtered search that finds nothing names its filters; the --help example excludes a phrase."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from tests.conftest import ROOT

ARTICLES = [
    ("nghe-an", "Nghệ An: trạm BTS vùng núi", "Tỉnh Nghệ An lắp thêm trạm BTS cho các xã vùng núi, ứng dụng CNTT."),
    ("nghe-thuat", "Trạm BTS và nghệ thuật", "Một triển lãm nghệ thuật về trạm BTS ở Hà Nội. An toàn bức xạ được bảo đảm."),
    ("ha-noi", "Hà Nội: CNTT trong trường học", "Hà Nội đưa CNTT vào trường học; trạm BTS mới phủ sóng."),
    ("da-nang", "Đà Nẵng: chính quyền số", "Đà Nẵng ứng dụng CNTT trong dịch vụ công trực tuyến."),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("language")
    corpus = root / "news.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "title": t, "body": b}, ensure_ascii=False) + "\n"
                              for i, t, b in ARTICLES), encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(root / "index")])
    assert result.exit_code == 0, result.output
    return str(root / "index")


@pytest.fixture(autouse=True)
def no_language_from_outside(monkeypatch):
    for name in ("SEARCHKIT_LANG", "LC_ALL", "LANG"):
        monkeypatch.delenv(name, raising=False)


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_a_query_without_results_in_vietnamese_and_english(index_dir):
    vi = run("--lang", "vi", "query", "xyzzyq", "--index", index_dir)
    assert (vi.exit_code, vi.stdout.strip()) == (1, 'Không tìm thấy kết quả cho "xyzzyq".')
    en = run("--lang", "en", "query", "xyzzyq", "--index", index_dir)
    assert (en.exit_code, en.stdout.strip()) == (1, 'No results for "xyzzyq".')


def test_searchkit_lang_vi_in_a_real_process(index_dir):
    """Issue 20's check, verbatim: SEARCHKIT_LANG=vi searchkit query xyzzyq prints Vietnamese."""
    env = {**os.environ, "SEARCHKIT_LANG": "vi", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    env.pop("LC_ALL", None)
    result = subprocess.run([sys.executable, "-m", "searchkit", "query", "xyzzyq", "--index", index_dir],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1 and result.stdout.startswith('Không tìm thấy kết quả cho "xyzzyq".')


@pytest.mark.parametrize("env, args, vietnamese", [
    ({"LANG": "vi_VN.UTF-8"}, [], True),
    ({"LANG": "C.UTF-8"}, [], False),
    ({"LANG": "vi_VN.UTF-8", "SEARCHKIT_LANG": "en"}, [], False),
    ({"SEARCHKIT_LANG": "en"}, ["--lang", "vi"], True),
    ({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, [], True),
])
def test_the_language_comes_from_the_option_then_the_environment(index_dir, env, args, vietnamese):
    result = run(*args, "query", "trạm BTS", "--index", index_dir, env=env)
    assert result.exit_code == 0
    head = result.stdout.splitlines()[0]
    assert head == ('3 kết quả cho "trạm BTS"' if vietnamese else '3 results for "trạm BTS"')


def test_results_hits_and_reports_follow_the_language(index_dir, tmp_path):
    vi = run("--lang", "vi", "query", "trạm BTS", "-n", "1", "--index", index_dir).stdout
    assert "hiển thị 1–1" in vi and " · điểm " in vi and "results" not in vi and "score" not in vi
    en = run("--lang", "en", "query", "trạm BTS", "-n", "1", "--index", index_dir).stdout
    assert "showing 1–1" in en and " · score " in en and "kết quả" not in en
    corpus = tmp_path / "mot.jsonl"
    corpus.write_text(json.dumps({"id": "x", "title": "Mạng 5G", "body": "Viettel thử mạng 5G."}, ensure_ascii=False),
                      encoding="utf-8")
    report = run("--lang", "vi", "index", str(corpus), "--index", str(tmp_path / "ix"))
    assert report.exit_code == 0 and report.stdout.startswith("1 thêm, 0 cập nhật, 0 xoá, 0 không đổi, 0 bỏ qua")
    check = run("--lang", "vi", "check", "--index", str(tmp_path / "ix"))
    assert check.exit_code == 0 and check.stdout.strip().endswith("1 bài: không hỏng")


@pytest.mark.parametrize("args, code, vi, en", [
    (["query", "trạm", "--since", "hôm qua"], 2,
     "searchkit: --since: 'hôm qua' không phải ngày", "searchkit: --since: 'hôm qua' is not a date"),
    (["query", "trạm", "--since", "2011", "--until", "2010"], 2,
     "searchkit: --since 2011 muộn hơn --until 2010", "searchkit: --since 2011 is after --until 2010"),
    (["query", "trạm", "--province", "Atlantis"], 2,
     "searchkit: --province: 'Atlantis' không phải tỉnh/thành phố", "searchkit: --province: 'Atlantis' is not a province"),
    (["query", "trạm", "--source", "vnexpress"], 2,
     "searchkit: --source: không bài nào có nguồn 'vnexpress'", "searchkit: --source: no article has source 'vnexpress'"),
    (["query", "  ...  "], 2, "searchkit: Truy vấn không có từ nào để tìm", "searchkit: the query has no words"),
    (["query", "-Vinh"], 2, "searchkit: Truy vấn chỉ có từ loại trừ", "searchkit: the query has only excluded words"),
])
def test_errors_in_both_languages_name_the_flag_and_keep_the_exit_code(index_dir, args, code, vi, en):
    for lang, expected in (("vi", vi), ("en", en)):
        result = run("--lang", lang, *args, "--index", index_dir)
        assert result.exit_code == code and result.stderr.startswith(expected), (lang, result.stderr)
        assert "Traceback" not in result.output


def test_a_missing_index_and_a_missing_path_keep_their_exit_codes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./corpus to build from
    missing = run("--lang", "vi", "query", "trạm", "--index", str(tmp_path / "khong-co"))
    assert missing.exit_code == 3 and missing.stderr.startswith("searchkit: Chưa có chỉ mục ở ")
    assert "searchkit index CORPUS --index" in missing.stderr
    path = run("--lang", "vi", "add", str(tmp_path / "khong-co.txt"), "--index", str(tmp_path / "ix"))
    assert path.exit_code == 2 and "không có tệp hay thư mục này" in path.stderr
    stdin = CliRunner().invoke(main, ["--lang", "vi", "query", "-", "--index", str(tmp_path / "ix")], input="  ")
    assert stdin.exit_code == 2 and "đầu vào chuẩn bị trống" in stdin.stderr


def test_a_bad_backend_url_is_worded_in_the_language_chosen():
    result = run("--lang", "vi", "--backend", "typesense://k@h/c", "stats")
    assert result.exit_code == 2 and "nút 'h' thiếu cổng" in result.stderr and "k@" not in result.stderr


def test_an_empty_filtered_search_names_its_filters_and_counts_without_them(index_dir):
    vi = run("--lang", "vi", "query", "CNTT", "--province", "da nang", "--since", "2030", "--index", index_dir)
    assert vi.exit_code == 1
    assert vi.stdout.splitlines()[:2] == ['Không tìm thấy kết quả cho "CNTT".',
                                          "0 kết quả với --province Đà Nẵng --since 2030; 3 nếu bỏ bộ lọc"]
    en = run("--lang", "en", "query", "CNTT", "--province", "hue", "--index", index_dir)
    assert en.exit_code == 1 and "0 results with --province Thừa Thiên Huế; 3 without" in en.stdout
    unfiltered = run("--lang", "en", "query", "xyzzyq", "--index", index_dir)
    assert "without" not in unfiltered.stdout  # nothing to name


def test_the_help_example_that_excludes_a_phrase_does_so_when_pasted_into_a_shell(index_dir):
    help_text = run("query", "--help").stdout
    (example,) = [line.strip() for line in help_text.splitlines() if "Nghệ An" in line]
    argv = shlex.split(example)  # what a POSIX shell hands the program
    assert argv[:2] == ["searchkit", "query"]
    result = run(*argv[1:], "--json", "--index", index_dir)
    ids = {hit["id"] for hit in json.loads(result.stdout)["hits"]}
    assert ids == {"nghe-thuat", "ha-noi"}  # the phrase is excluded; 'nghệ thuật … An toàn' is not
    broken = run(*shlex.split('searchkit query -"Nghệ An" BTS')[1:], "--json", "--index", index_dir)
    assert "nghe-thuat" not in {hit["id"] for hit in json.loads(broken.stdout)["hits"]}  # what the old one did


@pytest.mark.parametrize("lang, expected", [
    ("vi", ["tệp rỗng (0 byte)", "không phải JSON hợp lệ", "trùng id 'nghe-an'", "liên kết tượng trưng hỏng"]),
    ("en", ["empty file (0 bytes)", "not valid JSON", "duplicate id 'nghe-an'", "broken symbolic link"]),
])
def test_the_reasons_a_file_was_skipped_follow_the_language(tmp_path, lang, expected):
    """The index report's skipped lines are worded like the rest of the run, in Vietnamese too."""
    corpus = tmp_path / "tin"
    corpus.mkdir()
    (corpus / "trong.txt").write_bytes(b"")
    record = json.dumps({"id": "nghe-an", "title": ARTICLES[0][1], "body": ARTICLES[0][2]}, ensure_ascii=False)
    (corpus / "tin.jsonl").write_text(f"{record}\n{{hỏng\n{record}\n", encoding="utf-8")
    (corpus / "mat.txt").symlink_to(tmp_path / "khong-co.txt")
    result = CliRunner().invoke(main, ["--lang", lang, "index", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output, result.output
    if lang == "vi":
        assert "empty file" not in result.output and "not valid JSON" not in result.output
