"""Snippets: the passages of an article where the query matched, with highlight spans.

Spans come from the same syllable analysis as the index, so a folded match
(`tram` typed, `trạm` written) highlights the word exactly as it stands in the article.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Iterable, Mapping

from searchkit.models import Snippet
from searchkit.text.syllables import find_syllables

ELLIPSIS = "…"
#: Only the first matches are tried as snippet anchors: long articles stay fast.
MAX_CANDIDATES = 40
#: Snippets are cut from the part of an article holding its first this many matching
#: syllables: a query matching nearly every word (`t* n* c*`) costs the same on every
#: article, and three snippets of a few dozen words never need more.
MAX_SNIPPET_MATCHES = 150
#: Snippet work one page may spend (issue 18): hits given full snippets × syllables the
#: query marks. Choosing passages scores up to MAX_CANDIDATES windows a hit (and those a
#: passage taken cuts, again), and a query marking hundreds of syllables (`th* l* đ* …`)
#: fills every window; so a query of a few words gives full snippets to every hit that gets
#: snippets, a storm of prefixes to the first FULL_SNIPPET_HITS only, and the hits after them
#: get the article's opening passage (`Highlighting.lead`: one paragraph scanned, whatever the
#: article's length).
SNIPPET_WORK = 2_000
FULL_SNIPPET_HITS = 20
#: Two passages whose matches stand amid the same this many characters of their paragraph on
#: either side are one passage twice (an article that repeats its lead): one is shown.
SAME_CONTEXT = 30


Terms = Mapping[str, frozenset[str]]
_NONE: Terms = MappingProxyType({})  # no preferred spellings


def as_terms(terms: Iterable[str] | Terms) -> Terms:
    """Folded term -> accented forms the user typed (empty: any accents will do)."""
    return terms if isinstance(terms, Mapping) else {term: frozenset() for term in terms}


Phrases = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Highlighting:
    """What to mark in an article: `terms` (folded -> accented forms typed, empty: any)
    anywhere, the syllables of `phrases` only where the whole phrase stands.

    >>> Highlighting({"bts": frozenset()}, (("tram", "bts"),)).spans("trăm trạm BTS, BTS")
    [(5, 13), (15, 18)]
    """

    terms: Mapping[str, frozenset[str]]
    phrases: Phrases = ()
    inside: frozenset[str] = frozenset()  # terms marked only inside a phrase (a name's words)
    preferred: Mapping[str, frozenset[str]] = field(default_factory=dict)  # see `_matches`

    def spans(self, text: str) -> list[tuple[int, int]]:
        return match_spans(text, self.terms, self.phrases, self.inside, self.preferred)

    @cached_property
    def key(self) -> tuple:
        """What the marks depend on, hashable (`snippet_cache`).

        >>> Highlighting({"tram": frozenset({"trạm"})}, (("tram", "bts"),)).key
        ((('tram', ('trạm',)),), (('tram', 'bts'),), (), ())
        """
        def sorted_terms(terms: Terms) -> tuple:
            return tuple(sorted((folded, tuple(sorted(forms))) for folded, forms in terms.items()))

        return sorted_terms(self.terms), tuple(map(tuple, self.phrases)), tuple(sorted(self.inside)), \
            sorted_terms(self.preferred)

    def snippets(self, text: str, count: int = 3, shown: int = 0) -> tuple[Snippet, ...]:
        return make_snippets(text, self.terms, count=count, phrases=self.phrases, inside=self.inside,
                             preferred=self.preferred, shown=shown)

    def lead(self, text: str, shown: int = 0) -> tuple[Snippet, ...]:
        """The cheap snippet: the opening passage, its matches marked (`lead_snippet`)."""
        return lead_snippet(text, self.terms, phrases=self.phrases, inside=self.inside, preferred=self.preferred,
                            shown=shown)

    @property
    def words(self) -> int:
        """How many syllables this marks: what a snippet's work grows with (`full_snippet_hits`)."""
        return len(_wanted(self.terms, self.phrases))


