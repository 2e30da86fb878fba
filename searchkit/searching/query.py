"""Parse what a user typed into groups of clauses; `ranking` scores them.

Syntax (forgiving: anything malformed degrades to plain words instead of failing):
free words (optional: ranking grades articles by how many of them they hold, weighted by
how telling each word is), viett* for the syllables beginning so, +word to require a word, "quoted phrases" (required),
-word / -"phrase" / NOT word to exclude, a OR b, title:word or title:"phrase" to search
titles only (required).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from searchkit.errors import QueryError
from searchkit.searching.analysed import AnalysedQuery, analysed
from searchkit.text.syllables import MAX_SYLLABLE_CHARS, Syllable, date_reading

#: Query syllables past this many are ignored; the plan keeps the most telling ones of a
#: long query (see `searchkit.searching.plan`).
MAX_SYLLABLES = 400
#: Longer queries are refused: every step after parsing (Telex decoding, did-you-mean) reads
#: the whole text. A pasted paragraph of a few hundred words still fits (the plan keeps its
#: most telling words).
MAX_QUERY_CHARS = 4000
#: Longer words are refused: the index holds none (`syllables.MAX_SYLLABLE_CHARS`).
MAX_WORD_LETTERS = MAX_SYLLABLE_CHARS
#: Weight of an alternative form of a clause (CNTT for công nghệ thông tin and back):
#: below the typed form, so articles that say it as typed rank a little higher.
ALTERNATIVE_BOOST = 0.8

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_PART = re.compile(
    r'(?P<neg>-)?(?P<plus>\+)?(?:(?P<field>title|tieude|tiêu_đề):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))',
    re.IGNORECASE,
)


class Alternative(NamedTuple):
    """Another way to say a clause, as folded syllables (a phrase when several), and its weight.

    >>> Alternative(("cong", "nghe", "thong", "tin"), 0.8).folded[0]
    'cong'
    """

    folded: tuple[str, ...]
    boost: float = ALTERNATIVE_BOOST


@dataclass(frozen=True)
class Clause:
    """One thing to look for, in all text or in titles only: a word, a phrase, or several
    words that must all appear (`phrase=False` with more than one syllable), plus
    `alternatives` that match instead of it (`CNTT` for `công nghệ thông tin`).
    `raw` is the clause as typed (`TT&TT`), for recognising abbreviations. `required`: the
    user asked for it (`+word`, a quoted phrase, `title:`); other clauses are optional and
    graded by coverage.
    """

    syllables: tuple[Syllable, ...]
    phrase: bool = False
    title_only: bool = False
    raw: str = ""
    alternatives: tuple[Alternative, ...] = ()
    required: bool = False
    prefix: bool = False  # `tram*`: the syllables beginning so (see rewrite.expand_prefixes)
    completions: int = 0  # a prefix's indexed syllables, of which the alternatives are the first

    @cached_property  # asked of every clause many times a search (plan keys, ranking's keys)
    def folded(self) -> tuple[str, ...]:
        return tuple(s.folded for s in self.syllables)

    @property
    def fields(self) -> tuple[str, ...]:
        return ("title",) if self.title_only else ("title", "body")


@dataclass(frozen=True)
class ParsedQuery:
    """Groups of clauses (each group: clauses of which one must match) and exclusions; which
    groups are required and which graded is the plan's to say (`searchkit.searching.plan`)."""

    text: str
    groups: tuple[tuple[Clause, ...], ...]
    excluded: tuple[Clause, ...] = ()


def parse_query(text: str | AnalysedQuery) -> ParsedQuery:
    """Parse a user's query (a string, or one analysed already: `ParsedQuery.text` is then
    its normalised text); raises QueryError when nothing searchable is left.

    >>> [[c.phrase for c in g] for g in parse_query('"trạm BTS" Đắk OR Dak').groups]
    [[True], [False, False]]
    """
    query = check_size(text)
    normalized = query.text.translate(_QUOTES)  # same length: the syllables' offsets hold
    groups, excluded = _parse(normalized, query.syllables, operators=True)
    if not groups and not excluded:  # 'AND OR' alone: the user meant the words themselves
        groups, excluded = _parse(normalized, query.syllables, operators=False)
    text = text if isinstance(text, str) else query.text
    if not groups:
        raise QueryError(kind="query.only_excluded" if excluded else "query.no_words", field="query", value=text)
    return ParsedQuery(text, tuple(tuple(g) for g in groups), tuple(excluded))


