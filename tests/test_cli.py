"""The `searchkit` command through click's CliRunner: output, --json, help, exit codes."""

import json
import re

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from tests.conftest import CORPUS, ROOT


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def index_dir(tmp_path, runner):
    target = tmp_path / "index"
    result = runner.invoke(main, ["index", str(CORPUS), "--index", str(target)])
    assert result.exit_code == 0, result.output
    assert "5 added" in result.output
    return target


def test_query_prints_ranked_hits_with_bracketed_highlights(runner, index_dir):
    result = runner.invoke(main, ["query", "tram bts", "--index", str(index_dir)])
    assert result.exit_code == 0
    assert result.output.startswith('3 results for "tram bts"')
    assert "1. Nghệ An: Tổng kết công tác TT&TT cụm I" in result.output
    assert "[trạm BTS]" in result.output and "\x1b[" not in result.output


def test_query_json_schema(runner, index_dir):
    result = runner.invoke(main, ["query", "Đắk Nông", "--json", "-n", "2", "--index", str(index_dir)])
    data = json.loads(result.output)
    assert data["query"] == "Đắk Nông" and data["total"] >= 1 and len(data["hits"]) <= 2
    hit = data["hits"][0]
    assert hit["id"] == "003_968839511eb7d5a3"
    assert isinstance(hit["score"], float) and hit["title"].startswith("Đắk Nông:")
    for snippet in hit["snippets"]:
        assert all(isinstance(a, int) and a < b <= len(snippet["text"]) for a, b in snippet["spans"])
        assert all(re.fullmatch(r"Đ[ắăa]k Nông", snippet["text"][a:b]) for a, b in snippet["spans"])


def test_query_words_may_be_given_unquoted(runner, index_dir):
    result = runner.invoke(main, ["query", "tram", "bts", "--json", "--index", str(index_dir)])
    assert json.loads(result.output)["query"] == "tram bts"


def test_no_match_exits_1(runner, index_dir):
    result = runner.invoke(main, ["query", "blockchain", "--index", str(index_dir)])
    assert result.exit_code == 1 and "No results" in result.output


def test_empty_query_is_a_usage_error_without_traceback(runner, index_dir):
    result = runner.invoke(main, ["query", "  ...  ", "--index", str(index_dir)])
    assert result.exit_code == 2
    assert "type at least one word" in result.output and "Traceback" not in result.output


def test_missing_index_names_the_command_to_run(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./corpus here to build from
    result = runner.invoke(main, ["query", "trạm", "--index", str(tmp_path / "nothing")])
    assert result.exit_code == 3 and "searchkit index" in result.output


def test_first_query_builds_the_index_from_corpus(runner, tmp_path, monkeypatch):
    (tmp_path / "corpus").symlink_to(CORPUS)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["query", "trạm BTS", "--json"])
    assert result.exit_code == 0
    assert "building it from corpus/" in result.stderr
    assert json.loads(result.stdout)["total"] == 3


def test_index_json_report_lists_skipped_files(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tốt.txt").write_text("Chữ ký số\n\nTriển khai chữ ký số cho cán bộ.", encoding="utf-8")
    (corpus / "hỏng.txt").write_bytes(b"\x00\x00binary")
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix"), "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["added"] == 1 and report["total"] == 1
    assert [s["path"].endswith("hỏng.txt") for s in report["skipped"]] == [True]


def test_stats(runner, index_dir):
    result = runner.invoke(main, ["stats", "--json", "--index", str(index_dir)])
    assert json.loads(result.output)["articles"] == 5


def commands():
    return sorted(main.commands)


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_with_an_example_and_is_in_the_readme(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    assert f"searchkit {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_main_help_documents_exit_codes(runner):
    result = runner.invoke(main, ["--help"])
    assert "Exit codes" in result.output and "130" in result.output


def test_add_indexes_only_the_given_file_and_keeps_the_rest(runner, index_dir, tmp_path):
    new = tmp_path / "moi.txt"
    new.write_text("Mạng 5G ở Đắk Nông\n\nViettel thử nghiệm mạng 5G tại tỉnh Đắk Nông.", encoding="utf-8")
    result = runner.invoke(main, ["add", str(new), "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["added"], report["removed"], report["unchanged"], report["total"]) == (1, 0, 0, 6)
    found = json.loads(runner.invoke(main, ["query", "mang 5g", "--json", "--index", str(index_dir)]).stdout)
    assert found["hits"][0]["id"] == "moi"


def test_add_a_missing_file_is_a_usage_error(runner, index_dir, tmp_path):
    result = runner.invoke(main, ["add", str(tmp_path / "khong-co.txt"), "--index", str(index_dir)])
    assert result.exit_code == 2 and "no such file" in result.output
