"""Prefixes (`viett*`) expand to a bounded number of syllables, however many a query holds,
and highlighting a query that matches nearly every word stays correct where it is cut short.
No timings here: `python bench/fuzz.py --storms` measures the slowest queries."""

from __future__ import annotations

import random

import pytest

from searchkit.searching import highlight, pipeline
from searchkit.searching.highlight import (
    FULL_SNIPPET_HITS, MAX_CANDIDATES, MAX_SNIPPET_MATCHES, full_snippet_hits, make_snippets, match_spans,
)
from searchkit.searching.query import parse_query
from searchkit.searching.rewrite import (
    MAX_COMPLETIONS, MAX_PREFIXES, MAX_QUERY_COMPLETIONS, Vocabulary, expand_prefixes,
)
from searchkit.text.syllables import find_syllables, syllables
from searchkit import SearchEngine
from tests.conftest import engine_over, write_jsonl_corpus

#: Syllables beginning with each letter, as an index might hold them, the most frequent first.
KNOWN = {letter: [f"{letter}{tail}" for tail in ("a", "anh", "ang", "am", "ai", "ao", "an", "ay", "ac", "at",
                                                  "oi", "uong", "uyen", "ien", "ieu", "ong", "ot", "u", "ua", "uc",
                                                  "ui", "um", "un", "ung", "uoc", "uon", "ut", "e", "em", "en",
                                                  "eo", "ep", "et", "ech", "enh", "i", "ich", "im", "in", "inh",
                                                  "ip", "it", "iu", "o", "oa", "oc", "om", "on", "op", "ou",
                                                  "uy", "uyet", "uat", "uan", "uong", "ach")]
         for letter in "bcdghklmnpqrstvx"}


class Counted(Vocabulary):
    """A vocabulary of `KNOWN`, ranked as listed."""

    def __init__(self):
        super().__init__(lambda field, term: 0)

    def completions(self, prefix: str) -> list[str]:
        return [term for terms in KNOWN.values() for term in terms if term.startswith(prefix)]


def prefix_clauses(query: str):
    parsed = expand_prefixes(parse_query(query), Counted())
    return [clause for group in parsed.groups for clause in group]


def test_one_prefix_keeps_its_most_frequent_syllables_up_to_the_cap():
    (clause,) = prefix_clauses("t*")
    assert len(KNOWN["t"]) > MAX_COMPLETIONS
    assert [a.folded[0] for a in clause.alternatives] == KNOWN["t"][:MAX_COMPLETIONS]
    assert clause.completions == len(KNOWN["t"])