def full_snippet_hits(words: int, hits: int) -> int:
    """How many of a page's first `hits` get full snippets when the query marks `words`
    syllables: all of them within SNIPPET_WORK, never fewer than FULL_SNIPPET_HITS.

    >>> full_snippet_hits(3, 100), full_snippet_hits(40, 100), full_snippet_hits(200, 100), full_snippet_hits(200, 8)
    (100, 50, 20, 8)
    """
    return min(hits, max(FULL_SNIPPET_HITS, SNIPPET_WORK // max(words, 1)))


def match_spans(text: str, terms: Iterable[str] | Terms, phrases: Phrases = (),
                inside: frozenset[str] = frozenset(), preferred: Terms = _NONE) -> list[tuple[int, int]]:
    """[start, end) of every syllable of `text` that matches a query term.

    `terms` maps folded forms to the accented forms typed. Where the text has the
    typed accents, only those occurrences are marked (`trạm`, not `trăm`) unless the
    variant stands beside another match (`Đăk Nông` for `Đắk Nông`); where it has none,
    every folded match is (the article spells it `Dak`, the user typed `Đắk`).
    Neighbouring matches separated only by spaces are merged into one span. The syllables
    of `phrases` (folded) that are not `terms` themselves are marked only where the whole
    phrase stands.

    >>> match_spans("xây dựng trạm BTS mới", {"tram", "bts"})
    [(9, 17)]
    >>> match_spans("chủ sở hữu chữ ký số", {}, phrases=(("chu", "ki", "so"),))
    [(11, 20)]
    """
    return [(start, end) for start, end, _ in _matches(text, as_terms(terms), phrases, inside, preferred)]


def _matches(text: str, terms: Terms, phrases: Phrases = (), inside: frozenset[str] = frozenset(),
             preferred: Terms = _NONE, candidates: list | None = None) -> list[tuple[int, int, frozenset[str]]]:
    """Merged match spans, each with the set of query terms it contains; `inside`: terms
    whose accents `terms` gives but that are marked only within a phrase; `preferred`: the
    spellings of words typed without accents that their restoration gives (`tram` → *trạm*),
    the only ones marked in a text that holds them (*trạm*, not *trăm*), every one elsewhere;
    `candidates`: `find_syllables` of the text already found.

    >>> text = "Hai trạm BTS, trăm nghìn"
    >>> [text[a:b] for a, b, _ in _matches(text, {"tram": frozenset(), "bts": frozenset()},
    ...                                     preferred={"tram": frozenset({"trạm"})})]
    ['trạm BTS']
    """
    if candidates is None:
        candidates = find_syllables(text, _wanted(terms, phrases))
    if phrases:
        candidates = _in_phrases(text, candidates, set(terms) - inside, phrases)
    terms = {**{s: frozenset() for phrase in phrases for s in phrase}, **terms}
    held = {c.folded for c in candidates if c.accented in preferred.get(c.folded, ())}
    terms.update({folded: preferred[folded] for folded in held if not terms.get(folded)})
    found: list[tuple[int, int, frozenset[str]]] = []
    for syllable in candidates:
        wanted = terms[syllable.folded]
        if wanted and syllable.accented not in wanted:  # typed with accents: its exact forms only
            continue
        if found and text[found[-1][1]:syllable.start].isspace():
            start, _, words = found[-1]
            found[-1] = (start, syllable.end, words | {syllable.folded})
        else:
            found.append((syllable.start, syllable.end, frozenset((syllable.folded,))))
    return found


def _wanted(terms: Terms, phrases: Phrases) -> set[str]:
    return set(terms) | {s for phrase in phrases for s in phrase}


def _in_phrases(text: str, candidates: list, loose: set[str], phrases: Phrases) -> list:
    """The candidates that may be marked: loose terms anywhere, phrase syllables only inside
    a run of adjacent candidates spelling the whole phrase. Runs are looked up by length, so
    a long query's hundreds of phrases cost no more than a few."""
    keep = [c.folded in loose for c in candidates]
    folded = [c.folded for c in candidates]
    by_size: dict[int, set[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_size.setdefault(len(phrase), set()).add(tuple(phrase))
    for size, wanted in by_size.items():
        for i in range(len(candidates) - size + 1):
            if tuple(folded[i:i + size]) in wanted and all(
                    not _has_word(text[a.end:b.start]) for a, b in zip(candidates[i:i + size - 1],
                                                                      candidates[i + 1:i + size])):
                keep[i:i + size] = [True] * size
    return [c for c, kept in zip(candidates, keep) if kept]


def _has_word(gap: str) -> bool:
    return any(ch.isalnum() for ch in gap)


def make_snippets(text: str, terms: Iterable[str] | Terms, count: int = 3, width: int = 220,
                  phrases: Phrases = (), inside: frozenset[str] = frozenset(),
                  preferred: Terms = _NONE, shown: int = 0) -> tuple[Snippet, ...]:
    """Up to `count` passages of about `width` characters around the densest matches, each
    a different part of the article (`_passages`), none within text[:shown] (an untitled
    article's heading, `models.heading_end`: the hit shows it as its title).

    With no match past `shown`, the opening passage after it (no spans) so that a hit always
    shows text.
    """
    if count < 1:
        return ()
    terms = as_terms(terms)
    candidates = find_syllables(text, _wanted(terms, phrases), limit=MAX_SNIPPET_MATCHES)
    seen = candidates[-1].end if len(candidates) == MAX_SNIPPET_MATCHES else len(text)  # where matches are known
    matches = _matches(text, terms, phrases, inside, preferred, candidates)
    after = [match for match in matches if match[0] >= shown]
    if not after:
        return _opening(text, width, shown, [])
    step = max(1, len(after) // MAX_CANDIDATES)  # anchors spread over the whole article
    anchors = [start for start, _, _ in after[::step][:MAX_CANDIDATES]]
    chosen = _passages(text, matches, anchors, count, width, seen, shown)
    spans = [(start, end) for start, end, _ in matches]
    return tuple(_snippet(text, s, e, spans) for s, e in chosen) or _opening(text, width, shown, spans)


def lead_snippet(text: str, terms: Iterable[str] | Terms, width: int = 220, phrases: Phrases = (),
                 inside: frozenset[str] = frozenset(), preferred: Terms = _NONE,
                 shown: int = 0) -> tuple[Snippet, ...]:
    """The opening passage of `text` after text[:shown] (about `width` characters of one
    paragraph) with the matches inside it marked: only that passage is scanned, however long
    the article.

    >>> text = "Trạm BTS mới ở Đắk Nông.\\nĐoạn hai: trạm BTS."
    >>> lead_snippet(text, {"tram", "bts"}), lead_snippet(text, {"tram", "bts"}, shown=24)[0].text
    ((Snippet(text='Trạm BTS mới ở Đắk Nông.', spans=((0, 8),)),), 'Đoạn hai: trạm BTS.')
    """
    start, end = _opening_window(text, width, shown)
    if end <= start:
        return ()
    found = _matches(text[:end], as_terms(terms), phrases, inside, preferred)
    return (_snippet(text, start, end, [(a, b) for a, b, _ in found]),)


def _opening(text: str, width: int, shown: int, spans: list[tuple[int, int]]) -> tuple[Snippet, ...]:
    """The opening passage after text[:shown], its `spans` marked; none in an empty text."""
    start, end = _opening_window(text, width, shown)
    return (_snippet(text, start, end, spans),) if end > start else ()


def _opening_window(text: str, width: int, shown: int) -> tuple[int, int]:
    """The first window of `text` after text[:shown]: from its first character that is not a
    space (the heading's sentence may end a paragraph)."""
    first = len(text) - len(text[shown:].lstrip()) if shown else 0
    return _window(text, first, width, after=shown) if first < len(text) else (first, first)


def _passages(text: str, matches: list[tuple[int, int, frozenset[str]]], anchors: list[int], count: int,
              width: int, seen: int, shown: int = 0) -> list[tuple[int, int]]:
    """Up to `count` windows, in text order, around the anchors whose windows hold the most
    distinct terms, then the most matches; none repeats text another shows.
    - No two share a character: a window reaching into one taken is cut at its edge and
      scored again (before, a sixth of the hits of query.py's 200 searches repeated the end
      of one passage at the start of the next), and left out when that leaves a fragment
      of less than a third of `width` beside the passage.
    - None shows again what a passage taken shows elsewhere (`_shown_already`: an article
      repeating its lead as its first paragraph), nor text[:shown] (an untitled article's
      heading), which counts as a passage taken but is not returned.

    >>> text = "Sáng nay, lãnh đạo Bộ Thông tin và Truyền thông thăm trạm BTS ở huyện Đắk Song, tỉnh Đắk Nông.\\n"
    >>> text = text * 2 + "Đêm qua, một trạm BTS khác bị sét đánh."
    >>> found = _matches(text, {"tram": frozenset(), "bts": frozenset()})
    >>> for start, end in _passages(text, found, [a for a, _, _ in found], 3, 80, len(text)):
    ...     print(text[start:end])
    đạo Bộ Thông tin và Truyền thông thăm trạm BTS ở huyện Đắk Song, tỉnh Đắk Nông.
    Đêm qua, một trạm BTS khác bị sét đánh.
    """
    starts = [start for start, _, _ in matches]
    # a window and its density change only when a pick cuts it: each is scored once, and again
    # when cut (MAX_CANDIDATES windows a hit, and those a pick cuts), the densest left taken
    windows = [_window(text, anchor, width, seen) for anchor in anchors]
    scores = [_density(matches, starts, window) for window in windows]
    taken: list[tuple[int, int]] = []  # the heading shown, then the passages taken

    def take(window: tuple[int, int], remaining: list[int]) -> list[int]:
        """The anchors left once `window` is taken, theirs reaching into it cut at its edge."""
        taken.append(window)
        kept = []
        for i in remaining:
            if windows[i][0] < window[1] and window[0] < windows[i][1]:
                windows[i] = _window(text, anchors[i], width, seen, *_room(taken, anchors[i]))
                if windows[i][1] - windows[i][0] < width // 3:
                    continue  # a fragment beside the passage, no passage of its own
                scores[i] = _density(matches, starts, windows[i])
            kept.append(i)
        return kept

    remaining = take((0, shown), list(range(len(anchors)))) if shown else list(range(len(anchors)))
    while remaining and len(taken) - bool(shown) < count:
        best = windows[max(remaining, key=scores.__getitem__)]
        remaining = [i for i in remaining if not best[0] <= anchors[i] < best[1]]
        if not _shown_already(text, matches, starts, best, taken):
            remaining = take(best, remaining)
    return sorted(taken[bool(shown):])


def _room(chosen: list[tuple[int, int]], anchor: int) -> tuple[int, int | None]:
    """Where a window around `anchor` (in none of the `chosen` windows) may begin and must
    end: after the chosen window before it, before the one after it (None: no end).

    >>> _room([(10, 20), (40, 50)], 30), _room([(10, 20)], 5)
    ((20, 40), (0, 10))
    """
    after = max((end for _, end in chosen if end <= anchor), default=0)
    before = min((start for start, _ in chosen if start > anchor), default=None)
    return after, before


def _shown_already(text: str, matches: list[tuple[int, int, frozenset[str]]], starts: list[int],
                   window: tuple[int, int], chosen: list[tuple[int, int]]) -> bool:
    """Whether the text of a window from its first match to its last, with up to SAME_CONTEXT
    characters of their paragraph around them, stands elsewhere in the article with some of
    those matches in a passage `chosen` already: an article repeating its lead as its first
    paragraph, wherever the two windows' edges fall. Two sentences holding the same word
    are not the same text.

    >>> text = "Lãnh đạo Bộ thăm trạm BTS ở Đắk Nông.\\nLãnh đạo Bộ thăm trạm BTS ở Đắk Nông.\\nTrạm BTS bị sét đánh."
    >>> found = _matches(text, {"tram": frozenset(), "bts": frozenset()})
    >>> starts = [start for start, _, _ in found]
    >>> [_shown_already(text, found, starts, window, [(0, 37)]) for window in ((38, 75), (76, 97))]
    [True, False]
    """
    if not chosen:
        return False
    low, high = bisect_left(starts, window[0]), bisect_right(starts, window[1])
    while high > low and matches[high - 1][1] > window[1]:  # running past the window's end
        high -= 1
    if high == low:
        return False
    first, last = matches[low][0], matches[high - 1][1]
    paragraph_end = text.find("\n", last)
    begin = max(text.rfind("\n", 0, first) + 1, first - SAME_CONTEXT)
    core = text[begin:min(len(text) if paragraph_end == -1 else paragraph_end, last + SAME_CONTEXT)]
    at = text.find(core)
    while at != -1:  # the window's own copy is in none of them: they never overlap (`_passages`)
        shown = (at + first - begin, at + last - begin)  # this copy's matches
        if any(start < shown[1] and shown[0] < end for start, end in chosen):
            return True
        at = text.find(core, at + 1)
    return False


def _window(text: str, anchor: int, width: int, seen: int | None = None, after: int = 0,
            before: int | None = None) -> tuple[int, int]:
    """A passage containing `anchor`, within its paragraph, text[:seen] and
    text[after:before], cut at spaces.

    >>> text = "một hai ba bốn năm sáu"
    >>> [text[slice(*_window(text, 11, 12, after=a))] for a in (0, 10)], text[slice(*_window(text, 4, 30, before=15))]
    (['ba bốn năm', 'bốn năm sáu'], 'một hai ba bốn')
    """
    line_start = text.rfind("\n", 0, anchor) + 1
    line_end = text.find("\n", anchor)
    line_end = len(text) if line_end == -1 else line_end
    line_end = line_end if seen is None else min(line_end, seen)
    limit = line_end if before is None else min(line_end, before)  # then cut back to a space, as a width is
    start = max(line_start, after, anchor - width // 3)
    end = min(limit, start + width)
    start = max(line_start, after, min(start, end - width))
    if start > line_start:
        space = text.find(" ", start, anchor)
        start = space + 1 if space != -1 else start
    if end < line_end:
        space = text.rfind(" ", anchor, end)
        end = space if space > anchor else end
    return start, end


def _density(matches: list[tuple[int, int, frozenset[str]]], starts: list[int],
             window: tuple[int, int]) -> tuple[int, int]:
    """(distinct query terms, matches) inside a window: more distinct terms first."""
    first, last = bisect_left(starts, window[0]), bisect_right(starts, window[1])
    inside = [words for _, end, words in matches[first:last] if end <= window[1]]
    return len(frozenset().union(*inside)), len(inside)


def _snippet(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    prefix = ELLIPSIS if start > 0 and text[start - 1] != "\n" else ""
    suffix = ELLIPSIS if end < len(text) and text[end:end + 1] != "\n" else ""
    shift = len(prefix) - start
    # a run of matches crossing the passage's edge is marked up to the edge, not dropped
    inside = tuple((max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and start < e)
    return Snippet(prefix + text[start:end] + suffix, inside)
