"""Queries as Vietnamese users really type them: Telex/VNI keys, i/y spellings, abbreviations,
and the did-you-mean that answers queries without accents or with a typo."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from searchkit import AbbreviationsError, SearchEngine
from searchkit.cli import main
from searchkit.searching.abbreviations import load_abbreviations
from searchkit.searching.query import parse_query
from searchkit.searching.rewrite import decode_typing, expand_abbreviations, spellings, typed_as_abbreviation
from searchkit.searching.suggest import FORMAT, Spellings, Suggester, load_spellings
from tests.conftest import engine_over, write_articles
from tests.test_search import AN_GIANG, BTS_ARTICLES, DAK_NONG, NGHE_AN, ids

# --- Telex and VNI -------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["truyeenf thoong", "truye62n tho6ng", "truyeenf tho6ng", "Truyeenf Thoong"])
def test_telex_and_vni_search_what_they_stand_for(sample_engine, typed):
    accented = sample_engine.search("truyền thông")
    results = sample_engine.search(typed)
    assert results.searched.lower() == "truyền thông"
    assert ids(results)[0] == ids(accented)[0]
    assert set(ids(results)) == set(ids(accented))


def test_telex_word_beside_an_acronym(sample_engine):
    results = sample_engine.search("trajm BTS")
    assert results.searched == "trạm BTS"
    assert set(ids(results)) == BTS_ARTICLES and ids(results)[0] == NGHE_AN


@pytest.mark.parametrize("query", ["trạm BTS", "tram bts", "BTS", "Đắk Nông"])
def test_ordinary_queries_are_searched_as_typed(sample_engine, query):
    assert sample_engine.search(query).searched is None


@pytest.fixture(scope="module")
def english_engine(tmp_path_factory) -> SearchEngine:
    """English words and codes beside Vietnamese: 'as' is a word here, so is 'á' (Châu Á)."""
    return engine_over(tmp_path_factory.mktemp("english"), {
        "tools": "Công cụ và tin tức\n\nCác tools và news về mạng 4G, trạm BTS ở Châu Á, as usual.",
        "xong": "Nồi xoong\n\nBài viết về nồi xoong nhôm.",
    })


@pytest.mark.parametrize("query", ["news", "tools", "4G", "BTS", "as usual", "news tools 4G BTS", "xoong"])
def test_words_the_index_knows_as_typed_stay_as_typed(english_engine, query):
    results = english_engine.search(query)
    assert results.searched is None
    assert results.total >= 1


def test_a_decoded_word_the_index_does_not_know_is_not_used():
    class Known:
        def frequency(self, folded):
            return {"tram": 30}.get(folded, 0)

        def accented_frequency(self, accented):
            return {"trạm": 20}.get(accented, 0)

    assert decode_typing("xoong trajm", Known()) == "xoong trạm"  # xông is not in this index
    assert decode_typing("title:trajm", Known()) == "title:trạm"
    assert decode_typing("trajm: BTS OR NOT news", Known()) == "trajm: BTS OR NOT news"


def test_a_rare_typo_in_the_index_does_not_block_decoding():
    class Known:  # one article has the typo 'thoong'; thousands say 'thông'
        def frequency(self, folded):
            return {"thoong": 1, "thong": 3000, "truyen": 900, "news": 40}.get(folded, 0)

        def accented_frequency(self, accented):
            return {"thông": 2900, "truyền": 850}.get(accented, 0)

    assert decode_typing("truyeenf thoong", Known()) == "truyền thông"
    assert decode_typing("news", Known()) == "news"


def test_decoding_keeps_operators_and_phrases(sample_engine):
    results = sample_engine.search('"trajm BTS" -"Ngheej An"')
    assert results.searched == '"trạm BTS" -"Nghệ An"'
    assert set(ids(results)) == {AN_GIANG, DAK_NONG}


# --- i/y spellings ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def i_y_engine(tmp_path_factory) -> SearchEngine:
    return engine_over(tmp_path_factory.mktemp("iy"), {
        "y": "Kỹ sư Mỹ lý giải\n\nHạ tầng kỹ thuật quý I được các kỹ sư Mỹ lý giải rõ.",
        "i": "Kĩ sư Mĩ lí giải\n\nHạ tầng kĩ thuật quí I được các kĩ sư Mĩ lí giải rõ.",
        "other": "Tin khác\n\nMột bài không liên quan về ký kết hợp đồng.",
    })


@pytest.mark.parametrize("query", ["kỹ thuật", "kĩ thuật", "lý giải", "lí giải", "quý I", "quí I",
                                   "Mỹ", "Mĩ", '"kỹ sư Mỹ"', '"kĩ sư mĩ"', "KỸ THUẬT"])
def test_i_and_y_spellings_find_each_other(i_y_engine, query):
    assert sorted(ids(i_y_engine.search(query))) == ["i", "y"]


def test_highlights_show_the_articles_own_i_y_spelling(i_y_engine):
    for hit in i_y_engine.search("kỹ thuật").hits:
        marked = " ".join(s.text[a:b] for s in hit.snippets for a, b in s.spans)
        assert "kỹ thuật" in marked if hit.id == "y" else "kĩ thuật" in marked
        assert ("kĩ" if hit.id == "y" else "kỹ") not in marked


# --- Abbreviations -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def abbr_corpus(tmp_path_factory):
    return write_articles(tmp_path_factory.mktemp("abbr") / "corpus", {
        "spelled": "Hội thảo công nghệ thông tin\n\nTỉnh tổ chức hội thảo về công nghệ thông tin cho cán bộ.",
        "short": "Hội thảo CNTT\n\nTỉnh tổ chức hội thảo về CNTT cho cán bộ trẻ.",
        "amp": "Sở TT&TT họp\n\nSở TT&TT họp giao ban tháng ba.",
        "joined": "Sở TTTT họp\n\nSở TTTT họp giao ban tháng tư.",
        "words": "Sở Thông tin và Truyền thông họp\n\nSở Thông tin và Truyền thông họp giao ban tháng năm.",
        "ai_who": "Ai cũng dùng\n\nAi cũng dùng điện thoại thông minh.",
        "ai_tech": "Trí tuệ nhân tạo\n\nỨng dụng trí tuệ nhân tạo trong y tế.",
        "digital": "Kinh tế số\n\nPhát triển kinh tế số ở địa phương.",
    })


@pytest.fixture(scope="module")
def abbr_engine(abbr_corpus) -> SearchEngine:
    engine = SearchEngine(abbr_corpus.parent / "index")
    engine.index([abbr_corpus])
    return engine


def test_abbreviation_finds_the_spelled_out_form_and_ranks_itself_first(abbr_engine):
    assert ids(abbr_engine.search("CNTT")) == ["short", "spelled"]
    assert ids(abbr_engine.search("cntt")) == ["short", "spelled"]


@pytest.mark.parametrize("query", ["công nghệ thông tin", '"công nghệ thông tin"', "cong nghe thong tin"])
def test_spelled_out_form_finds_the_abbreviation_and_ranks_itself_first(abbr_engine, query):
    assert ids(abbr_engine.search(query)) == ["spelled", "short"]


@pytest.mark.parametrize("query", ["TT&TT", "TTTT", "TT-TT", "tt&tt", "Sở TT&TT", "thông tin và truyền thông"])
def test_tt_and_tt_in_every_spelling(abbr_engine, query):
    assert sorted(ids(abbr_engine.search(query))) == ["amp", "joined", "words"]


def test_spelled_out_words_still_need_not_stand_together(abbr_engine):
    assert ids(abbr_engine.search("tin thông truyền và")) == ["words"]  # no abbreviation: as before


def test_lowercase_two_letter_words_are_not_abbreviations(abbr_engine):
    assert ids(abbr_engine.search("ai")) == ["ai_who"]
    assert sorted(ids(abbr_engine.search("AI"))) == ["ai_tech", "ai_who"]


def test_a_user_file_adds_abbreviations(abbr_corpus, tmp_path):
    extra = tmp_path / "mine.tsv"
    extra.write_text("# mine\nKTS\tkinh tế số\n", encoding="utf-8")
    index = abbr_corpus.parent / "index"
    assert SearchEngine(index).search("KTS").total == 0
    assert ids(SearchEngine(index, abbreviations=[extra]).search("KTS")) == ["digital"]
    runner = CliRunner()
    for args, env in (([f"--abbreviations={extra}"], {}), ([], {"SEARCHKIT_ABBREVIATIONS": str(extra)})):
        result = runner.invoke(main, ["query", "KTS", "--index", str(index), "--json", *args], env=env)
        assert result.exit_code == 0, result.output
        assert [hit["id"] for hit in json.loads(result.output)["hits"]] == ["digital"]


def test_a_bad_abbreviations_file_is_a_clear_error(abbr_corpus, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("KTS kinh tế số\n", encoding="utf-8")
    index = abbr_corpus.parent / "index"
    with pytest.raises(AbbreviationsError, match="line 1"):
        SearchEngine(index, abbreviations=[bad]).search("KTS")
    result = CliRunner().invoke(main, ["query", "KTS", "--index", str(index), "--abbreviations", str(bad)])
    assert result.exit_code == 2 and "line 1" in result.output
    result = CliRunner().invoke(main, ["query", "KTS", "--index", str(index), "--abbreviations", str(tmp_path / "none.tsv")])
    assert result.exit_code == 2 and "none.tsv" in result.output


def test_abbreviation_alternatives_in_the_parsed_query():
    table = load_abbreviations()
    query = expand_abbreviations(parse_query("TTTT ai"), table)
    (tttt,), (ai,) = query.groups
    assert [a.folded for a in tttt.alternatives] == [("tt", "tt"), ("thong", "tin", "va", "truyen", "thong")]
    assert [a.boost for a in tttt.alternatives] == [1.0, 0.8]
    assert ai.alternatives == ()
    merged = expand_abbreviations(parse_query("hội thảo cong nghe thong tin"), table).groups
    assert len(merged) == 3 and [a.folded for a in merged[2][0].alternatives] == [("cntt",)]
    assert spellings("TT&TT") == [("tt", "tt"), ("tttt",)]
    assert [typed_as_abbreviation(w, table) for w in ("VNPT", "vnpt", "Ai", "tin", "DDoS", "hdnd")] == \
        [True, True, False, False, True, True]


# --- Did you mean --------------------------------------------------------------------------

@pytest.mark.parametrize("query, suggestion", [
    ("tram bts", "trạm BTS"),
    ("Tram BTS", "Trạm BTS"),
    ("truyen thongg", "truyền thông"),
    ("truyền thônng", "truyền thông"),
    ("trãm BTS", "trạm BTS"),  # a changed tone costs less than a changed letter
    ('"tram bts" -"nghe an"', '"trạm BTS" -"nghệ an"'),
])
def test_did_you_mean(sample_engine, query, suggestion):
    assert sample_engine.search(query).suggestion == suggestion


@pytest.mark.parametrize("query, searched", [("thônng", "thông"), ("trạmm", "trạm")])
def test_a_query_that_finds_nothing_is_searched_as_its_did_you_mean(sample_engine, query, searched):
    results = sample_engine.search(query)
    assert results.corrected and results.searched == searched and results.suggestion is None
    assert results.total > 0 and results.to_dict()["searched"] == searched


def test_no_retry_when_the_did_you_mean_finds_nothing_either(sample_engine):
    results = sample_engine.search('"trạm vệ tinh lượng tử"')
    assert (results.total, results.corrected, results.searched) == (0, False, None)


@pytest.mark.parametrize("query", ["trạm BTS", "truyền thông", "BTS", "bts", "TT&TT", "CNTT", "news 4G"])
def test_no_suggestion_when_there_is_nothing_better(sample_engine, query):
    assert sample_engine.search(query).suggestion is None


def test_a_word_often_written_without_marks_is_left_alone(abbr_engine):
    assert abbr_engine.search("ai").suggestion is None  # 'ai' (who) is how the index writes it
    assert abbr_engine.search("ai cung dung").suggestion == "ai cũng dùng"


def test_suggestions_do_not_touch_the_words_an_abbreviation_stands_for(abbr_engine):
    assert abbr_engine.search("tttt").suggestion is None


def test_tone_change_costs_less_than_letter_change():
    counts = {"thong": 170, "thonh": 900}
    spelled = Spellings({"thong": (("thống", 90), ("thông", 80)), "thonh": (("thỏnh", 900),)}, {}, counts)
    suggester = Suggester(lambda f: counts.get(f, 0), lambda a: 0, lambda: spelled)
    assert suggester.suggest("thôngg") == "thông"  # one letter off, marks as typed
    assert suggester.suggest("thongg") == "thống"  # no marks typed: the most common spelling


def test_spellings_are_cached_per_index_generation(sample_engine):
    from searchkit.indexing.array_file import read_arrays
    from searchkit.indexing.store import open_index

    with open_index(sample_engine.path).reader() as reader:
        spelled = load_spellings(sample_engine.path, reader)
        cache = sample_engine.path / f"suggest-{reader.generation()}.arrays"
    assert cache.is_file() and [p.name for p in sample_engine.path.glob("suggest-*")] == [cache.name]
    assert "trạm" in [a for a, _ in spelled.variants("tram")]
    cached = read_arrays(cache)  # sorted keys and their spellings, a word a line
    keys, values = (bytes(cached[f"syllables_{part}"]).decode().split("\n") for part in ("keys", "values"))
    assert dict(zip(keys, values)) == {
        folded: " ".join(f"{a} {n}" for a, n in found) for folded, found in spelled.syllables.items()}
    assert keys == sorted(keys) and "tram" in keys
    folded = bytes(cached["folded_keys"]).decode().split("\n")
    assert dict(zip(folded, cached["folded_values"].tolist())) == dict(spelled.folded.items())


def _spellings_arrays(syllables: dict[str, str], folded: dict[str, int], format: int = FORMAT,
                      generation: int = 1, counts: type = np.uint32) -> dict:
    """What a crafter could write as a spellings cache (with a checksum that matches)."""
    from searchkit.searching.sorted_table import as_lines

    keys = sorted(syllables)
    return {"format": np.array([format]), "generation": np.array([generation]),
            "syllables_keys": as_lines(keys), "syllables_values": as_lines([syllables[k] for k in keys]),
            "words_keys": as_lines([]), "words_values": as_lines([]),
            "folded_keys": as_lines(sorted(folded)), "folded_values": np.array([folded[k] for k in sorted(folded)], counts)}


def test_a_crafted_spellings_cache_is_ignored_and_replaced(corpus_copy, tmp_path):
    """The cache is numbers and text, checksummed: a file of the wrong shape is rebuilt, a
    malformed spelling is ignored, and nothing in it is ever executed."""
    from searchkit.indexing.array_file import read_arrays, write_arrays

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    (cache,) = engine.path.glob("suggest-*.arrays")
    generation = int(cache.stem.split("-")[1])
    for crafted in (_spellings_arrays({"tram": "trăm 9"}, {"tram": 9}, format=4, generation=generation),  # an old one
                    _spellings_arrays({"tram": "trăm 9"}, {"tram": 9}, generation=generation - 1),  # stale
                    _spellings_arrays({"tram": "trăm 9"}, {"tram": -9}, generation=generation, counts=np.int64),
                    {**_spellings_arrays({"tram": "trăm 9"}, {}, generation=generation),
                     "words_values": np.frombuffer(b"tr\xe1m", np.uint8)}):  # not UTF-8
        write_arrays(cache, crafted)
        fresh = SearchEngine(engine.path)
        assert fresh.restore_accents("tram bts") == "trạm BTS"  # no hits to vote: the statistics decide
        keys = bytes(read_arrays(cache)["syllables_keys"]).decode().split("\n")
        assert len(keys) > 100  # rebuilt from the index
    write_arrays(cache, _spellings_arrays({"bts": "BTS 9", "tram": "trăm nhiều"}, {"tram": 9}, generation=generation))
    fresh = SearchEngine(engine.path)  # a count that is no number: the syllable has no spellings
    assert fresh.restore_accents("tram bts") == "tram BTS" and fresh.search("tram bts").total == 3
    assert read_arrays(cache)["folded_values"].tolist() == [9]  # a cache of the right shape: kept
    cache.write_bytes(b"not an arrays file")
    assert SearchEngine(engine.path).restore_accents("tram bts") == "trạm BTS"


def test_cached_tables_out_of_order_miss_words_but_never_mistake_one():
    from searchkit.searching.sorted_table import SortedTable as _Table
    from searchkit.searching.suggest import _variants

    spelled = {"bts": "BTS 9", "nong": "nông 4", "tram": "trạm 30 trăm 20"}
    table = _Table(sorted(spelled), [spelled[k] for k in sorted(spelled)], _variants)
    assert table["tram"] == (("trạm", 30), ("trăm", 20)) and table.get("nong") == (("nông", 4),)
    assert table.get("dak") is None and list(table) == ["bts", "nong", "tram"] and len(table) == 3
    assert table.get(None) is None and 3 not in table
    crafted = _Table(["tram", "bts", "nong"], ["trạm 30 trăm 20", "BTS 9", "nông 4"], _variants)
    assert {k: crafted.get(k) for k in spelled} == {"bts": None, "nong": (("nông", 4),), "tram": None}


def test_a_new_generation_replaces_the_cache(corpus_copy, tmp_path):
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    assert engine.search("tram bts").suggestion == "trạm BTS"
    first = sorted(p.name for p in engine.path.glob("suggest-*"))
    write_articles(corpus_copy, {"new": "Trạm gốc mới\n\nMột trạm BTS mới được lắp đặt."})
    engine.index([corpus_copy])
    assert engine.search("truyền thônng").suggestion == "truyền thông"
    second = sorted(p.name for p in engine.path.glob("suggest-*"))
    assert len(second) == 1 and second != first


def _recording_spellings(monkeypatch, marks: Path, fail_in_helper: bool = False) -> None:
    """`load_spellings` as the sync calls it, leaving in `marks` a file a call, named by the
    calling process and whether its cache was there before (a helper process's memory is its
    own: files tell); `fail_in_helper`: it raises in any process but this one."""
    import os

    from searchkit.backends import local
    from searchkit.searching.suggest import spellings_file

    parent, real = os.getpid(), local.load_spellings

    def recorded(path, reader):
        existed = (path / spellings_file(reader.generation())).is_file()
        (marks / f"{'here' if os.getpid() == parent else 'helper'}-{'read' if existed else 'built'}").touch()
        if fail_in_helper and os.getpid() != parent:
            raise OSError("the helper cannot read the index")
        return real(path, reader)

    monkeypatch.setattr(local, "load_spellings", recorded)


def test_a_sync_saves_the_did_you_mean_in_a_helper_while_it_builds_the_pair_model(corpus_copy, tmp_path, monkeypatch):
    import os

    from searchkit.indexing.segments import start_method

    engine, marks = SearchEngine(tmp_path / "index"), tmp_path / "marks"
    marks.mkdir()
    _recording_spellings(monkeypatch, marks)
    engine.index([corpus_copy])
    helped = start_method() == "fork" and (os.cpu_count() or 1) > 1
    assert sorted(p.name for p in marks.iterdir()) == (["helper-built", "here-read"] if helped else ["here-built"])
    assert len(list(engine.path.glob("suggest-*.arrays"))) == 1 and len(list(engine.path.glob("pairs-*.arrays"))) == 1
    assert engine.search("truyền thônng").suggestion == "truyền thông"


def test_a_commit_that_updates_the_statistics_before_it_forks_no_helper(corpus_copy, tmp_path, monkeypatch):
    """A newsroom's `searchkit add` updates the did-you-mean of the commit before in this
    process: a helper beside it would take a second core from the server's workers."""
    import os

    from searchkit.indexing.segments import start_method

    engine, marks = SearchEngine(tmp_path / "index"), tmp_path / "marks"
    engine.index([corpus_copy])
    marks.mkdir()
    _recording_spellings(monkeypatch, marks)
    write_articles(corpus_copy, {"new": "Trạm gốc mới ở Hoà Bình\n\nMột trạm BTS mới được lắp đặt ở Hoà Bình."})
    assert engine.index([corpus_copy]).added == 1
    assert sorted(p.name for p in marks.iterdir()) == ["here-built"]
    assert len(list(engine.path.glob("suggest-*.arrays"))) == 1
    assert engine.search("truyền thônng").suggestion == "truyền thông"
    for saved in engine.path.glob("suggest-*.arrays"):  # none before to update: a helper again
        saved.unlink()
    for mark in marks.iterdir():
        mark.unlink()
    write_articles(corpus_copy, {"new2": "Trạm gốc thứ hai\n\nThêm một trạm BTS ở Hoà Bình."})
    engine.index([corpus_copy])
    helped = start_method() == "fork" and (os.cpu_count() or 1) > 1
    assert sorted(p.name for p in marks.iterdir()) == (["helper-built", "here-read"] if helped else ["here-built"])


