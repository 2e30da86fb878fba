"""The search itself, once for every store: plan → candidates → rank → collect → highlight,
explain, suggest.

A store answers through a `backend.View` (statistics, candidates, stored fields, facet and
sort values); everything here is the same whether the articles live in the local index, in
Typesense or in memory. `SearchEngine` checks the user's options and calls these functions
inside `Backend.reading`.

    >>> from searchkit import SearchEngine
    >>> SearchEngine("index").search("trạm BTS", sort="date", limit=2).hits[0].date
    '2011-05-31'
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from typing import TYPE_CHECKING

from searchkit.errors import QueryError
from searchkit.fields import folded_field
from searchkit.models import Explanation, Hit, Results, heading, heading_end
from searchkit.searching.analysed import AnalysedQuery, analysed
from searchkit.searching.backend import FACETS, Candidates, View
from searchkit.searching.filters import Filters, check_known
from searchkit.searching.highlight import Highlighting, full_snippet_hits
from searchkit.searching.plan import QueryPlan, names_in, plan_query, restored_forms
from searchkit.searching.query import check_size, parse_query
from searchkit.searching.rewrite import (
    Vocabulary,
    decode_typing,
    expand_abbreviations,
    expand_prefixes,
    typed_as_abbreviation,
)
from searchkit.searching.snippet_cache import KEPT
from searchkit.searching.suggest import Suggester, spelling_evidence
from searchkit.text.fold import fold, has_marks
from searchkit.text.keys import folded_key

if TYPE_CHECKING:
    import numpy as np

    from searchkit.searching.abbreviations import Abbreviations

#: Hits of one page that get snippets: past them (a page of 1,000), titles only, so that no
#: page costs more than a fraction of a second to highlight (a page of 1,000 hits of 31
#: prefixes matching nearly every word: 0.4 s of CPU with 200, issue 18).
MAX_SNIPPET_HITS = 100
#: CPU seconds (this thread's) a search may have spent since its plan was made before a hit's
#: snippets are made: past them, the hits left get none. The deterministic caps (prefixes,
#: `full_snippet_hits`) keep every query under it on the 16k corpus; this guards against what
#: they do not foresee. What the plan loads once per index generation (its statistics, rebuilt
#: in the first search after a cache was lost or an upgrade changed its format: 1 s at 16k
#: articles) does not count: that first answer has its snippets too.
SNIPPET_DEADLINE = 0.3
#: `Results.note` of a page whose later hits got cheaper snippets, or none.
LEAD_NOTE = ("snippets: passages chosen for the first {full} hits, the opening passage for hits {first}–{last} "
             "(the query marks {words} words)")
LATE_NOTE = "snippets: none from hit {place} on (the search had used {seconds} s of CPU)"
#: Hits an explanation looks among: a store that hands over candidates finds them as a
#: search for this many hits would.
EXPLAIN_DEPTH = 250
#: `Results.note` of a store without spelling statistics.
NO_SUGGEST_NOTE = "did-you-mean is off on the {name} backend (its spelling statistics live in the local index only)"


def search(view: View, table: Abbreviations, query: str | AnalysedQuery, *, limit: int, offset: int,
           snippets: int, chosen: Filters, sort: str, facets: bool, explain: bool, suggest: bool = True,
           name: str = "") -> Results:
    """`SearchEngine.search` on a view, its options already checked (`suggest`: the store
    keeps spelling statistics; `name`: the store's, for the note when it does not). The
    query is analysed once (`AnalysedQuery`); every step below reads that analysis."""
    from searchkit.searching.ranking import Trace, rank

    check_known(chosen, view.known_values)
    typed = check_size(query)
    vocabulary = view.vocabulary(typed)
    plan = make_plan(typed, vocabulary, table)
    if suggest:
        plan = with_restoration(view, vocabulary, table, plan)
    started = time.thread_time()
    found = view.candidates(plan, chosen, sort=sort, depth=offset + limit, facets=facets)
    trace = Trace() if explain else None
    depth = offset + limit if sort == "relevance" else None  # sorted by date: the newest matches' scores are read
    days = view.days(found) if sort == "date" else None
    ranked = rank(found.arrays, plan, found.allowed, trace, depth, None if days is None else (days, offset + limit))
    if not ranked.total and suggest:
        plan, found, ranked, days = _retry(view, vocabulary, table, plan, chosen, sort, offset + limit, facets,
                                           trace) or (plan, found, ranked, days)
    best = by_date(days, ranked, limit, offset) if sort == "date" else ranked.top(limit, offset)
    marks = highlighting_of(plan, found.arrays, ranked.matches)
    stored = view.stored(found, [doc for doc, _ in best])
    hits, notes = with_snippets(best, stored, marks, snippets, started,
                                lambda doc: explanation(ranked, trace, doc) if trace else None)
    if not suggest:
        notes.append(NO_SUGGEST_NOTE.format(name=name))
    suggestion = None if plan.corrected or not suggest else _suggest(view, vocabulary, table, hits, plan.analysed)
    total = ranked.total if found.complete else max(ranked.total, found.found)
    counted = {}
    if facets:
        counted = facet_counts(view, found, ranked) if found.complete else ordered(found.facets or {})
    return Results(query=typed.shown, total=total, hits=hits, searched=searched(plan, ranked.matches),
                   suggestion=suggestion, facets=counted, corrected=plan.corrected, complete=ranked.complete,
                   offset=offset, note="; ".join(notes) or None,
                   plan={**plan.to_dict(), "weights": trace.weights,
                         "accents": [m.to_dict() for m in ranked.matches.values()]} if trace else None)


def explain(view: View, table: Abbreviations, query: str, article_id: str, chosen: Filters) -> Explanation | None:
    """`SearchEngine.explain` on a view: the plan as typed (no restoration), ranked as a
    search of EXPLAIN_DEPTH hits ranks it."""
    from searchkit.searching.ranking import Trace, rank

    typed = check_size(query)
    plan = make_plan(typed, view.vocabulary(typed), table)
    found = view.candidates(plan, chosen, sort="relevance", depth=EXPLAIN_DEPTH, facets=False)
    trace = Trace()
    ranked = rank(found.arrays, plan, found.allowed, trace)
    doc = view.docnum(found, article_id)
    if doc is None or not ranked.matched[doc]:
        return None
    return explanation(ranked, trace, doc)


def highlighting(view: View, table: Abbreviations, query: str, suggest: bool = True) -> tuple[Highlighting, Highlighting]:
    """`SearchEngine.highlighting` on a view."""
    typed = check_size(query)
    vocabulary = view.vocabulary(typed)
    plan = make_plan(typed, vocabulary, table)
    if suggest:
        plan = with_restoration(view, vocabulary, table, plan)
    return highlighting_of(plan, view.statistics(plan))


def restore_accents(view: View, table: Abbreviations, text: str) -> str:
    """`SearchEngine.restore_accents` on a view (a store with spelling statistics)."""
    typed = AnalysedQuery.of(text)  # any length: no search
    return suggester(view, view.vocabulary(typed), table).rewrite(typed)


def complete(view: View, typed: str, limit: int) -> list[str]:
    """`SearchEngine.complete` on a view: the words typed with Telex or VNI keys are read as the
    search reads them (`truyeenf th` completes `truyền th`), then completed from the store."""
    text = AnalysedQuery.of(typed)
    return view.complete(decode_typing(text, view.vocabulary(text)), limit) if text.text.strip() else []


def make_plan(query: str | AnalysedQuery, vocabulary: Vocabulary, table: Abbreviations,
              corrected: bool = False) -> QueryPlan:
    """The query planned against the store's vocabulary (Telex, abbreviations, prefixes)."""
    plan = plan_query(query, decode=lambda typed: decode_typing(typed, vocabulary),
                      expand=lambda parsed: expand_prefixes(expand_abbreviations(parsed, table), vocabulary),
                      frequency=vocabulary.frequency)
    return dataclasses.replace(plan, searched=query, corrected=True) if corrected else plan


def with_restoration(view: View, vocabulary: Vocabulary, table: Abbreviations, plan: QueryPlan) -> QueryPlan:
    """A short query typed without accents gains the names its restoration writes with
    capitals (`cntt tay nguyen` → *CNTT Tây Nguyên*): ranking then counts `tay nguyen`
    whole only where the two words stand together, whatever their accents; and the words
    typed side by side earn their bonus where they stand as restored (`chu ky so`: *chữ
    ký số*, not *chu kỳ số*)."""
    from searchkit.searching.ranking import LONG_QUERY

    if plan.searched or len(plan.optional) > LONG_QUERY or _marked(plan) or not plan.neighbours:
        return plan
    restored = suggester(view, vocabulary, table).suggest(plan.analysed or plan.parsed.text)
    if not restored:
        return plan
    parsed = parse_query(restored)  # the restoration, parsed once for both
    return dataclasses.replace(plan, restored_names=names_in(parsed, plan),
                               restored_forms=restored_forms(parsed, plan))


def _marked(plan: QueryPlan) -> bool:
    """Whether the query was typed with marks (its analysis says, once)."""
    return plan.analysed.marked if plan.analysed is not None else has_marks(plan.query)


def _retry(view: View, vocabulary: Vocabulary, table: Abbreviations, plan: QueryPlan, chosen: Filters,
           sort: str, depth: int, facets: bool, trace):
    """(plan, candidates, ranked, days: sorted by date, the candidates' days) of the
    did-you-mean when the query found nothing and it finds something, else None: like
    Meilisearch and Typesense, no retyping needed."""
    from searchkit.searching.ranking import rank

    suggestion = _suggest(view, vocabulary, table, (), plan.analysed or plan.searched or plan.query)
    if not suggestion:
        return None
    try:
        retried = make_plan(suggestion, vocabulary, table, corrected=True)
    except QueryError:
        return None
    found = view.candidates(retried, chosen, sort=sort, depth=depth, facets=facets)
    days = view.days(found) if sort == "date" else None
    ranked = rank(found.arrays, retried, found.allowed, trace, depth if sort == "relevance" else None,
                  None if days is None else (days, depth))
    return (retried, found, ranked, days) if ranked.total else None


def _suggest(view: View, vocabulary: Vocabulary, table: Abbreviations, hits,
             typed: str | AnalysedQuery | None) -> str | None:
    """Did-you-mean for what was searched (its analysis: the words split once): accents
    restored, misspellings corrected."""
    query = analysed(typed)
    return suggester(view, vocabulary, table, spelling_evidence(hits) if not query.marked
                     else None).suggest(query)


def suggester(view: View, vocabulary: Vocabulary, table: Abbreviations, evidence=None) -> Suggester:
    """The did-you-mean model over the store's vocabulary and spelling statistics."""
    return Suggester(vocabulary.frequency, vocabulary.accented_frequency, view.spellings, evidence,
                     keep=lambda word: typed_as_abbreviation(word, table), pairs=view.pairs)


# ---------------------------------------------------------------------- collecting


def by_date(days: np.ndarray, ranked, limit: int, offset: int = 0) -> list[tuple[int, float]]:
    """Newest first, undated (0) last; equal dates by relevance, then doc number. Only the
    matches as new as the page's last one are sorted (`ranking.newest_matches`: the ones
    `rank` chose and scored for this page, when it did): sorting every match by four keys was
    a quarter of a date-sorted search over 259,000 articles (6 ms), for a page of ten."""
    import numpy as np

    from searchkit.searching.ranking import newest_matches

    chosen = ranked.newest
    docs = chosen[1] if chosen is not None and chosen[0] == offset + limit else \
        newest_matches(days, ranked.matched, offset + limit)
    when = days.take(docs)
    order = np.lexsort((docs, -ranked.scores[docs], -when, when == 0))[offset:offset + limit]
    return [(int(docs[i]), float(ranked.scores[docs[i]])) for i in order]


def facet_counts(view: View, found: Candidates, ranked) -> dict[str, dict[str, int]]:
    """Matches by province, year, source and category (see `ordered`); articles without the
    value left out. A store that numbers its values (`facet_codes`: the local index, once
    per generation) has them counted in numpy; the others' few candidates one by one."""
    coded = getattr(view, "facet_codes", None)
    if coded is not None:
        return ordered({name: coded(found, name).counted(ranked.matched) for name in FACETS})
    docs = ranked.matched.nonzero()[0].tolist()
    counts = {}
    for name in FACETS:
        values = view.facet_values(found, name)
        counted: Counter = Counter()
        for value in (values[d] for d in docs):
            if isinstance(value, tuple):  # a field with several values: each counts
                counted.update(value)
            elif value:
                counted[value] += 1
        counts[name] = dict(counted)
    return ordered(counts)


def ordered(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Counts by facet, most first (ties by name), years newest first; spellings of one
    folded key counted together under the most common one (`5G` 3, `5g` 1 → `5G` 4)."""
    if not counts:
        return {}
    return {name: dict(sorted(counts.get(name, {}).items(), reverse=True)) if name == "year"
            else most_first(by_key(counts.get(name, {}))) for name in FACETS}


def by_key(counts: dict[str, int]) -> dict[str, int]:
    """Counts of spellings summed by folded key, under the most common spelling (ties: the
    first in Unicode order).

    >>> by_key({"Viettel": 3, "viettel": 1, "VNPT": 2})
    {'Viettel': 4, 'VNPT': 2}
    """
    groups: dict[str, list[tuple[str, int]]] = {}
    for spelled, count in counts.items():
        groups.setdefault(folded_key(spelled), []).append((spelled, count))
    if all(len(group) == 1 for group in groups.values()):
        return counts
    return {min(group, key=lambda item: (-item[1], item[0]))[0]: sum(count for _, count in group)
            for group in groups.values()}


def most_first(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], folded_key(item[0]), item[0])))


def with_snippets(best: list[tuple[int, float]], stored: list, marks: tuple[Highlighting, Highlighting],
                  snippets: int, started: float, explain) -> tuple[tuple[Hit, ...], list[str]]:
    """The page's hits and the notes on their snippets. Snippet work is bounded: up to
    `snippets` passages for the first `full_snippet_hits`, the opening passage for the next
    up to MAX_SNIPPET_HITS, none after them, nor after SNIPPET_DEADLINE s of CPU since
    `started` (a `time.thread_time()`). `explain(doc)`: the hit's explanation or None."""
    shown = min(len(best), MAX_SNIPPET_HITS) if snippets > 0 else 0
    full = full_snippet_hits(marks[1].words, shown)
    hits, late = [], None
    for place, ((doc, score), fields) in enumerate(zip(best, stored)):
        if fields is None:
            continue
        if late is None and place < shown and time.thread_time() - started >= SNIPPET_DEADLINE:
            late = place
        count = snippets if place < shown and late is None else 0
        hits.append(hit(fields, score, marks, count, explain(doc), lead=place >= full))
    notes = []
    if full < shown and (late is None or late > full):
        notes.append(LEAD_NOTE.format(full=full, first=full + 1, last=shown if late is None else late,
                                      words=marks[1].words))
    if late is not None:
        notes.append(LATE_NOTE.format(place=late + 1, seconds=SNIPPET_DEADLINE))
    return tuple(hits), notes


def hit(fields: dict, score: float, marks: tuple[Highlighting, Highlighting], snippets: int,
        explained: Explanation | None = None, lead: bool = False) -> Hit:
    """One hit from an article's stored fields, its title and body marked; `lead`: its
    snippet is the article's opening passage (`Highlighting.lead`), not chosen passages."""
    body = fields.get("body", "")
    title = heading(fields.get("title", ""), body)  # untitled: the first sentence, not a passage too
    shown = heading_end(fields.get("title", ""), body)
    title_spans, passages = KEPT.get(_marks_key(fields, title, body, marks, snippets, lead), lambda: (
        tuple(marks[0].spans(title)),
        (marks[1].lead(body, shown) if lead else marks[1].snippets(body, snippets, shown)) if snippets > 0 else ()))
    return Hit(
        id=fields["id"], title=title, score=score,
        date=fields.get("date"), source=fields.get("source"), category=fields.get("category"),
        url=fields.get("url"), author=fields.get("author"), province=fields.get("province"),
        tags=tuple(fields.get("tags") or ()), mentions=tuple(fields.get("mentions") or ()),
        title_spans=title_spans, snippets=passages, explanation=explained,
    )


def _marks_key(fields: dict, title: str, body: str, marks: tuple[Highlighting, Highlighting], snippets: int,
               lead: bool) -> tuple | None:
    """What a hit's marks are a function of (`snippet_cache`); None for an article without a
    content hash."""
    content = fields.get("hash")
    if not content or not isinstance(content, str):
        return None
    return fields["id"], content, len(title), len(body), marks[0].key, marks[1].key, snippets, lead


def searched(plan: QueryPlan, matches: dict) -> str | None:
    """What was searched when it differs from what was typed: Telex decoded, the did-you-mean,
    and words typed with accents that the index (almost) lacks, searched without them
    (`trám BTS` → `tram BTS`)."""
    text = plan.searched or plan.parsed.text
    fallen = {(m.accented, m.folded) for m in matches.values() if m.fallback}
    if not fallen:
        return plan.searched
    if plan.analysed is not None and plan.analysed.text == text:
        split = plan.analysed.syllables  # split once
    else:
        from searchkit.text.syllables import syllables

        split = tuple(syllables(text))
    pieces, last = [], 0
    for syllable in split:
        if (syllable.accented, syllable.folded) in fallen:
            pieces += [text[last:syllable.start], fold(text[syllable.start:syllable.end])]
            last = syllable.end
    return "".join(pieces) + text[last:]


def highlighting_of(plan: QueryPlan, arrays, matches: dict | None = None) -> tuple[Highlighting, Highlighting]:
    """How to mark titles and bodies: a word typed with accents marks its exact forms (unless
    it fell back to any); a long query's words found in most articles are marked only beside
    a telling word."""
    from searchkit.searching.ranking import COMMON_SHARE, LONG_QUERY, accent_matches

    if matches is None:
        matches = accent_matches(arrays, plan)

    glue: frozenset[str] = frozenset()
    if len(plan.optional) > LONG_QUERY:
        body = folded_field("body").name
        common = arrays.count * COMMON_SHARE
        glue = frozenset(s.folded for c in plan.optional_clauses for s in c.syllables
                         if arrays.document_frequency(body, s.folded) > common)
    return plan.highlighting(title=True, glue=glue, matches=matches), plan.highlighting(glue=glue, matches=matches)


def explanation(ranked, trace, doc: int) -> Explanation:
    """The score of one doc number, part by part (`--explain`)."""
    from searchkit.searching.ranking import COVERAGE_POWER

    covered = float(trace.coverage[doc]) if trace.coverage is not None else 1.0
    parts = trace.of(doc)
    return Explanation(
        score=float(ranked.scores[doc]), relevance=sum(parts.values()), coverage=covered,
        power=COVERAGE_POWER, complete=bool(trace.complete[doc]) if trace.complete is not None else True,
        first=bool(ranked.first[doc]) if ranked.first is not None else False,
        parts=tuple(parts.items()),
    )