def test_many_prefixes_share_the_query_budget_and_each_keeps_one():
    letters = list(KNOWN)
    clauses = prefix_clauses(" ".join(f"{letter}*" for letter in letters))
    assert len(clauses) == len(letters)
    kept = [len(clause.alternatives) for clause in clauses]
    assert sum(kept) <= MAX_QUERY_COMPLETIONS and min(kept) >= 1
    assert kept == [MAX_QUERY_COMPLETIONS // len(letters)] * len(letters)  # shared out evenly
    assert clauses[0].alternatives[0].folded == ("ba",)  # the most frequent first


def test_prefixes_past_the_cap_are_searched_as_typed():
    letters = "bcdghklmnpqrstvx"
    typed = [f"{letters[i % len(letters)]}{'a' * (1 + i // len(letters))}*" for i in range(MAX_PREFIXES + 5)]
    clauses = prefix_clauses(" ".join(typed))
    assert all(c.prefix for c in clauses[:MAX_PREFIXES])
    assert not any(c.prefix or c.alternatives for c in clauses[MAX_PREFIXES:])
    assert [c.folded for c in clauses[MAX_PREFIXES:]] == [(t.rstrip("*"),) for t in typed[MAX_PREFIXES:]]
    assert sum(len(c.alternatives) for c in clauses) <= MAX_QUERY_COMPLETIONS


def test_excluded_prefixes_count_against_the_same_budget():
    parsed = expand_prefixes(parse_query("trạm -t* -b* -c*"), Counted())
    assert [len(c.alternatives) for c in parsed.excluded] == [min(MAX_COMPLETIONS, MAX_QUERY_COMPLETIONS // 3)] * 3


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory):
    """Articles whose words begin with `th` in many ways, one of them long."""
    words = ["thông", "tin", "thành", "phố", "thị", "trường", "thiết", "bị", "thuê", "bao", "thẻ", "sim"]
    rng = random.Random(5)
    long_body = " ".join(rng.choice(words) for _ in range(3000)) + ". Cuối bài: trạm BTS Đắk Nông."
    return engine_over(tmp_path_factory.mktemp("prefixed"), {
        "a": "Thông tin về thị trường thuê bao\n\nThành phố Đà Nẵng thiết lập thêm trạm BTS.",
        "b": "Thẻ sim và thiết bị\n\nThị xã có thêm thuê bao mới; thông tin từ Sở.",
        "c": "Trạm BTS ở Đắk Nông\n\n" + long_body,
    })


def test_a_prefix_query_finds_and_marks_its_completions(prefixed):
    results = prefixed.search("thu*", limit=10)
    assert {hit.id for hit in results.hits} >= {"a", "b"}
    marked = {hit.title[a:b].lower() for hit in results.hits for a, b in hit.title_spans}
    assert "thuê" in marked


def test_the_explanation_says_which_completions_were_kept(prefixed):
    plan = prefixed.search("th*", limit=3, explain=True).plan
    described = plan["optional"][0]
    assert described.startswith("th* (= ")
    assert "thong" in described and "thue" in described  # few enough here: no cut, no "most frequent"
    assert "most frequent" not in described
    clause = prefix_clauses("t*")[0]
    from searchkit.searching.plan import _describe
    assert _describe((clause,)).endswith(f"the {MAX_COMPLETIONS} most frequent of {len(KNOWN['t'])})")


def test_a_long_article_matching_everywhere_gets_snippets_with_every_match_marked():
    words = ["thông", "tin", "thành", "phố", "thị", "trường"]
    rng = random.Random(3)
    text = " ".join(rng.choice(words) for _ in range(4 * MAX_SNIPPET_MATCHES)) + ". Trạm BTS."
    terms = {"thong", "thanh", "thi", "truong"}
    snippets = make_snippets(text, terms, count=3)
    assert len(snippets) == 3
    for snippet in snippets:
        matching = [s for s in syllables(snippet.text) if s.folded in terms]
        unmarked = [s.accented for s in matching if not any(a <= s.start < s.end <= b for a, b in snippet.spans)]
        assert matching and not unmarked, (snippet.text, unmarked)  # none cut off where the scan ended
    # the article's page marks every occurrence, past the snippets' part included
    assert text[match_spans(text, {"tram"})[0][0]:].startswith("Trạm BTS")
    assert len(match_spans(text, terms)) > 0 and match_spans(text, terms)[-1][1] > len(text) // 2


def test_a_rare_word_at_the_end_of_a_long_article_is_still_the_snippet():
    text = " ".join(["thông tin"] * 2000) + " và trạm BTS ở cuối."
    (snippet,) = make_snippets(text, {"tram", "bts"}, count=1)
    assert "trạm BTS" in snippet.text and snippet.spans


def test_find_syllables_stops_at_its_limit():
    text = "trạm một, trạm hai, trăm ba, trạm bốn"
    assert [text[s.start:s.end] for s in find_syllables(text, {"tram"}, limit=2)] == ["trạm", "trạm"]
    assert len(find_syllables(text, {"tram"})) == 4


def test_find_syllables_with_hundreds_of_terms_matches_filtering_every_syllable():
    """The pattern of many terms shares their beginnings; it must find what the plain
    filter finds, longer and shorter terms alike (`tra`, `tram`, `trang`)."""
    text = ("Thành phố Hồ Chí Minh triển khai trạm BTS; trang tin trà, trắng, tràm — 2,5G và 1.000 "
            "thuê bao, Sỹ quan, sĩ số, sỹ tử. Trăm nghìn người.")
    every = {s.folded for s in syllables(text)}
    rng = random.Random(11)
    extra = {"".join(rng.choice("abcdghiklmnoprstuy") for _ in range(rng.randint(1, 6))) for _ in range(600)}
    for sample in range(30):
        wanted = set(rng.sample(sorted(every), rng.randint(1, len(every)))) | extra | {"tra", "t", "2", "1"}
        assert find_syllables(text, wanted) == [s for s in syllables(text) if s.folded in wanted]


#: A storm of prefixes (issue 18): every initial of Vietnamese, matching nearly every word
#: (joined by OR: every article is a hit).
STORM = ("th* OR t* OR tr* OR n* OR ng* OR nh* OR c* OR ch* OR đ* OR h* OR m* OR l* OR v* OR b* OR s* OR k* "
         "OR x* OR q* OR d* OR g* OR ph* OR kh* OR gi* OR r* OR p* OR a* OR ô* OR ư* OR i* OR u* OR e*")


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """130 articles of real Vietnamese paragraphs (the seeds'), each longer than a snippet."""
    root = tmp_path_factory.mktemp("crowded")
    write_jsonl_corpus(root / "corpus.jsonl", 130)
    engine = SearchEngine(root / "index")
    engine.index([root / "corpus.jsonl"])
    return engine


class Work:
    """Counts what highlighting does: windows scored, and article bodies scanned past their
    opening passage (a scan of more than `opening` characters)."""

    def __init__(self, monkeypatch, opening: int = 250):
        self.windows, self.long_scans = 0, 0
        density, find = highlight._density, highlight.find_syllables

        def counted_density(*args):
            self.windows += 1
            return density(*args)

        def counted_find(text, *args, **kwargs):
            self.long_scans += len(text) > opening
            return find(text, *args, **kwargs)

        monkeypatch.setattr(highlight, "_density", counted_density)
        monkeypatch.setattr(highlight, "find_syllables", counted_find)


def unhurried(monkeypatch) -> None:
    """No snippet deadline: the tests of what snippet work is done must not hang on the CPU a
    busy machine or a full garbage collection of the test process lends a search (one CI run
    saw 0.3 s for a search that takes 0.03); the deadline has tests of its own, below."""
    monkeypatch.setattr(pipeline, "SNIPPET_DEADLINE", 3600.0)


def test_a_storm_at_limit_1000_does_bounded_snippet_work(crowded, monkeypatch):
    unhurried(monkeypatch)
    work = Work(monkeypatch)
    results = crowded.search(STORM, limit=1000)
    hits = results.hits
    marks = crowded.highlighting(STORM)[1]
    assert marks.words > highlight.SNIPPET_WORK // FULL_SNIPPET_HITS  # broad enough to be cut
    assert len(hits) > pipeline.MAX_SNIPPET_HITS
    # the bound: windows scored and whole bodies scanned for the first FULL_SNIPPET_HITS hits only
    # each scored once, and again when a passage taken cuts it: at most once for each of a hit's 3
    assert 0 < work.windows <= FULL_SNIPPET_HITS * MAX_CANDIDATES * 3
    assert work.long_scans == FULL_SNIPPET_HITS
    bodies = {hit.id: crowded.article(hit.id)["body"] for hit in hits}
    assert min(map(len, bodies.values())) > 250 > max(len(hit.title) for hit in hits)  # what Work tells apart
    # the next hits get their article's opening passage, its matches marked; the last ones none
    for hit in hits[FULL_SNIPPET_HITS:pipeline.MAX_SNIPPET_HITS]:
        (snippet,) = hit.snippets
        assert bodies[hit.id].startswith(snippet.text.rstrip("…")) and snippet.spans, hit.id
    assert all(not hit.snippets for hit in hits[pipeline.MAX_SNIPPET_HITS:])
    assert results.note == pipeline.LEAD_NOTE.format(full=FULL_SNIPPET_HITS, first=FULL_SNIPPET_HITS + 1,
                                                     last=pipeline.MAX_SNIPPET_HITS, words=marks.words)
    # the first hits' snippets are the ones a small page gives them
    small = crowded.search(STORM, limit=FULL_SNIPPET_HITS)
    assert small.note is None
    assert [h.snippets for h in small.hits] == [h.snippets for h in hits[:FULL_SNIPPET_HITS]]
    assert any(len(h.snippets) > 1 and not bodies[h.id].startswith(h.snippets[1].text.rstrip("…"))
               for h in small.hits)  # chosen passages, not the opening


def test_a_query_of_a_few_words_keeps_full_snippets_on_every_hit(crowded, monkeypatch):
    unhurried(monkeypatch)
    work = Work(monkeypatch)
    results = crowded.search("thông tin", limit=1000)
    snippeted = results.hits[:pipeline.MAX_SNIPPET_HITS]
    assert len(snippeted) > FULL_SNIPPET_HITS and results.note is None
    assert full_snippet_hits(crowded.highlighting("thông tin")[1].words, 100) == 100
    assert work.long_scans == len(snippeted)  # every one chosen from the whole article


def test_past_the_deadline_the_hits_left_get_no_snippets(crowded, monkeypatch):
    monkeypatch.setattr(pipeline, "SNIPPET_DEADLINE", 0.0)  # already past when the first hit comes
    results = crowded.search("thông tin", limit=5)
    assert results.hits and all(not hit.snippets for hit in results.hits)
    assert any(hit.title_spans for hit in results.hits)  # titles are still marked
    assert results.note == pipeline.LATE_NOTE.format(place=1, seconds=0.0)


def test_the_first_search_that_rebuilds_the_statistics_keeps_its_snippets(corpus_copy, tmp_path, monkeypatch):
    """After an upgrade changed a cache's format, or a cache was lost, the first search builds
    the index's statistics again (a second of CPU at 16k articles): once per generation, not
    the search's own work, so its hits keep their snippets (they had none before)."""
    import time

    from searchkit.searching import suggest

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    for cache in engine.path.glob("suggest-*.arrays"):
        cache.unlink()
    building = suggest.build_spellings

    def slow(reader):
        spent = time.thread_time() + pipeline.SNIPPET_DEADLINE + 0.05  # the CPU of a large index's build
        while time.thread_time() < spent:
            pass
        return building(reader)

    monkeypatch.setattr(suggest, "build_spellings", slow)
    results = SearchEngine(engine.path).search("tram bts dak nong")
    assert results.hits and all(hit.snippets for hit in results.hits) and results.note is None
    assert any("Đắk Nông" in snippet.text for hit in results.hits for snippet in hit.snippets)