def test_a_helper_that_fails_leaves_the_did_you_mean_to_the_sync(corpus_copy, tmp_path, monkeypatch, capfd):
    engine, marks = SearchEngine(tmp_path / "index"), tmp_path / "marks"
    marks.mkdir()
    _recording_spellings(monkeypatch, marks, fail_in_helper=True)
    engine.index([corpus_copy])
    assert "here-built" in [p.name for p in marks.iterdir()]  # nothing saved by the helper: built here
    assert "Traceback" not in capfd.readouterr().err  # the helper's failure is not shown
    assert engine.search("truyền thônng").suggestion == "truyền thông"


# --- Command line --------------------------------------------------------------------------

def test_cli_shows_what_was_searched_and_the_suggestion(sample_engine, monkeypatch):
    monkeypatch.setenv("SEARCHKIT_LANG", "vi")
    runner = CliRunner()
    result = runner.invoke(main, ["query", "truyeenf", "thoong", "--index", str(sample_engine.path)])
    assert result.exit_code == 0 and "Đã tìm: truyền thông" in result.output
    result = runner.invoke(main, ["query", "tram", "bts", "--index", str(sample_engine.path)])
    assert result.exit_code == 0
    assert result.output.rstrip().splitlines()[-1] == "Có phải bạn muốn tìm: trạm BTS"
    result = runner.invoke(main, ["query", "truyen thongg", "--index", str(sample_engine.path)])
    assert result.exit_code == 0 and "Có phải bạn muốn tìm: truyền thông" in result.output
    result = runner.invoke(main, ["query", "thônng", "--index", str(sample_engine.path)])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == 'Không có kết quả cho "thônng"; đã tìm: thông'
    data = json.loads(runner.invoke(main, ["query", "thônng", "--json", "--index", str(sample_engine.path)]).output)
    assert (data["searched"], data["corrected"], data["suggestion"]) == ("thông", True, None)


def test_cli_json_carries_searched_and_suggestion(sample_engine):
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["query", "trajm bts", "--json", "--index", str(sample_engine.path)]).output)
    assert data["searched"] == "trạm bts" and data["suggestion"] is None
    data = json.loads(runner.invoke(main, ["query", "tram bts", "--json", "--index", str(sample_engine.path)]).output)
    assert data["searched"] is None and data["suggestion"] == "trạm BTS"
    data = json.loads(runner.invoke(main, ["query", "trạm BTS", "--json", "--index", str(sample_engine.path)]).output)
    assert data["searched"] is None and data["suggestion"] is None