def check_size(query: str | AnalysedQuery) -> AnalysedQuery:
    """The query analysed; QueryError for one that is no text, too long to be meant (checked
    before any work on it), or with a word longer than any indexed."""
    text = query.typed if isinstance(query, AnalysedQuery) else query
    if not isinstance(text, str):
        raise QueryError(kind="query.not_text", field="query", value=text, hint={"type": type(text).__name__})
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(kind="query.too_long", field="query", value=text[:40] + "…",
                         hint={"length": len(text), "limit": MAX_QUERY_CHARS})
    query = analysed(query)
    word = query.longest
    if len(word) > MAX_WORD_LETTERS:
        raise QueryError(kind="query.word_too_long", field="query", value=word[:40] + "…",
                         hint={"word": word[:12], "letters": len(word), "limit": MAX_WORD_LETTERS})
    return query


def _parse(text: str, found: tuple[Syllable, ...], operators: bool) -> tuple[list[list[Clause]], list[Clause]]:
    """Groups and exclusions of `text`, whose syllables are `found` (`AnalysedQuery.syllables`)."""
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    join_next = negate_next = False
    budget = MAX_SYLLABLES
    starts = [s.start for s in found]
    for part in _PART.finditer(text):
        word = part.group("word")
        if operators and word in ("OR", "||", "AND", "&&", "NOT"):
            join_next = join_next or (word in ("OR", "||") and bool(groups))
            negate_next = negate_next or word == "NOT"
            continue
        clause = _clause(part, _within(part, found, starts), budget)
        if clause is None:
            continue
        budget -= len(clause.syllables)
        if part.group("neg") or negate_next:
            excluded.append(clause)
        elif join_next:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        join_next = negate_next = False
    return groups, excluded


def _within(part: re.Match, found: tuple[Syllable, ...], starts: list[int]) -> tuple[Syllable, ...]:
    """The syllables of a part's phrase or word, with offsets into it: a part ends at a space
    or a quote, where no syllable goes on, so they are those the text's split found there."""
    name = "phrase" if part.group("phrase") is not None else "word"
    begin, end = part.span(name)
    if begin < 0:
        return ()
    first = bisect_left(starts, begin)
    last = bisect_left(starts, end, first)
    return tuple(s._replace(start=s.start - begin, end=s.end - begin) for s in found[first:last])


def _clause(part: re.Match, found: tuple[Syllable, ...], budget: int) -> Clause | None:
    raw = part.group("phrase") if part.group("phrase") is not None else part.group("word")
    found = found[: max(budget, 0)]
    if not found:
        return None
    quoted = part.group("phrase") is not None
    title_only = bool(part.group("field"))
    prefix = not quoted and len(found) == 1 and (raw or "").endswith("*")
    found = (_number_prefix(raw, found[0]),) if prefix else found
    reading = None if prefix else date_reading(raw, found)
    return Clause(found, phrase=quoted or len(found) > 1, title_only=title_only,
                  raw=(raw or "").strip(), required=quoted or title_only or bool(part.group("plus")),
                  prefix=prefix, alternatives=(Alternative(reading),) if reading else ())


def _number_prefix(raw: str, syllable: Syllable) -> Syllable:
    """`2.*` and `2,*` are the numbers beginning `2,` (`2,5g`, `2,0`), not every one beginning
    with 2 (`2010`): the separator typed is part of the prefix.

    >>> from searchkit.text.syllables import syllables
    >>> _number_prefix("2.*", next(syllables("2.*"))).folded
    '2,'
    """
    if syllable.folded.isdecimal() and raw[syllable.end:syllable.end + 2] in (".*", ",*"):
        return syllable._replace(end=syllable.end + 1, accented=syllable.accented + ",", folded=syllable.folded + ",")
    return syllable
