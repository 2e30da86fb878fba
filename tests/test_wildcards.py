"""Prefixes (`viett*`) expand to a bounded number of syllables, however many a query holds,
and highlighting a query that matches nearly every word stays correct where it is cut short.
No timings here: `python bench/fuzz.py --storms` measures the slowest queries."""

from __future__ import annotations

import random
import re

import pytest

from searchkit.searching.highlight import MAX_SNIPPET_MATCHES, make_snippets, match_spans
from searchkit.searching.query import parse_query
from searchkit.searching.rewrite import (
    MAX_COMPLETIONS, MAX_PREFIXES, MAX_QUERY_COMPLETIONS, Vocabulary, expand_prefixes,
)
from searchkit.text.syllables import find_syllables, syllables
from tests.conftest import engine_over

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
