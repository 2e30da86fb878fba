"""Filters, facets and date sorts read the index's metadata as numpy tables, each segment's read
once, a block of postings at a time (`backends.keyed_tables`, `adapter.term_documents`).

On an index of Vietnamese news with dates, sources, categories, provinces, tags and the
provinces each article names, in several segments, after updates and deletions: every filter
keeps exactly the articles whose metadata says so, facets count the live matches, and a
commit reads the tables of the segment it added only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchkit import SearchEngine
from searchkit.backends import keyed_tables
from searchkit.errors import FilterError
from searchkit.indexing.adapter import segment_leaves, term_documents
from searchkit.indexing.corpus import iter_articles, parse_record
from searchkit.text.keys import folded_key
from searchkit.text.places import load_gazetteer

from .conftest import CORPUS

SOURCES = ["Mic.gov.vn", "Mic.gov.vn", "Mic.gov.vn", "Mic.gov.vn", "Báo Bưu điện Việt Nam", "VNPT"]
CATEGORIES = ["Viễn thông", "Công nghệ thông tin", "Chính phủ điện tử", "Báo chí - Xuất bản"]
PROVINCES = ["Đắk Nông", "Hà Nội", "Hòa Bình", "TP HCM", "Nghệ An", None]
TAGS = [["5G", "Viettel"], ["chữ ký số"], [], ["Viettel"], ["trạm BTS", "5G"], ["VNPT"]]
#: Every body holds it: a search for it finds every article the filters let through.
EVERY = "Bản tin ngành thông tin và truyền thông"
#: Whoosh's postings come in blocks of this many: a term in more articles of one segment is
#: read over several blocks.
BLOCK = 128


def records(count: int, start: int = 0, edited: frozenset[int] = frozenset()) -> list[dict]:
    """Articles `start` .. `start + count - 1`: the sample corpus's paragraphs, with a date
    (undated one in seven), a source, a category, a province and tags spread over them; those
    `edited` moved to another category, another year and another province."""
    seeds = list(iter_articles([CORPUS]))
    paragraphs = [p for article in seeds for p in article.body.split("\n") if len(p) > 80]
    found = []
    for i in range(start, start + count):
        shift = 1 if i in edited else 0
        record = {"id": f"tin-{i:04d}", "title": f"{seeds[i % len(seeds)].title} (số {i})",
                  "body": f"{EVERY} số {i}. " + "\n".join(paragraphs[(i + k) % len(paragraphs)] for k in range(2)),
                  "source": SOURCES[i % len(SOURCES)], "category": CATEGORIES[(i + shift) % len(CATEGORIES)],
                  "tags": TAGS[i % len(TAGS)]}
        if i % 7:
            record["date"] = f"{2009 + (i + 3 * shift) % 13}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        province = PROVINCES[(i + shift) % len(PROVINCES)]
        if province:
            record["province"] = province
        found.append(record)
    return found


def write(path: Path, found: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in found), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """(engine, the articles it holds as parsed): 300 articles in one segment, then a sync that
    removes five, edits the metadata of four and adds twenty (a second segment)."""
    root = tmp_path_factory.mktemp("keyed")
    corpus = write(root / "tin.jsonl", records(300))
    engine = SearchEngine(root / "index")
    engine.index([corpus], batch_size=300, workers=1)
    edited = frozenset({3, 40, 250, 299})
    final = [r for r in records(300, edited=edited) if int(r["id"][4:]) not in {0, 7, 150, 201, 298}]
    write(corpus, final + records(20, start=300))
    report = engine.index([corpus], batch_size=300, workers=1)
    assert (report.added, report.updated, report.removed) == (20, 4, 5)
    segments = engine.backend.reading(lambda view: [leaf.has_deletions() for leaf, _ in
                                                    segment_leaves(view.searcher.reader())])
    assert len(segments) >= 2 and any(segments)  # several segments, deleted articles in them
    return engine, {r["id"]: parse_record(r) for r in final + records(20, start=300)}


def expected(articles: dict, since=None, until=None, province=None, source=None, category=None, tag=(),
             mentions=()) -> set[str]:
    """The ids of the articles whose metadata passes the filters, read from the articles."""
    named = load_gazetteer().resolve  # a province typed any way: 'dak nong', 'Hoà Bình'

    def passes(a) -> bool:
        return ((not (since or until) or (a.date is not None and (since or "") <= a.date <= (until or "9999")))
                and (not province or a.province == named(province))
                and (not source or folded_key(a.source or "") == folded_key(source))
                and (not category or folded_key(a.category or "") == folded_key(category))
                and all(folded_key(t) in {folded_key(held) for held in a.tags} for t in tag)
                and all(named(m) in a.mentions for m in mentions))
    return {a.id for a in articles.values() if passes(a)}


FILTERS = [
    dict(since="2012-01-01"), dict(until="2010-12-31"), dict(since="2013-03-01", until="2016-06-30"),
    dict(province="Đắk Nông"), dict(province="Hòa Bình", since="2015-01-01"), dict(source="VNPT"),
    dict(source="Mic.gov.vn", category="Viễn thông"), dict(category="Chính phủ điện tử", until="2014-12-31"),
    dict(tag=("Viettel",)), dict(tag=("5G", "Viettel")), dict(tag=("5G",), province="Đắk Nông"),
    dict(mentions=("Nghệ An",)), dict(since="2021-01-13", until="2021-01-13"), dict(since="2030-01-01"),
    # typed as people type them: no accents, the old tone placement, another case
    dict(province="dak nong"), dict(province="Hoà Bình"), dict(mentions=("nghe an",)), dict(tag=("VIETTEL", "5g")),
    dict(source="mic.gov.vn", category="vien thong"),
]


@pytest.mark.parametrize("chosen", FILTERS, ids=lambda chosen: ",".join(f"{k}={v}" for k, v in chosen.items()))
def test_a_filter_keeps_exactly_the_articles_whose_metadata_says_so(index, chosen):
    """Every filter, alone or with others, over segments with deleted and replaced articles:
    the search for a sentence every article holds finds the articles passing it, no other."""
    engine, articles = index
    wanted = expected(articles, **chosen)
    found = engine.search(EVERY, limit=1000, snippets=0, **{k: list(v) if isinstance(v, tuple) else v
                                                            for k, v in chosen.items()})
    assert {hit.id for hit in found.hits} == wanted and found.total == len(wanted)
    assert wanted or chosen == dict(since="2030-01-01")  # the filters find something but the last


def test_facets_count_the_live_matches_of_every_segment(index):
    """Facets after the sync: the replaced articles counted under their new category and year,
    the removed ones nowhere."""
    engine, articles = index
    facets = engine.search(EVERY, limit=5, facets=True).facets
    years: dict[str, int] = {}
    categories: dict[str, int] = {}
    for article in articles.values():
        if article.date:
            years[article.date[:4]] = years.get(article.date[:4], 0) + 1
        categories[article.category] = categories.get(article.category, 0) + 1
    assert facets["year"] == dict(sorted(years.items(), reverse=True))
    assert facets["category"] == dict(sorted(categories.items(), key=lambda item: (-item[1], folded_key(item[0]))))
    tags = {tag for tagged in TAGS for tag in tagged}
    assert facets["tag"] == {tag: len(expected(articles, tag=(tag,))) for tag in sorted(
        tags, key=lambda tag: (-len(expected(articles, tag=(tag,))), folded_key(tag), tag))}


def test_a_date_sort_puts_the_newest_first_and_the_undated_last(index):
    engine, articles = index
    found = engine.search(EVERY, limit=1000, snippets=0, sort="date")
    dates = [hit.date for hit in found.hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[len(dated):] == [None] * (len(dates) - len(dated))
    assert dates[0] == max(a.date for a in articles.values() if a.date)


def test_a_segments_terms_read_a_block_at_a_time_are_whooshs_postings(index):
    """Every term of every field the tables read, in every segment, with the doc numbers
    Whoosh's matcher hands out one by one, over several blocks where a term holds more, and
    its deleted articles too (which Whoosh leaves out)."""
    engine, _ = index
    fields = ["date", "province", "province_key", "source_key", "category_key", "tag_key", "tag_spelled",
              "mentions_key", "mentions_spelled"]
    blocks = deleted = 0

    def check(view):
        nonlocal blocks, deleted
        for leaf, _ in segment_leaves(view.searcher.reader()):
            for field in fields:
                found = term_documents(leaf, field)
                live = [(term, list(leaf.postings(field, term).all_ids())) for term in leaf.field_terms(field)]
                assert [(term, [doc for doc in docs.tolist() if not leaf.is_deleted(doc)]) for term, docs in found] == live
                deleted += sum(leaf.is_deleted(doc) for _, docs in found for doc in docs.tolist())
                blocks += sum(len(docs) > BLOCK for _, docs in found)
    engine.backend.reading(check)
    assert blocks and deleted  # a term over several blocks (`Mic.gov.vn` of 300), deleted articles read too


def test_a_commit_reads_the_tables_of_the_segment_it_added_only(tmp_path, monkeypatch):
    """After filtered, faceted and date-sorted searches, a commit of three new articles: the
    next such searches read the new segment's terms only, and find the newest; a commit that
    only removes that one reads none, and it is gone from filters and facets, its source from
    the known ones (its segment holds the other two still)."""
    corpus = write(tmp_path / "tin.jsonl", records(60))
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus], batch_size=30, workers=1)
    own = "Sở TT&TT Đắk Nông"  # the new article's source, no other article's
    searches = [dict(since="2012-01-01", facets=True), dict(province="Đắk Nông", sort="date"), dict(source=own)]
    for chosen in searches[:2]:
        engine.search(EVERY, **chosen)
    read: list = []
    real = keyed_tables.term_documents
    monkeypatch.setattr(keyed_tables, "term_documents", lambda leaf, field: read.append(leaf) or real(leaf, field))

    newest = {**records(1, start=60)[0], "date": "2026-12-07", "province": "Đắk Nông", "source": own}
    write(corpus, records(60) + [newest] + records(2, start=61))  # one new segment of three
    engine.index([corpus], batch_size=30, workers=1)
    found = [engine.search(EVERY, limit=100, snippets=0, **chosen) for chosen in searches]
    assert read and len({leaf._segment.segment_id() for leaf in read}) == 1  # the new segment's
    assert all(newest["id"] in {hit.id for hit in page.hits} for page in found)
    assert found[1].hits[0].id == newest["id"] and found[0].facets["year"]["2026"] == 1
    assert [hit.id for hit in found[2].hits] == [newest["id"]]

    read.clear()
    write(corpus, records(60) + records(2, start=61))  # its segment stays, the article deleted in it
    engine.index([corpus], batch_size=30, workers=1)
    again = [engine.search(EVERY, limit=100, snippets=0, **chosen) for chosen in searches[:2]]
    assert not read
    assert all(newest["id"] not in {hit.id for hit in page.hits} for page in again)
    assert "2026" not in again[0].facets["year"]
    with pytest.raises(FilterError) as raised:  # its source is no live article's any more
        engine.search(EVERY, source=own)
    assert raised.value.field == "source"


def test_an_index_without_dates_filters_and_sorts_by_date_to_nothing_and_the_undated(tmp_path):
    """No article dated, in two segments: a date filter keeps none, a date sort keeps every
    match (undated, in the order of relevance), the year facet is empty."""
    undated = [{**{k: v for k, v in r.items() if k != "date"}, "body": r["body"].replace(". ", ".\n", 1)}
               for r in records(60)]  # no date field, and a first line (the lead, read for a date) without one
    corpus = write(tmp_path / "tin.jsonl", undated)
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus], batch_size=30, workers=1)
    every = engine.search(EVERY, limit=100, snippets=0, facets=True)
    assert every.total == 60 and every.facets["year"] == {}  # none dated, not even by its lead
    assert engine.search(EVERY, since="2010").total == 0
    by_date = engine.search(EVERY, limit=100, snippets=0, sort="date", facets=True)
    assert [h.id for h in by_date.hits] == [h.id for h in every.hits] and by_date.facets["year"] == {}
