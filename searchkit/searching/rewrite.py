"""Read a query the way the user meant it, before it is searched.

- Words typed as Telex or VNI keystrokes (`truyeenf`, `tho6ng`) become the syllable they stand
  for, but only when the index knows that syllable and does not know the word as typed, so
  `news`, `BTS` and `4G` stay as they are.
- Abbreviations expand both ways as alternatives: `CNTT` also finds *công nghệ thông tin*, and
  `công nghệ thông tin` also finds *CNTT*.

Vocabulary checks go through `Vocabulary`, which asks the open reader's term dictionaries about
single terms: no lexicon is scanned on the query path.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable, Protocol

from searchkit.fields import ACCENTED, FOLDED, fields_of
from searchkit.searching.abbreviations import Abbreviations
from searchkit.searching.analysed import AnalysedQuery
from searchkit.searching.query import ALTERNATIVE_BOOST, Alternative, Clause, ParsedQuery
from searchkit.text.keystrokes import decode_keystrokes
from searchkit.text.spelling import is_valid_syllable
from searchkit.text.syllables import forms, syllables

#: Longest run of typed words looked up as the spelled-out form of an abbreviation.
MAX_SPELLED_OUT = 10
#: Expansions searched per abbreviation: each is a phrase query, the costliest part of a query.
MAX_EXPANSIONS = 2


class Lexicon(Protocol):
    """What query rewriting needs to know about the index's words: in how many articles."""

    def frequency(self, folded: str) -> int: ...

    def accented_frequency(self, accented: str) -> int: ...


#: A typed word this many times rarer than its decoding is a typo of the decoded
#: syllable: 'thoong' occurs in one article, 'thông' in thousands.
TYPO_RATIO = 100


_FOLDED = tuple(field.name for field in fields_of(FOLDED))  # title_f, body_f
_ACCENTED = tuple(field.name for field in fields_of(ACCENTED))  # title, body
#: Syllables one prefix (`viett*`) stands for, at most: the most frequent ones (Lucene's
#: `maxExpansions`). Every syllable is a clause to rank and a word to highlight.
MAX_COMPLETIONS = 50
#: Syllables all the prefixes of one query stand for together, at most: a query of many
#: prefixes (`th* l* đ* …`) shares them out, each prefix keeping at least one.
MAX_QUERY_COMPLETIONS = 200
#: Prefixes expanded in one query; the ones after these are searched as typed (`ng*` as *ng*).
MAX_PREFIXES = 40


class Vocabulary:
    """Membership and document frequency of index forms, from an open reader's term dictionaries.

    Folded syllables live in `title_f`/`body_f`; marked syllables in `title`/`body` (an
    unmarked syllable's accented form is its folded one). Answers are memoised per instance.
    """

    def __init__(self, document_frequency: Callable[[str, str], int],
                 completions: Callable[[str, str], dict[str, int]] | None = None):
        """`document_frequency(field, term)`: in how many articles the term occurs;
        `completions(field, prefix)`: the terms beginning so, with their frequencies."""
        self._document_frequency = document_frequency
        self._complete = completions
        self._frequencies: dict[tuple[str, str], int] = {}
        self._completions: dict[str, list[str]] = {}

    def frequency(self, folded: str) -> int:
        """Articles containing the folded syllable, in titles or bodies (counted twice if both)."""
        return self._count(_FOLDED, folded)

    def accented_frequency(self, accented: str) -> int:
        """Articles containing the accented syllable as written ('trạm'), titles plus bodies."""
        folded = forms(accented)[1]
        if accented == folded:
            return self.frequency(folded)
        return self._count(_ACCENTED, accented)

    def completions(self, prefix: str) -> list[str]:
        """Folded syllables beginning with a folded prefix, most frequent first (all of them:
        `expand_prefixes` keeps the first few). Memoised: a prefix costs a scan of the terms."""
        if self._complete is None:
            return []
        if prefix not in self._completions:
            counts: dict[str, int] = {}
            for field in _FOLDED:
                for term, count in self._complete(field, prefix).items():
                    counts[term] = counts.get(term, 0) + count
            self._completions[prefix] = sorted(counts, key=lambda term: (-counts[term], term))
            if len(self._completions) > 4096:  # a long-running server meets many prefixes
                self._completions.pop(next(iter(self._completions)))
        return self._completions[prefix]

    def _count(self, fields: tuple[str, ...], text: str) -> int:
        key = (fields[0], text)
        if key not in self._frequencies:
            self._frequencies[key] = sum(self._document_frequency(f, text) for f in fields)
        return self._frequencies[key]


