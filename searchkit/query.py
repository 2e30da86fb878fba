"""Turn what a user typed into a Whoosh query over the accented and folded fields.

Syntax (forgiving: anything malformed degrades to plain words instead of failing):
free words (all must match), "quoted phrases", -word / -"phrase" / NOT word to exclude,
a OR b, title:word or title:"phrase" to search titles only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from searchkit.errors import QueryError
from searchkit.text.normalize import normalize_text
from searchkit.text.syllables import Syllable, syllables

#: Query syllables past this many are ignored (a pasted paragraph is not a query).
MAX_SYLLABLES = 32
FIELD_BOOSTS = {"title": 2.5, "body": 1.0}
#: Extra weight of a match that also agrees in accents when the user typed accents.
ACCENT_BOOST = 1.0
PROXIMITY_BOOST = 1.5
COMPOUND_BOOST = 0.5
#: Weight of an alternative form of a clause (CNTT for công nghệ thông tin and back):
#: below the typed form, so articles that say it as typed rank a little higher.
ALTERNATIVE_BOOST = 0.8

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_PART = re.compile(
    r'(?P<neg>-)?(?:(?P<field>title|tieude|tiêu_đề):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))',
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
    `raw` is the clause as typed (`TT&TT`), for recognising abbreviations.
    """

    syllables: tuple[Syllable, ...]
    phrase: bool = False
    title_only: bool = False
    raw: str = ""
    alternatives: tuple[Alternative, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return ("title",) if self.title_only else ("title", "body")


@dataclass(frozen=True)
class ParsedQuery:
    """Groups that must all match (each group: clauses of which one must match), exclusions."""

    text: str
    groups: tuple[tuple[Clause, ...], ...]
    excluded: tuple[Clause, ...] = ()

    def highlight_terms(self, title: bool = False) -> dict[str, frozenset[str]]:
        """Folded syllable -> accented forms typed (empty: any), for a body or a title."""
        terms: dict[str, set[str] | None] = {}
        for group in self.groups:
            for clause in group:
                if clause.title_only and not title:
                    continue
                for s in clause.syllables:
                    typed = terms.setdefault(s.folded, set())
                    if typed is None or s.accented == s.folded:
                        terms[s.folded] = None  # typed without accents: any variant
                    else:
                        typed.add(s.accented)
                for alternative in clause.alternatives:  # phrases would light up every 'tin'
                    if len(alternative.folded) == 1:
                        terms[alternative.folded[0]] = None
        return {folded: frozenset(typed or ()) for folded, typed in terms.items()}


def parse_query(text: str) -> ParsedQuery:
    """Parse a user's query; raises QueryError when nothing searchable is left.

    >>> [[c.phrase for c in g] for g in parse_query('"trạm BTS" Đắk OR Dak').groups]
    [[True], [False, False]]
    """
    if not isinstance(text, str):
        raise QueryError("the query must be text")
    normalized = normalize_text(unicodedata.normalize("NFC", text)).translate(_QUOTES)
    groups, excluded = _parse(normalized, operators=True)
    if not groups and not excluded:  # 'AND OR' alone: the user meant the words themselves
        groups, excluded = _parse(normalized, operators=False)
    if not groups:
        reason = "only excluded words" if excluded else "no words"
        raise QueryError(
            f"the query has {reason} to look for; type at least one word, "
            'e.g. searchkit query "trạm BTS"'
        )
    return ParsedQuery(text, tuple(tuple(g) for g in groups), tuple(excluded))


def _parse(text: str, operators: bool) -> tuple[list[list[Clause]], list[Clause]]:
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    join_next = negate_next = False
    budget = MAX_SYLLABLES
    for part in _PART.finditer(text):
        word = part.group("word")
        if operators and word in ("OR", "||", "AND", "&&", "NOT"):
            join_next = join_next or (word in ("OR", "||") and bool(groups))
            negate_next = negate_next or word == "NOT"
            continue
        clause = _clause(part, budget)
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


def _clause(part: re.Match, budget: int) -> Clause | None:
    raw = part.group("phrase") if part.group("phrase") is not None else part.group("word")
    found = tuple(syllables(raw or ""))[: max(budget, 0)]
    if not found:
        return None
    quoted = part.group("phrase") is not None
    return Clause(found, phrase=quoted or len(found) > 1, title_only=bool(part.group("field")),
                  raw=(raw or "").strip())


def build_query(parsed: ParsedQuery):
    """The Whoosh query: required groups, optional proximity and compound boosts, exclusions."""
    from whoosh import query as q

    required = [_group_query(group) for group in parsed.groups]
    main = required[0] if len(required) == 1 else q.And(required)
    boosts = _boost_queries(parsed)
    if boosts:
        main = q.AndMaybe(main, q.Or(boosts))
    if parsed.excluded:
        main = q.AndNot(main, q.Or([_clause_query(c) for c in parsed.excluded]))
    return main


def _group_query(group: tuple[Clause, ...]):
    from whoosh import query as q

    queries = [_clause_query(clause) for clause in group]
    return queries[0] if len(queries) == 1 else q.Or(queries)


def _clause_query(clause: Clause):
    """The clause as typed, or one of its alternatives (weighted a little lower)."""
    from whoosh import query as q

    typed = _typed_query(clause)
    if not clause.alternatives:
        return typed
    return q.Or([typed] + [
        _folded_query(a.folded, clause.fields, a.boost * _length_ratio(clause, a))
        for a in clause.alternatives
    ])


def _length_ratio(clause: Clause, alternative: Alternative) -> float:
    """A phrase scores the sum of its words: scale a longer alternative down to the typed length,
    so `công nghệ thông tin` (four words) does not outscore `CNTT` (one) when CNTT was typed."""
    return min(1.0, len(clause.syllables) / len(alternative.folded))


def _folded_query(folded: tuple[str, ...], fields: tuple[str, ...], boost: float = 1.0):
    """A folded word or phrase in the folded fields: `("cntt",)`, `("tt", "tt")`."""
    from whoosh import query as q

    if len(folded) == 1:
        queries = [q.Term(f"{f}_f", folded[0], boost=FIELD_BOOSTS[f] * boost) for f in fields]
    else:
        queries = [q.Phrase(f"{f}_f", list(folded), boost=FIELD_BOOSTS[f] * boost) for f in fields]
    return queries[0] if len(queries) == 1 else q.Or(queries)


def _typed_query(clause: Clause):
    """Folded forms must match; accented forms, when typed, add to the score."""
    from whoosh import query as q

    if not clause.phrase:
        words = [_syllable_query(s, clause.fields) for s in clause.syllables]
        return words[0] if len(words) == 1 else q.And(words)
    folded = [s.folded for s in clause.syllables]
    must = q.Or([q.Phrase(f"{f}_f", folded, boost=FIELD_BOOSTS[f]) for f in clause.fields])
    bonus = [_accent_terms(s, clause.fields) for s in clause.syllables]
    bonus = [term for terms in bonus for term in terms]
    return q.AndMaybe(must, q.Or(bonus)) if bonus else must


def _accent_terms(syllable: Syllable, fields: tuple[str, ...]) -> list:
    """The typed accented form in the accented fields: empty when typed without marks."""
    from whoosh import query as q

    if syllable.accented == syllable.folded:
        return []
    return [q.Term(f, syllable.accented, boost=FIELD_BOOSTS[f] * ACCENT_BOOST) for f in fields]


def _syllable_query(syllable: Syllable, fields: tuple[str, ...]):
    from whoosh import query as q

    alternatives = [q.Term(f"{f}_f", syllable.folded, boost=FIELD_BOOSTS[f]) for f in fields]
    return q.Or(alternatives + _accent_terms(syllable, fields))


def _free_runs(parsed: ParsedQuery) -> list[list[Syllable]]:
    """Runs of consecutive single-word clauses (the words a user typed side by side)."""
    runs: list[list[Syllable]] = [[]]
    for group in parsed.groups:
        clause = group[0]
        if len(group) == 1 and not clause.phrase and not clause.title_only:
            runs[-1].extend(clause.syllables)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def _boost_queries(parsed: ParsedQuery) -> list:
    """Reward articles where the typed words stand together or form pyvi compounds."""
    from whoosh import query as q

    boosts = []
    for run in _free_runs(parsed):
        folded = [s.folded for s in run]
        boosts += [q.Phrase(f"{f}_f", folded, slop=2, boost=PROXIMITY_BOOST * FIELD_BOOSTS[f])
                   for f in FIELD_BOOSTS]
        boosts += _compound_terms(run)
    return boosts


def _compound_terms(run: list[Syllable]) -> list:
    """pyvi words ('bán_hàng') among the typed syllables; accented, so only for typed accents."""
    from whoosh import query as q

    accented = [s.accented for s in run]
    return [
        q.Term("words", "_".join(accented[i:i + size]), boost=COMPOUND_BOOST)
        for size in (2, 3) for i in range(len(run) - size + 1)
        if any(s.accented != s.folded for s in run[i:i + size])
    ]
