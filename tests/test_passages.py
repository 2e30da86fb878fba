"""A hit's passages: each a different part of the article, none repeating another's text."""

import pytest

from searchkit.searching.highlight import make_snippets
from tests.conftest import CORPUS

ELLIPSIS = "…"
WIDTH = 220  # make_snippets' default


def places(body: str, passages) -> list[tuple[int, int]]:
    """Where each passage's text first stands in the article: a passage repeating another
    (the same paragraph twice, or the end of the one before it) lands on that one."""
    found = []
    for passage in passages:
        text = passage.text.strip(ELLIPSIS)
        at = body.find(text)
        assert at >= 0, text
        found.append((at, at + len(text)))
    return found


@pytest.mark.parametrize("query", ["tỉnh uỷ", "đồng chí", "hệ thống", "triển khai", "các", "Sở Thông tin"])
def test_no_passage_shows_text_another_passage_of_the_hit_shows(sample_engine, query):
    # the Hòa Bình article repeats its lead paragraph; the An Giang one names "triển khai"
    # and "hệ thống" sentence after sentence, so that windows around them reach into each other
    results = sample_engine.search(query, limit=10)
    assert results.hits
    for hit in results.hits:
        body = sample_engine.article(hit.id)["body"]
        spans = sorted(places(body, hit.snippets))
        assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:])), \
            (hit.id, [s.text for s in hit.snippets])


def test_a_lead_repeated_as_the_first_paragraph_is_one_passage(sample_engine):
    (hit,) = [h for h in sample_engine.search("Hoàng Việt Cường tỉnh uỷ", limit=10).hits if h.id.startswith("002_")]
    body = sample_engine.article(hit.id)["body"]
    lead = "Ngày 11/6, đồng chí Hoàng Việt Cường"
    assert body.count(lead) == 2  # the article as published
    assert sum(s.text.strip(ELLIPSIS).count(lead) for s in hit.snippets) == 1
    assert len(hit.snippets) >= 2  # the other passages are other sentences


@pytest.mark.parametrize("article, words", [
    ("002_8621a67b8f0e4508.txt", {"tt"}), ("004_18419e47d282bcbb.txt", {"con"}), ("004_18419e47d282bcbb.txt", {"dao"}),
])
def test_a_passage_cut_short_by_its_neighbour_is_left_out_not_shown_as_a_fragment(article, words):
    text = (CORPUS / article).read_text(encoding="utf-8")
    passages = make_snippets(text, words, count=3)
    paragraphs = [line.strip() for line in text.splitlines()]
    for passage in passages:
        inner = passage.text.strip(ELLIPSIS).strip()
        assert len(inner) >= WIDTH // 3 or inner in paragraphs, passage.text  # short only as a whole paragraph
