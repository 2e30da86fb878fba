"""A few thousand fuzzed queries with random filters (bench/fuzz.py's generator) on a small
index: each gives results or a SearchkitError, never another exception. No timings here:
`python bench/fuzz.py` measures the slowest queries on a 3,000-article index."""

from __future__ import annotations

import json

import pytest

from bench.fuzz import QueryFuzzer, run, telex, vni, vocabulary
from searchkit import SearchEngine
from tests.conftest import CORPUS, write_jsonl_corpus

QUERIES = 3000


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    folder = tmp_path_factory.mktemp("fuzz")
    write_jsonl_corpus(folder / "news.jsonl", 150)
    records = [
        {"id": "m1", "title": "Đắk Nông: Chữ ký số", "body": "Sở TT&TT cấp chữ ký số.", "date": "2010-02-03",
         "source": "Mic.gov.vn", "category": "Vi tính", "province": "Đắk Nông"},
        {"id": "m2", "title": "Trạm BTS ở Nghệ An", "body": "Viettel lắp trạm BTS.", "source": "VnExpress",
         "category": "Viễn thông"},
    ]
    (folder / "meta.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                       encoding="utf-8")
    engine = SearchEngine(folder / "index")
    engine.index([CORPUS, folder / "news.jsonl"], remove_missing=False)
    engine.index([folder / "meta.jsonl"], remove_missing=False)  # a second segment, dated and undated
    return engine


def test_keystroke_encoders():
    assert (telex("trạm"), telex("đường"), vni("trạm"), vni("Việt")) == ("tramj", "dduwowngf", "tram5", "Vie6t5")


def test_fuzzed_queries_give_results_or_a_searchkit_error(engine):
    words, sources, categories = vocabulary(engine)
    fuzzer = QueryFuzzer(words, sources=sources, categories=categories, seed=20241130)
    outcome = run(engine, fuzzer, QUERIES)
    shown = "\n".join(f"{kind}: {message} <- {query!r:.120} {options}"
                      for kind, message, query, options in outcome.failures[:10])
    assert outcome.failures == [], f"{len(outcome.failures)} queries raised non-SearchkitErrors:\n{shown}"
    answered = outcome.tried - sum(outcome.errors.values())
    assert outcome.tried == QUERIES and answered > QUERIES // 2  # most queries are searched, not refused
    assert {"QueryError", "FilterError"} <= set(outcome.errors)
