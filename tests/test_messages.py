"""The message catalogue: every message in both languages with the same data, every error kind
raised in searchkit/ worded, the language chosen as documented; errors as data; the web's wording."""

from __future__ import annotations

import json
import pickle
import re
import string

import pytest

from searchkit import FilterError, IndexNotFoundError, QueryError, SearchEngine
from searchkit.backends import BackendError, BackendUnavailableError
from searchkit.messages import CATALOGUE, LANGUAGES, error_message, language, say
from searchkit.web.errors import api_error, web_error
from tests.conftest import ROOT

ERROR_PREFIXES = ("query.", "page.", "param.", "filter.", "index.", "storage.", "abbreviations.", "corpus.",
                  "backend.", "server.", "platform.")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_fields(key):
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES) and all(entry[lang].strip() for lang in LANGUAGES)
    assert fields(entry["vi"]) == fields(entry["en"]), key


def test_error_messages_name_no_command_line_flag():
    """The library's words name parameters (`since`); the CLI makes them flags (`--since`)."""
    flagged = {key: text for key, entry in CATALOGUE.items() if key.startswith(ERROR_PREFIXES)
               for text in entry.values() if re.search(r"--[a-z]", text)}
    assert flagged == {}


def test_every_error_kind_raised_in_searchkit_is_in_the_catalogue():
    pattern = re.compile(r'"((?:%s)[a-z_]+)"' % "|".join(re.escape(p) for p in ERROR_PREFIXES))
    raised = {kind for path in (ROOT / "searchkit").rglob("*.py") if path.name != "messages.py"
              for kind in pattern.findall(path.read_text(encoding="utf-8"))
              if not kind.endswith((".tsv", ".txt", ".json", ".jsonl"))}  # file names, not kinds
    assert len(raised) > 30 and raised - set(CATALOGUE) == set()


def test_say_fills_lists_numbers_and_falls_back():
    assert say("filter.unknown_value_close", "vi", field="--source", name="nguồn", value="vnexpres",
               close=["VnExpress", "VnEconomy"]) == \
        "--source: không bài nào có nguồn 'vnexpres'; có phải ý bạn là 'VnExpress' hoặc 'VnEconomy'?"
    assert say("query.too_long", "en", length=10_000, limit=4_000).startswith("the query is 10,000 characters")
    assert say("cli.no_results", "fr", query="trạm") == say("cli.no_results", "vi", query="trạm")
    assert say("không.có") == "không.có"
    assert say("abbreviations.not_a_file", "vi", value="a.tsv", what="folder", what_vi="thư mục").startswith(
        "Tệp viết tắt a.tsv là thư mục,")  # data worded per language
    assert say("cli.no_results", "en") == 'No results for "…".'  # missing data leaves a mark, never raises


@pytest.mark.parametrize("explicit, env, expected", [
    ("en", {"SEARCHKIT_LANG": "vi", "LANG": "vi_VN.UTF-8"}, "en"),
    (None, {"SEARCHKIT_LANG": "vi", "LANG": "C.UTF-8"}, "vi"),
    (None, {"SEARCHKIT_LANG": "klingon", "LANG": "vi_VN.UTF-8"}, "vi"),
    (None, {"LANG": "vi_VN.UTF-8"}, "vi"),
    (None, {"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),
    (None, {"LC_ALL": "vi_VN", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {}, "en"),
])
def test_the_language_is_explicit_then_searchkit_lang_then_the_locale(monkeypatch, explicit, env, expected):
    for name in ("SEARCHKIT_LANG", "LC_ALL", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert language(explicit) == expected


# --- errors are data ----------------------------------------------------------------------

def test_a_library_error_carries_kind_field_value_and_hint(sample_engine):
    with pytest.raises(FilterError) as raised:
        sample_engine.search("trạm BTS", source="vnexpres")
    error = raised.value
    assert (error.kind, error.field, error.value) == ("filter.unknown_value", "source", "vnexpres")
    assert error.hint == {"name": "source", "known": ["Mic.gov.vn"]} and error.exit_code == 2
    assert str(error) == "source: no article has source 'vnexpres'; known ones: 'Mic.gov.vn'"
    assert error_message(error, "vi", {"source": "--source"}) == \
        "--source: không bài nào có nguồn 'vnexpres'; các giá trị có: 'Mic.gov.vn'"


def test_an_error_survives_pickling_with_its_data():
    error = QueryError(kind="query.word_too_long", field="query", value="a" * 41,
                       hint={"word": "aaaaaaaaaaaa", "letters": 100, "limit": 64})
    again = pickle.loads(pickle.dumps(error))
    assert (again.kind, again.field, again.value, again.hint, str(again)) == \
        (error.kind, error.field, error.value, error.hint, str(error))
    assert "is 100 letters long" in str(again)


def test_an_error_raised_with_a_message_only_keeps_it_in_every_language():
    error = QueryError("một thông báo cũ")
    assert error.kind == "error" and error_message(error, "vi") == error_message(error, "en") == "một thông báo cũ"


def test_to_dict_is_json_even_for_values_that_are_not():
    from searchkit.searching.plan import plan_query

    with pytest.raises(QueryError) as raised:
        plan_query(b"tram")
    data = json.loads(json.dumps(raised.value.to_dict()))
    assert data["kind"] == "query.not_text" and data["value"] == "b'tram'" and data["hint"] == {"type": "bytes"}


# --- the web words errors itself ----------------------------------------------------------

def test_the_web_words_a_bad_date_in_vietnamese_with_its_own_label(sample_engine):
    with pytest.raises(FilterError) as raised:
        sample_engine.search("trạm", since="hôm qua")
    status, message = web_error(raised.value, "vi")
    assert status == 400 and message.startswith("“Từ ngày”: 'hôm qua' không phải ngày")
    assert "--since" not in message
    assert web_error(raised.value, "en")[1].startswith("“From”: 'hôm qua' is not a date")


def test_the_web_words_a_missing_index_as_unavailable(tmp_path):
    with pytest.raises(IndexNotFoundError) as raised:
        SearchEngine(tmp_path / "khong-co").search("trạm")
    status, message = web_error(raised.value, "vi")
    assert status == 503 and message.startswith("Chưa có chỉ mục ở ")
    body = api_error(raised.value)["error"]
    assert (body["status"], body["type"], body["kind"], body["field"]) == (503, "IndexNotFoundError",
                                                                           "index.not_found", "index")
    assert body["message"].startswith("no index at ")


@pytest.mark.parametrize("error, status", [
    (BackendUnavailableError(kind="backend.search_failed", field="backend", value="typesense://h:1/c",
                             hint={"problem": "no leader"}), 503),
    (BackendError(kind="backend.no_optimize", field="backend", value="typesense://h:1/c"), 500),
    (QueryError(kind="query.no_words", field="query", value=""), 400),
])
def test_http_status_of_each_kind_of_error(error, status):
    assert web_error(error, "vi")[0] == status
