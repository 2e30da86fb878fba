"""Indexing progress: articles done (analysed and written), counted within a batch, never going
back, reaching the total, with an ETA once articles are done."""

from __future__ import annotations

import re

import pytest

from searchkit import SearchEngine
from searchkit.render import progress_line
from tests.conftest import write_jsonl_corpus

ETA = re.compile(r" · ETA \d+:\d\d$")


def test_progress_moves_within_a_batch_and_reaches_the_total(tmp_path):
    """One batch of 300 articles: progress counts them one by one as they are written, not
    300 at once when the batch is committed."""
    corpus = tmp_path / "tin.jsonl"
    write_jsonl_corpus(corpus, 300)
    seen: list[int] = []
    report = SearchEngine(tmp_path / "index").index([corpus], batch_size=300, workers=1, progress=seen.append)
    assert report.added == 300
    assert seen == sorted(seen) and seen[-1] == 300
    assert {n for n in seen if n} == set(range(1, 301))  # every article counted as it is done


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_workers_report_what_they_have_done_and_the_count_never_goes_back(tmp_path, monkeypatch, start_method):
    monkeypatch.setenv("SEARCHKIT_START_METHOD", start_method)
    corpus = tmp_path / "tin.jsonl"
    write_jsonl_corpus(corpus, 500)
    seen: list[int] = []
    engine = SearchEngine(tmp_path / "index")
    report = engine.index([corpus], batch_size=100, workers=2, progress=seen.append)
    assert report.added == 500 and seen[-1] == 500
    assert all(a <= b for a, b in zip(seen, seen[1:])), seen  # called from two threads, still monotonic
    again: list[int] = []  # a re-sync: every article unchanged, counted as read
    report = engine.index([corpus], workers=2, progress=again.append)
    assert report.unchanged == 500 and again == sorted(again) and again[-1] == 500


def test_a_skipped_line_counts_as_done(tmp_path):
    corpus = tmp_path / "tin.jsonl"
    write_jsonl_corpus(corpus, 40)
    with corpus.open("a", encoding="utf-8") as stream:
        stream.write('{"id": "hong", "body": \n')  # not JSON: skipped as it is read
    seen: list[int] = []
    report = SearchEngine(tmp_path / "index").index([corpus], workers=1, progress=seen.append)
    assert (report.added, len(report.skipped)) == (40, 1)
    assert seen == sorted(seen) and seen[-1] == 41


@pytest.mark.parametrize("done, total, seconds, expected", [
    (0, 16183, 5.0, "0/16183 articles done · 0/s · ETA …"),  # nothing done: no rate to go by
    (2000, 16183, 16.0, "2000/16183 articles done · 125/s · ETA 1:53"),  # the first batch done: an ETA
    (16183, 16183, 120.0, "16183/16183 articles done · 135/s · ETA 0:00"),
    (40, None, 2.0, "40/? articles done · 20/s · ETA …"),  # no estimate of the total
])
def test_the_progress_line_gives_an_eta_once_articles_are_done(done, total, seconds, expected):
    line = progress_line(done, total, seconds)
    assert line == expected
    assert bool(ETA.search(line)) == (done > 0 and total is not None)
