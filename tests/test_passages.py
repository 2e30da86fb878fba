"""A hit's passages: each a different part of the article, none repeating another's text."""

import json

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


UNTITLED_BODY = ("Sở Thông tin và Truyền thông Đắk Nông vừa khánh thành thêm 12 trạm BTS ở các xã vùng sâu.\n"
                 "Theo Sở, trước đó nhiều thôn của huyện Tuy Đức chưa có sóng di động; các trạm BTS mới phủ sóng "
                 "cho gần 3.000 hộ dân và các đồn biên phòng dọc tuyến biên giới với Campuchia.\n"
                 "Năm tới, tỉnh sẽ kêu gọi doanh nghiệp viễn thông đầu tư thêm 20 trạm BTS nữa để xóa các vùng "
                 "lõm sóng còn lại, nhất là ở những xã có đông đồng bào dân tộc thiểu số sinh sống.")


def untitled_engine(tmp_path, body: str):
    from searchkit import SearchEngine

    records = tmp_path / "untitled.jsonl"
    records.write_text(json.dumps({"id": "khong-tieu-de", "title": "", "body": body}, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    engine = SearchEngine(tmp_path / "index")
    assert engine.index([records]).added == 1
    return engine


@pytest.mark.parametrize("snippets", [1, 3])
@pytest.mark.parametrize("body", [UNTITLED_BODY, UNTITLED_BODY.replace("vùng sâu.\nTheo Sở,", "vùng sâu. Theo Sở,")])
def test_an_untitled_articles_first_sentence_is_its_title_and_no_passage_again(tmp_path, snippets, body):
    # the heading a paragraph of its own, or the first sentence of a longer one
    (hit,) = untitled_engine(tmp_path, body).search("trạm BTS Đắk Nông", snippets=snippets).hits
    first = UNTITLED_BODY.split("\n")[0]
    assert hit.title == first and hit.title_spans  # its heading, marked
    assert 1 <= len(hit.snippets) <= snippets
    for passage in hit.snippets:
        assert first not in passage.text and "12 trạm BTS" not in passage.text, passage.text
        assert [passage.text[a:b] for a, b in passage.spans] and passage.text.strip(ELLIPSIS) in body


def test_an_untitled_article_matching_in_its_heading_only_shows_the_text_after_it(tmp_path):
    (hit,) = untitled_engine(tmp_path, UNTITLED_BODY).search("khánh thành", snippets=3).hits
    (passage,) = hit.snippets  # a hit always shows text: what follows its heading
    assert passage.text.startswith("Theo Sở, trước đó nhiều thôn") and not passage.spans
    assert [hit.title[a:b] for a, b in hit.title_spans] == ["khánh thành"]


def test_the_opening_passage_of_an_untitled_article_begins_after_its_heading():
    from searchkit.models import heading, heading_end
    from searchkit.searching.highlight import lead_snippet

    shown = heading_end("", UNTITLED_BODY)
    assert UNTITLED_BODY[:shown] == heading("", UNTITLED_BODY)
    (passage,) = lead_snippet(UNTITLED_BODY, {"tram", "bts"}, shown=shown)
    assert passage.text.startswith("Theo Sở") and [passage.text[a:b] for a, b in passage.spans] == ["trạm BTS"]


def test_an_untitled_article_of_one_sentence_shows_it_once_as_its_title(tmp_path):
    sentence = "Viettel vừa phát sóng thử nghiệm 5G tại Hà Nội."
    (hit,) = untitled_engine(tmp_path, sentence).search("5G Hà Nội").hits
    assert hit.title == sentence and [hit.title[a:b] for a, b in hit.title_spans] == ["5G", "Hà Nội"]
    assert hit.snippets == ()  # nothing after the heading to show, and it is not shown twice
