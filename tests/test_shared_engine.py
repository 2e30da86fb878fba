"""One SearchEngine shared by threads (as a web server shares it), paging with `offset`,
and fetching one article by id."""

from __future__ import annotations

import threading

import pytest

from searchkit import QueryError, SearchEngine
from searchkit.engine import MAX_OFFSET
from tests.conftest import write_jsonl_corpus

QUERIES = [
    "trạm BTS", "tram bts", "Thông tin và Truyền thông", "chữ ký số", "Đắk Nông", "hoa binh",
    "Nghệ An", "truyeenf thoong", "CNTT", '"bưu chính" -Vinh',
]
THREADS, ROUNDS = 6, 15


def answers(engine: SearchEngine, queries: list[str]) -> list[tuple]:
    """Everything a search returns that could be corrupted: ids, scores, snippets, totals."""
    return [
        (results.total, results.suggestion,
         tuple((hit.id, round(hit.score, 6), hit.title, tuple(s.text for s in hit.snippets)) for hit in results.hits))
        for results in (engine.search(query, limit=10) for query in queries)
    ]


@pytest.fixture(scope="module")
def news_index(tmp_path_factory):
    """120 articles written from the sample corpus' paragraphs: several segments' worth of text."""
    root = tmp_path_factory.mktemp("shared")
    write_jsonl_corpus(root / "news.jsonl", 120)
    SearchEngine(root / "index").index([root / "news.jsonl"], batch_size=40)
    return root / "index"


def test_threads_sharing_one_engine_get_exactly_the_sequential_results(news_index):
    """Regression: Whoosh readers share zlib and file state; before the engine's lock,
    6 threads on one engine gave `zlib.error: Error -5 while decompressing data` and
    different top-10 lists in every run."""
    expected = answers(SearchEngine(news_index), QUERIES)
    shared = SearchEngine(news_index)
    errors: list[str] = []
    mismatches: list[tuple[int, int]] = []
    start = threading.Barrier(THREADS)

    def client(k: int) -> None:
        start.wait()
        for i in range(ROUNDS):
            turn = (k + i) % len(QUERIES)  # every thread asks in a different order
            try:
                got = answers(shared, QUERIES[turn:] + QUERIES[:turn])
            except Exception as error:  # noqa: BLE001 - any failure is what we look for
                errors.append(repr(error))
                continue
            if got != expected[turn:] + expected[:turn]:
                mismatches.append((k, i))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [] and mismatches == []


def test_threads_searching_while_the_engine_is_closed_keep_working(news_index):
    shared = SearchEngine(news_index)
    expected = answers(shared, QUERIES[:3])
    errors: list[str] = []

    def client() -> None:
        for _ in range(10):
            try:
                assert answers(shared, QUERIES[:3]) == expected
            except Exception as error:  # noqa: BLE001
                errors.append(repr(error))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(20):
        shared.close()  # what a new generation does to the open searcher
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_put_together_are_the_first_results(sample_engine, sort):
    whole = [hit.id for hit in sample_engine.search("thông tin", limit=5, sort=sort).hits]
    pages = [sample_engine.search("thông tin", limit=2, offset=offset, sort=sort) for offset in (0, 2, 4)]
    assert len(whole) == 5
    assert [hit.id for page in pages for hit in page.hits] == whole
    assert {page.total for page in pages} == {5}


def test_an_offset_past_the_last_match_gives_no_hits_but_the_total(sample_engine):
    results = sample_engine.search("trạm BTS", offset=3)
    assert (results.hits, results.total) == ((), 3)


@pytest.mark.parametrize("offset", [-1, MAX_OFFSET + 1, "5", 2.0, None, True])
def test_a_bad_offset_is_a_query_error_saying_what_is_allowed(sample_engine, offset):
    with pytest.raises(QueryError, match="offset must be a whole number from 0 to 10,000"):
        sample_engine.search("trạm BTS", offset=offset)


def test_the_deepest_offset_is_allowed(sample_engine):
    assert sample_engine.search("trạm BTS", offset=MAX_OFFSET).hits == ()


def test_an_article_comes_back_whole_by_its_id(sample_engine):
    article = sample_engine.article("003_968839511eb7d5a3")
    assert article["title"].startswith("Đắk Nông:")
    assert article["province"] == "Đắk Nông"
    assert "trạm BTS" in article["body"] and len(article["body"]) > 1000
    assert set(article) >= {"id", "title", "body", "date", "source", "category", "url", "author", "province"}


@pytest.mark.parametrize("unknown", ["", "000_8ea709576470be6", "../corpus/000_8ea709576470be64", "/etc/passwd", "*", None])
def test_an_unknown_id_is_none_and_never_a_path(sample_engine, unknown):
    assert sample_engine.article(unknown) is None


def test_after_another_process_commits_a_search_waits_for_its_did_you_mean_statistic(tmp_path, corpus_copy, monkeypatch):
    """Regression (bench/serve.py): right after `searchkit add` committed, each server process
    built the new generation's did-you-mean statistic itself, a second under the engine's lock,
    while the writer was still writing it: p99 went from 0.3 to 1.4 s under a writer."""
    import searchkit.backends.local

    serving = SearchEngine(tmp_path / "index")
    serving.index([corpus_copy])
    assert serving.search("truyen thongg").suggestion == "truyền thông"
    write_jsonl_corpus(tmp_path / "more.jsonl", 3)
    SearchEngine(tmp_path / "index").index([tmp_path / "more.jsonl"], remove_missing=False)
    for cached in (tmp_path / "index").glob("suggest-*.arrays"):
        cached.unlink()  # as if the writer had not written it yet

    assert serving.search("truyen thongg").suggestion == "truyền thông"  # the old statistic
    assert [hit.id for hit in serving.search('"Bài số 2"').hits][:1] == ["bai-00002"]  # the new generation
    assert list((tmp_path / "index").glob("suggest-*.arrays")) == []  # nothing built meanwhile

    monkeypatch.setattr(searchkit.backends.local, "SPELLINGS_GRACE_SECONDS", 0.0)  # the writer never wrote it
    assert serving.search("truyen thongg").suggestion == "truyền thông"
    assert len(list((tmp_path / "index").glob("suggest-*.arrays"))) == 1  # built, as before
