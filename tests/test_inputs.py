"""What a program or a person may hand the library and the command line: pages, bad
arguments, segments with and without dates, queries that begin with '-', stdin, colour."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from searchkit import FilterError, QueryError, SearchEngine
from searchkit.cli import main
from searchkit.indexing.sync import batches as in_batches
from searchkit.models import Article
from tests.conftest import CORPUS, write_jsonl_corpus


@pytest.mark.parametrize("options, message", [
    (dict(limit=0), "limit must be a whole number from 1 to 1,000, not 0"),
    (dict(limit=-1), "not -1"),
    (dict(limit="5"), "not '5'"),
    (dict(limit=None), "not None"),
    (dict(limit=True), "not True"),
    (dict(limit=2.0), "not 2.0"),
    (dict(limit=1001), "not 1001"),
    (dict(offset=-1), "offset must be a whole number from 0 to 10,000, not -1"),
    (dict(offset="10"), "not '10'"),
    (dict(offset=10_001), "not 10001"),
])
def test_bad_page_arguments_are_query_errors(sample_engine, options, message):
    with pytest.raises(QueryError, match=message):
        sample_engine.search("trạm BTS", **options)


@pytest.mark.parametrize("query, options, error, message", [
    (None, {}, QueryError, "the query must be text, not NoneType"),
    (123, {}, QueryError, "the query must be text, not int"),
    (b"tram", {}, QueryError, "not bytes"),
    ("trạm", dict(province=5), FilterError, "province must be text, not int"),
    ("trạm", dict(source=["a"]), FilterError, "source must be text, not list"),
    ("trạm", dict(sort=None), FilterError, "cannot sort by None"),
    ("trạm", dict(sort=["date"]), FilterError, "cannot sort by"),
])
def test_values_of_the_wrong_type_are_searchkit_errors(sample_engine, query, options, error, message):
    with pytest.raises(error, match=message):
        sample_engine.search(query, **options)


def test_offset_pages_through_the_same_ranking(tmp_path):
    corpus = tmp_path / "news.jsonl"
    write_jsonl_corpus(corpus, 30)
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    for sort in ("relevance", "date"):
        every = [hit.id for hit in engine.search("thông tin", limit=30, sort=sort)]
        pages = [hit.id for offset in range(0, 30, 7) for hit in engine.search("thông tin", limit=7, offset=offset, sort=sort)]
        assert pages == every and len(every) == engine.search("thông tin").total
    assert engine.search("thông tin", offset=10_000).hits == ()


def test_date_sort_and_facets_over_a_dated_then_an_undated_segment(tmp_path):
    """Regression: Whoosh's multi-segment column reader skipped the undated segment's missing
    date column and read past the dated one (IndexError)."""
    dated, undated = tmp_path / "dated.jsonl", tmp_path / "undated.jsonl"
    dated.write_text(json.dumps({"id": "d1", "title": "Trạm BTS mới", "date": "2010-02-03", "province": "Nghệ An",
                                 "body": "Lắp đặt trạm BTS tại xã."}, ensure_ascii=False) + "\n", encoding="utf-8")
    undated.write_text("\n".join(json.dumps({"id": f"u{i}", "title": f"Trạm BTS cũ {i}", "body": "Tháo dỡ trạm BTS."},
                                            ensure_ascii=False) for i in range(3)) + "\n", encoding="utf-8")
    engine = SearchEngine(tmp_path / "index")
    engine.index([dated], remove_missing=False)
    engine.index([undated], remove_missing=False)
    hits = engine.search("tram bts", sort="date").hits
    assert [h.id for h in hits][0] == "d1" and [h.date for h in hits] == ["2010-02-03", None, None, None]
    facets = engine.search("tram bts", facets=True).facets
    assert facets["year"] == {"2010": 1} and facets["province"] == {"Nghệ An": 1}


@pytest.mark.parametrize("count, sizes", [
    (5, [5]),  # too few to be worth a second worker
    (150, [150]),
    (250, [125, 125]),  # one batch's worth: both cores work
    (4000, [2000, 2000]),
    (5000, [2000, 2000, 500, 500]),  # the tail is split too
])
def test_a_small_corpus_is_split_between_both_workers(count, sizes):
    articles = [Article(id=str(i), title="Trạm BTS", body="Một trạm BTS mới.") for i in range(count)]
    assert [len(batch) for batch in in_batches(iter(articles), 2000, 2)] == sizes
    assert [a for batch in in_batches(iter(articles), 2000, 2) for a in batch] == articles


def test_batches_go_out_as_read_equal_and_a_multiple_of_the_workers():
    articles = [Article(id=str(i), title="Trạm BTS", body="Một trạm BTS mới.") for i in range(9000)]
    read = []
    batches = in_batches((read.append(a) or a for a in articles), 2000, 2, expected=9000)
    assert len(next(batches)) == 1500 and len(read) == 1500  # out before the next article is read
    assert [len(batch) for batch in batches] == [1500] * 5  # 6 batches: both workers end together
    eight = [len(batch) for batch in in_batches(iter(articles), 2000, 8, expected=9000)]
    assert eight == [1125] * 8  # 8 cores: each gets work as soon as 1,125 articles are read
    sixteen = [len(batch) for batch in in_batches(iter(articles), 2000, 16, expected=9000)]
    assert sixteen == [900] * 10  # 16 cores: no more batches than segments an index keeps unmerged
    short = [len(batch) for batch in in_batches(iter(articles[:8500]), 2000, 16, expected=9000)]
    assert short == [900] * 9 + [400]  # an estimate too high: the last one is not split past them
    too_many = in_batches(iter(articles[:4500]), 2000, 2, expected=9000)  # an estimate that is too high
    assert [len(batch) for batch in too_many] == [1500, 1500, 1500]
    too_few = in_batches(iter(articles[:4500]), 2000, 2, expected=2000)  # too low: the rest is split
    assert [len(batch) for batch in too_few] == [1000] * 4 + [250, 250]


def test_a_first_build_cuts_batches_of_equal_bytes_from_a_corpus_that_ends_in_long_articles(tmp_path):
    """Analysing costs by the byte: batches of equal counts left one worker alone with the
    long reports at the end of a corpus (the news corpus' last batch held 8.4 MB against
    5.1-6.9 for the others). Cut by bytes, every batch holds about as much text; the
    articles stay in file order."""
    from searchkit.indexing.corpus import estimate, iter_articles, weight

    corpus = tmp_path / "news.jsonl"
    with corpus.open("w", encoding="utf-8") as stream:
        for n in range(1200):
            body = ("Trạm BTS mới ở Đắk Nông. " * (40 if n >= 900 else 10)).strip()  # long reports last
            stream.write(json.dumps({"id": f"bai-{n}", "title": f"Tin số {n}", "body": body}, ensure_ascii=False) + "\n")
    expected, held = estimate([corpus])
    articles = list(iter_articles([corpus], defer=True))
    parts = list(in_batches(iter(articles), 300, 2, expected=expected, expected_bytes=held))
    sizes = [sum(map(weight, part)) for part in parts]
    assert len(parts) == 4 and max(sizes) <= 1.1 * min(sizes)  # about the same text each
    assert [len(part) for part in parts] != [300] * 4  # not the same number of articles
    assert [a.id for part in parts for a in part] == [a.id for a in articles]
    counted = list(in_batches(iter(articles), 300, 2, expected=expected))  # by count, as before: unequal
    assert max(map(sum, ([weight(a) for a in part] for part in counted))) > 1.5 * min(sizes)


def test_a_batch_of_long_articles_is_cut_by_its_text():
    """Ten reports of 1.2 million characters: no batch holds more than 8 million."""
    long = [Article(id=str(i), title="Báo cáo", body="trạm BTS " * 133_000) for i in range(10)]
    batches = list(in_batches(iter(long), 2000, 2))
    assert [len(batch) for batch in batches] == [6, 4]  # 6 × 1.2 million fit in 8 million
    assert [a.id for batch in batches for a in batch] == [a.id for a in long]


def test_progress_counts_articles_done_not_articles_read(tmp_path):
    corpus = tmp_path / "news.jsonl"
    write_jsonl_corpus(corpus, 300)
    seen: list[int] = []
    SearchEngine(tmp_path / "index").index([corpus], batch_size=100, workers=1, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 300
    assert set(seen) == set(range(301))  # one by one as each is written, not 100 at each commit


# --- the command line ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("cli-inputs") / "index"
    assert CliRunner().invoke(main, ["index", str(CORPUS), "--index", str(target)]).exit_code == 0
    return str(target)


def ids(result) -> list[str]:
    assert result.exit_code in (0, 1), result.output
    return [hit["id"] for hit in json.loads(result.stdout)["hits"]]


def test_a_query_may_begin_with_an_exclusion(index_dir):
    runner = CliRunner()
    every = ids(runner.invoke(main, ["query", "trạm BTS", "--json", "--index", index_dir]))
    nghe_an = ids(runner.invoke(main, ["query", '"Nghệ An"', "--json", "--index", index_dir]))
    result = runner.invoke(main, ["query", '-"Nghệ An" trạm BTS', "--json", "--index", index_dir])
    assert ids(result) == [i for i in every if i not in nghe_an] and len(ids(result)) < len(every)
    split = runner.invoke(main, ["query", '-"Nghệ An"', "trạm", "BTS", "--json", "--index", index_dir])
    assert ids(split) == ids(result)
    word = runner.invoke(main, ["query", "--json", "--index", index_dir, "-n", "5", "-hội", "trạm"])
    assert json.loads(word.stdout)["query"] == "-hội trạm"


@pytest.mark.parametrize("args", [
    ["-nghe", "an"],  # not -n with the value 'ghe'
    ["-h1", "an"],  # not -h
    ["--", "-n", "an"],  # after --, everything is the query
])
def test_words_that_look_like_short_options_are_query_words(index_dir, args):
    result = CliRunner().invoke(main, ["query", "--json", "--index", index_dir, *args])
    assert result.exit_code in (0, 1) and json.loads(result.stdout)["query"] == " ".join(a for a in args if a != "--")


def test_options_still_work_in_every_spelling(index_dir):
    runner = CliRunner()
    for args in (["-n", "1"], ["-n1"], ["--limit", "1"], ["--limit=1"]):
        assert len(ids(runner.invoke(main, ["query", "trạm", "--json", "--index", index_dir, *args]))) == 1
    assert "query [OPTIONS] QUERY..." in runner.invoke(main, ["query", "-h"]).output
    assert "Exit codes" in runner.invoke(main, ["-h"]).output


def test_the_query_can_come_from_stdin(index_dir):
    result = CliRunner().invoke(main, ["query", "-", "--json", "--index", index_dir], input="truyeenf thoong\n")
    data = json.loads(result.stdout)
    assert (data["query"], data["searched"]) == ("truyeenf thoong", "truyền thông") and data["total"] > 0
    empty = CliRunner().invoke(main, ["query", "-", "--index", index_dir], input="  \n")
    assert empty.exit_code == 2 and "standard input is empty" in empty.output


def test_offset_on_the_command_line(index_dir):
    runner = CliRunner()
    every = ids(runner.invoke(main, ["query", "thông tin", "--json", "-n", "4", "--index", index_dir]))
    second = runner.invoke(main, ["query", "thông tin", "-n", "2", "--offset", "2", "--index", index_dir])
    assert "showing 3–4" in second.output and second.output.count("\n3. ") == 1
    assert ids(runner.invoke(main, ["query", "thông tin", "--json", "-n", "2", "--offset", "2", "--index", index_dir])) == every[2:]


@pytest.mark.parametrize("choice, coloured", [("always", True), ("never", False), ("auto", False)])
def test_colour_choice(index_dir, choice, coloured):
    result = CliRunner().invoke(main, ["query", "trạm BTS", "--color", choice, "--index", index_dir])
    assert ("\x1b[1;33m" in result.output) == coloured and ("[trạm BTS]" in result.output) != coloured


def test_a_mistyped_index_is_an_error_not_a_new_index_built_from_corpus(tmp_path, monkeypatch):
    (tmp_path / "corpus").symlink_to(CORPUS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["query", "trạm", "--index", "typo-idx"])
    assert result.exit_code == 3 and "no index at typo-idx" in result.output
    assert not (tmp_path / "typo-idx").exists()
    default = CliRunner().invoke(main, ["query", "trạm BTS", "--index", "index"])  # the default place: built
    assert default.exit_code == 0 and "building it from corpus/" in default.stderr


def test_facets_on_the_command_line_count_sources(index_dir):
    result = CliRunner().invoke(main, ["--lang", "vi", "query", "trạm BTS", "--facets", "--index", index_dir])
    assert "Nguồn:" in result.output and "Tỉnh/thành:" in result.output


def test_py_typed_is_shipped():
    from importlib.resources import files

    assert files("searchkit").joinpath("py.typed").is_file()