def decode_typing(query: str | AnalysedQuery, lexicon: Lexicon) -> str:
    """The query's text with Telex/VNI-typed words replaced by the syllables the index knows
    (a string is read as it is; an analysed query's words are those it split once).

    A word is replaced when it decodes to a syllable found in the index and the word as
    typed is absent or far rarer there (a stray typo in some article does not block it).
    Once one word of the query is read so, the user is typing keystrokes: its other words
    need only be rarer as typed than decoded (`max nguoonf` → *mã nguồn*, though *max* is
    an English word the index knows). Field names (`title:`) and prefixes are left alone.

    >>> class Known:
    ...     counts = {"bts": 40, "tram": 90, "truyen": 900, "thong": 2000, "thoong": 1, "max": 60}
    ...     def frequency(self, f): return self.counts.get(f, 0)
    ...     def accented_frequency(self, a): return {"trạm": 30, "truyền": 800, "thông": 1900,
    ...                                              "mã": 900, "nguồn": 700}.get(a, 0)
    >>> decode_typing("trajm BTS", Known()), decode_typing('"truyeenf thoong" news', Known())
    ('trạm BTS', '"truyền thông" news')
    >>> decode_typing("max nguoonf", Known()), decode_typing("max", Known())
    ('mã nguồn', 'max')
    """
    query = query if isinstance(query, AnalysedQuery) else AnalysedQuery.verbatim(query)
    text = query.text
    words = [w for w in query.words if text[w.end:w.end + 1] not in (":", "*")]  # not `title:`, `tram*`
    candidates = {}  # word -> (decoded, typed frequency, decoded frequency)
    for word in words:
        decoded = decode_keystrokes(word.text)
        if decoded is not None:
            known = lexicon.accented_frequency(forms(decoded)[0])
            if known:
                candidates[word] = (decoded, lexicon.frequency(forms(word.text)[1]), known)
    typing = any(typed * TYPO_RATIO <= known for _, typed, known in candidates.values())
    ratio = 1 if typing else TYPO_RATIO
    pieces, last = [], 0
    for word, (decoded, typed, known) in candidates.items():
        if typed * ratio < known or typed * TYPO_RATIO <= known:
            pieces += [text[last:word.start], decoded]
            last = word.end
    return "".join(pieces) + text[last:] if pieces else text


def expand_abbreviations(parsed: ParsedQuery, table: Abbreviations) -> ParsedQuery:
    """Give clauses their abbreviation alternatives, both ways.

    `CNTT` (typed as an abbreviation) gains `công nghệ thông tin`; `TTTT` gains `TT&TT` too;
    a quoted or typed-out `công nghệ thông tin` gains `CNTT`. Consecutive typed words that
    spell out an abbreviation become one clause: all the words, or the abbreviation.

    >>> from searchkit.searching.abbreviations import load_abbreviations
    >>> from searchkit.searching.query import parse_query
    >>> query = expand_abbreviations(parse_query("CNTT"), load_abbreviations())
    >>> [a.folded for a in query.groups[0][0].alternatives]
    [('cong', 'nghe', 'thong', 'tin')]
    """
    groups = [tuple(_expand(clause, table) for clause in group) for group in parsed.groups]
    excluded = tuple(_expand(clause, table) for clause in parsed.excluded)
    return dataclasses.replace(parsed, groups=tuple(_merge_spelled_out(groups, table)), excluded=excluded)


