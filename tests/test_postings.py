"""The segment postings files (.skp) agree with Whoosh's own posting blocks.

A segment without its .skp file (one Whoosh merged, say) still answers from the folded
fields Whoosh keeps, so matching and unaccented ranking are the same either way.
"""

import shutil

import pytest

from searchkit import SearchEngine
from searchkit.postings import SUFFIX
from tests.conftest import write_jsonl_corpus

QUERIES = ["trạm BTS", "tram bts", '"Thông tin và Truyền thông"', "Đắk Nông -hội", "CNTT", "bưu chính OR viễn thông"]
UNACCENTED = ["tram bts", '"thong tin va truyen thong"', "dak nong -hoi", "buu chinh OR vien thong"]


@pytest.fixture(scope="module")
def two_indexes(tmp_path_factory):
    """The same 300 articles in 3 segments, once with .skp files and once without."""
    root = tmp_path_factory.mktemp("skp")
    corpus = root / "news.jsonl"
    write_jsonl_corpus(corpus, 300)
    with_files = SearchEngine(root / "with")
    with_files.index([corpus], batch_size=100, workers=1)
    shutil.copytree(root / "with", root / "without")
    for path in (root / "without").glob("*" + SUFFIX):
        path.unlink()
    return with_files, SearchEngine(root / "without")


def test_every_segment_gets_a_postings_file(two_indexes):
    with_files, without = two_indexes
    assert len(list(with_files.path.glob("*" + SUFFIX))) == 3
    assert not list(without.path.glob("*" + SUFFIX))


@pytest.mark.parametrize("query", QUERIES)
def test_postings_files_and_whoosh_blocks_match_alike(two_indexes, query):
    with_files, without = two_indexes
    assert with_files.search(query, limit=20).total == without.search(query, limit=20).total > 0


@pytest.mark.parametrize("query", UNACCENTED)
def test_postings_files_and_whoosh_blocks_rank_unaccented_queries_alike(two_indexes, query):
    with_files, without = two_indexes
    a, b = with_files.search(query, limit=20), without.search(query, limit=20)
    # lengths are exact in .skp and one byte wide in Whoosh's column: near-ties may swap
    assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], rel=0.02)
    assert a.hits[0].id == b.hits[0].id


def test_did_you_mean_statistics_come_from_the_postings_files(two_indexes):
    from searchkit.store import open_index
    from searchkit.suggest import build_spellings

    with_files, without = two_indexes
    with open_index(with_files.path).reader() as a, open_index(without.path).reader() as b:
        fast, slow = build_spellings(a), build_spellings(b)
    assert fast.folded == slow.folded  # folded counts: from either source
    assert fast.best("tram") == "trạm" and slow.best("tram") == "tram"  # accents: .skp only