def expand_prefixes(parsed: ParsedQuery, vocabulary: Vocabulary) -> ParsedQuery:
    """Give each prefix clause (`tram*`, `viett*`) the indexed syllables beginning so as
    alternatives, the most frequent first; typed marks are folded (`trạ*` is `tra*`).

    Bounded like Lucene's `maxExpansions`: a prefix keeps at most MAX_COMPLETIONS syllables,
    all the prefixes of a query MAX_QUERY_COMPLETIONS together (shared out evenly, at least
    one each), and only the first MAX_PREFIXES prefixes expand. `Clause.completions` keeps
    how many syllables the prefix has, for `--explain` to say what was left out.

    >>> class Known(Vocabulary):
    ...     def __init__(self): pass
    ...     def completions(self, prefix): return ["viettel", "vietnam"] if prefix == "viett" else []
    >>> from searchkit.searching.query import parse_query
    >>> clause = expand_prefixes(parse_query("viett*"), Known()).groups[0][0]
    >>> [a.folded for a in clause.alternatives], clause.completions
    ([('viettel',), ('vietnam',)], 2)
    """
    clauses = [c for group in parsed.groups for c in group] + list(parsed.excluded)
    prefixes = sum(1 for c in clauses if c.prefix)
    share = max(1, min(MAX_COMPLETIONS, MAX_QUERY_COMPLETIONS // max(prefixes, 1)))
    seen = 0

    def expand(clause: Clause) -> Clause:
        nonlocal seen
        if not clause.prefix:
            return clause
        seen += 1
        if seen > MAX_PREFIXES:  # searched as the syllable typed
            return dataclasses.replace(clause, prefix=False)
        syllable = clause.syllables[0]
        found = vocabulary.completions(syllable.folded)
        kept = [term for term in found[:share + 1] if term != syllable.folded][:share]
        alternatives = tuple(Alternative((term,), 1.0) for term in kept)
        return dataclasses.replace(clause, alternatives=clause.alternatives + alternatives,
                                   completions=len(found))

    groups = tuple(tuple(expand(c) for c in group) for group in parsed.groups)
    excluded = tuple(expand(c) for c in parsed.excluded)
    return dataclasses.replace(parsed, groups=groups, excluded=excluded)


def typed_as_abbreviation(raw: str, table: Abbreviations) -> bool:
    """Whether a word was meant as an abbreviation: all capitals (`CNTT`, `TT&TT`), the
    table's own spelling (`IoT`), or three letters or more that are no Vietnamese syllable
    (`cntt`, `vnpt`; but not `ai`, who, nor a real syllable such as `tin`).

    >>> from searchkit.searching.abbreviations import load_abbreviations
    >>> table = load_abbreviations()
    >>> [typed_as_abbreviation(w, table) for w in ("AI", "ai", "cntt", "TT-TT", "IoT", "tin")]
    [True, False, True, True, True, False]
    """
    if not raw or raw not in table:
        return False
    letters = [c for c in raw if c.isalpha()]
    if len(letters) < 2:
        return False
    if all(c.isupper() for c in letters) or raw == table.spelling(raw):
        return True
    return len(letters) >= 3 and not is_valid_syllable(raw)


def spellings(abbr: str) -> list[tuple[str, ...]]:
    """Folded ways an abbreviation appears in the index: `TT&TT` → [('tt', 'tt'), ('tttt',)].

    >>> spellings("CNTT"), spellings("TP.HCM")
    ([('cntt',)], [('tp', 'hcm'), ('tphcm',)])
    """
    split = tuple(s.folded for s in syllables(abbr))
    found = [split] if split else []
    if len(split) > 1 and not any(c.isspace() for c in abbr):
        found.append(("".join(split),))
    return found


def _expand(clause: Clause, table: Abbreviations) -> Clause:
    typed = tuple(s.folded for s in clause.syllables)
    alternatives: list[Alternative] = list(clause.alternatives)  # a date's other reading (`30.4`)
    if typed_as_abbreviation(clause.raw, table):
        written = table.spelling(clause.raw) or clause.raw
        alternatives += [Alternative(f, 1.0) for f in spellings(written)]
        expansions = [tuple(s.folded for s in syllables(e)) for e in table.expand(clause.raw)]
        alternatives += [Alternative(e) for e in _broadest(expansions)[:MAX_EXPANSIONS]]
    elif clause.phrase and len(typed) > 1:
        alternatives += _abbreviation_alternatives(table.abbreviate(" ".join(typed)))
    alternatives = _unique(a for a in alternatives if a.folded and a.folded != typed)
    return dataclasses.replace(clause, alternatives=tuple(alternatives)) if alternatives else clause


def _broadest(phrases: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Drop phrases that contain another one: every article with *trạm thu phát sóng di động*
    also has *trạm thu phát sóng*, so searching the longer one finds nothing more.

    >>> _broadest([("tram", "thu", "phat", "song", "di", "dong"), ("tram", "thu", "phat", "song"), ("tram", "goc")])
    [('tram', 'thu', 'phat', 'song'), ('tram', 'goc')]
    """
    def contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
        return len(longer) > len(shorter) and any(
            longer[i:i + len(shorter)] == shorter for i in range(len(longer) - len(shorter) + 1))

    return [p for p in phrases if p and not any(contains(p, other) for other in phrases)]


def _abbreviation_alternatives(abbreviations: Iterable[str]) -> list[Alternative]:
    """The abbreviations of a spelled-out phrase as alternatives, except those that read as a
    Vietnamese word once lower-cased: the index keeps no case, and `trí tuệ nhân tạo` must not
    find *Ái nam ái nữ* or *Ai hơn ai?* through `AI`.

    >>> [a.folded for a in _abbreviation_alternatives(["AI", "CNTT"])]
    [('cntt',)]
    """
    return [Alternative(f, ALTERNATIVE_BOOST) for abbr in abbreviations for f in spellings(abbr)
            if not (len(f) == 1 and is_valid_syllable(f[0]))]


def _unique(alternatives: Iterable[Alternative]) -> list[Alternative]:
    """First occurrence of each folded form (the higher weight comes first)."""
    seen: dict[tuple[str, ...], Alternative] = {}
    for alternative in alternatives:
        seen.setdefault(alternative.folded, alternative)
    return list(seen.values())


def _mergeable(group: tuple[Clause, ...]) -> bool:
    clause = group[0]
    return (len(group) == 1 and not clause.phrase and not clause.title_only and not clause.prefix
            and not clause.alternatives and len(clause.syllables) == 1)


def _merge_spelled_out(groups: list[tuple[Clause, ...]], table: Abbreviations) -> list[tuple[Clause, ...]]:
    """Replace runs of single words that spell out an abbreviation by one clause with it as
    an alternative: `cong nghe thong tin` → all four words, or CNTT. Longest runs first."""
    merged: list[tuple[Clause, ...]] = []
    i = 0
    while i < len(groups):
        found = None
        if _mergeable(groups[i]) and table.may_start(groups[i][0].syllables[0].folded):
            end = i
            while end < len(groups) and _mergeable(groups[end]) and end - i < MAX_SPELLED_OUT:
                end += 1
            for stop in range(end, i + 1, -1):
                words = [g[0] for g in groups[i:stop]]
                abbreviations = table.abbreviate(" ".join(w.syllables[0].folded for w in words))
                if abbreviations:
                    found = (stop, words, abbreviations)
                    break
        if found is None:
            merged.append(groups[i])
            i += 1
            continue
        stop, words, abbreviations = found
        clause = Clause(
            tuple(w.syllables[0] for w in words), phrase=False,
            raw=" ".join(w.raw for w in words),
            alternatives=tuple(_unique(_abbreviation_alternatives(abbreviations))),
        )
        merged.append((clause,))
        i = stop
    return merged
