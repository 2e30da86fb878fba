"""Typed accents decide: how each query syllable matches, and its occurrences so matched.

A word typed with marks matches its exact form first (`bán` is not `bạn`, `Nghệ An` is not
`nghệ Ấn`); tone placement and i/y count as exact, since the index keeps one form of each
(`hoà` = `hòa`, `kĩ` = `kỹ`). An article holding only an accent-folded look-alike still
matches, at a fraction of the weight (`ranking.LOOKALIKE`).

- `EXACT`: a marked syllable, matched in the accented fields (`trạm`);
- `PLAIN`: an unmarked syllable in a query typed with accents (`An` of `Nghệ An`), when
  the plain word is common on its own: the folded occurrences that are no marked spelling;
- `ANY`: every accent-folded form: a query typed without accents, an unmarked word of a
  partly accented one (`trạm bts dak nong`), abbreviations' expansions, and the *fallback*
  for a marked word whose exact form the index (almost) lacks (`trám BTS`): `Results.searched`
  and `--explain` then say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from searchkit.fields import accented_field, folded_field
from searchkit.text.spelling import is_valid_syllable
from searchkit.text.variants import marked_variants

EXACT, PLAIN, ANY = "exact", "plain", "any"
#: A marked word found in fewer articles than this share of its folded form's (or in none)
#: falls back to the folded form: a mistyped mark, not a different word.
FALLBACK_SHARE = 0.01
#: An unmarked word of an accented query is taken as plain when at least this share of the
#: article bodies holding its folded form write it without marks (`an` of *an ninh*: yes; `ky`: no).
PLAIN_SHARE = 0.1
#: A query counts as typed with accents when at least this share of its words that have
#: marked spellings in the index were typed with marks (`CNTT Nghệ An`: 1 of 2).
ACCENTED_SHARE = 0.5
#: Plain occurrences remembered per index generation (a common word's are computed once).
MAX_REMEMBERED = 256


@dataclass(frozen=True)
class Match:
    """How one typed syllable matches: `mode`, and whether it fell back from exact to any."""

    folded: str
    accented: str
    mode: str = ANY
    fallback: bool = False
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # hashed once: runs of them key what a generation keeps (`ranking._side_by_side`),
        # looked up several times a search, where the generated hash made a tuple each time
        object.__setattr__(self, "_hash", hash((self.folded, self.accented, self.mode, self.fallback)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):  # made again where unpickled: another process hashes strings otherwise
        return Match, (self.folded, self.accented, self.mode, self.fallback)

    def to_dict(self) -> dict:
        return {"word": self.accented, "mode": self.mode, "fallback": self.fallback}


def decide(arrays, syllables, plain: bool = True) -> dict[tuple[str, str], Match]:
    """`Match` of each typed (accented, folded) syllable; `arrays`: the index's arrays.

    Marked syllables are exact unless too rare; unmarked ones are plain only in a query
    typed with accents (most of its variable words marked) and when the plain word is common,
    and only when `plain` (a long question's unmarked words are mostly particles: any).
    """
    typed = list(dict.fromkeys((s.accented, s.folded) for s in syllables))
    marked = [pair for pair in typed if pair[0] != pair[1]]
    found: dict[tuple[str, str], Match] = {}
    for accented, folded in marked:
        exact = _holders(arrays, accented_field, accented)
        fallback = exact == 0 or (exact < FALLBACK_SHARE * arrays.count
                                  and exact < FALLBACK_SHARE * _holders(arrays, folded_field, folded))
        found[(accented, folded)] = Match(folded, accented, ANY if fallback else EXACT, fallback)
    plain = plain and bool(marked)  # a query typed without any marks matches every spelling
    unmarked = [pair for pair in typed if plain and pair[0] == pair[1] and marked_spellings(arrays, pair[1])]
    accented_query = marked and len(marked) >= ACCENTED_SHARE * (len(marked) + len(unmarked))
    for accented, folded in typed:
        if (accented, folded) in found:
            continue
        mode = PLAIN if accented_query and (accented, folded) in unmarked and _plain_is_common(arrays, folded) else ANY
        found[(accented, folded)] = Match(folded, accented, mode)
    return found


def field_term(part: str, match: Match) -> tuple[str, str]:
    """The field and term a syllable is looked up by in one part: its marked form in the
    accented field when it matches exactly, else its folded form in the folded field (a
    plain match filters those).

    >>> field_term("title", Match("tram", "trạm", EXACT)), field_term("body", Match("tram", "tram"))
    (('title', 'trạm'), ('body_f', 'tram'))
    """
    if match.mode == EXACT:
        return accented_field(part).name, match.accented
    return folded_field(part).name, match.folded


def occurrences(arrays, part: str, match: Match) -> np.ndarray:
    """Sorted `doc << 32 | position` keys where the syllable occurs as it must match."""
    found = arrays.occurrences(*field_term(part, match))
    return _plain(arrays, part, match.folded, found) if match.mode == PLAIN else found


def occurrences_within(arrays, part: str, match: Match, docs: np.ndarray | None) -> np.ndarray:
    """`occurrences`, of which only those in the sorted doc numbers `docs` matter (None: all):
    an index reads a common word's positions in those articles only (the other keys may be
    there too, when they were read already); a backend's candidates are read whole."""
    within = getattr(arrays, "occurrences_within", None)
    if docs is None or within is None or match.mode == PLAIN:
        return occurrences(arrays, part, match)
    return within(*field_term(part, match), docs)


def holders(arrays, part: str, match: Match) -> int:
    """About how many articles hold the syllable in one part, as it must match (which of a
    run's words to read first); 0 for a backend's candidates (read in order)."""
    if not hasattr(arrays, "occurrences_within"):
        return 0
    return arrays.document_frequency(*field_term(part, match))


def counts(arrays, part: str, match: Match) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences) of the syllable as it must match, in one part."""
    if match.mode == PLAIN:
        return _plain_counts(arrays, part, match.folded)
    return arrays.postings(*field_term(part, match))


def doc_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences in each) of sorted `doc << 32 | position` keys: what
    `np.unique(keys >> 32, return_counts=True)` gives, in one linear pass instead of a sort
    (the keys are sorted already; at 16 times the corpus a common word has millions).

    >>> [a.tolist() for a in doc_counts(np.array([3 << 32 | 1, 3 << 32 | 7, 5 << 32 | 2]))]
    [[3, 5], [2, 1]]
    """
    docs = keys >> 32
    if not len(docs):
        return docs, np.zeros(0, np.intp)
    starts = np.concatenate(([True], docs[1:] != docs[:-1])).nonzero()[0]
    bounds = np.concatenate((starts, [len(docs)]))
    return docs[starts], bounds[1:] - bounds[:-1]


def _plain(arrays, part: str, folded: str, keys: np.ndarray) -> np.ndarray:
    """The folded occurrences that no marked spelling takes: `an`, not `ấn` or `ăn`."""
    memo = getattr(arrays, "memo", {}).setdefault("plain", {})  # per index generation
    key = (part, folded)
    if key not in memo:
        name = accented_field(part).name
        taken = [t for t in (arrays.occurrences(name, v) for v in marked_spellings(arrays, folded)) if len(t)]
        if len(memo) >= MAX_REMEMBERED:
            memo.clear()
        plain = np.ones(len(keys), dtype=bool)
        for variant in taken:  # each a sorted subset of `keys`: found by binary search, no sort
            plain[keys.searchsorted(variant)] = False
        memo[key] = keys.compress(plain)
    return memo[key]


def _plain_counts(arrays, part: str, folded: str) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences) of the folded word written plain in one part. An index's
    come from postings: each article's folded occurrences less those of the marked spellings
    (each of those is a folded one at the same position), where taking their positions apart
    read millions of keys of a common word at 16 times the corpus; a backend's candidates
    are counted from their positions."""
    if not hasattr(arrays, "occurrences_within"):
        docs, found = doc_counts(occurrences(arrays, part, Match(folded, folded, PLAIN)))
        return docs, found.astype(np.float32)
    ids, freqs = arrays.postings(folded_field(part).name, folded)
    spellings = marked_spellings(arrays, folded)
    if not spellings:  # no marked spelling in the index: every occurrence is plain
        return ids, freqs
    marked = np.zeros(arrays.size, np.float32)
    for variant in spellings:
        variant_ids, variant_freqs = arrays.postings(accented_field(part).name, variant)
        marked[variant_ids] += variant_freqs  # distinct doc numbers: one addition each
    plain = freqs - marked[ids]
    kept = (plain > 0).nonzero()[0]
    return ids.take(kept), plain.take(kept)


def marked_spellings(arrays, folded: str) -> list[str]:
    """The marked spellings of `folded` that the index holds, when `folded` is a Vietnamese
    word written plain (`an`: *ấn*, *ăn*, *án* …; not `internet`, nor `nguyen`, which needs
    its marks), remembered per index generation: where one stands, the word is not plain."""
    memo = getattr(arrays, "memo", {}).setdefault("variants", {})
    if folded not in memo:
        if len(memo) >= MAX_REMEMBERED * 16:
            memo.clear()
        body = accented_field("body").name  # a spelling found in titles only changes nothing here
        memo[folded] = [v for v in marked_variants(folded) if arrays.document_frequency(body, v)] \
            if is_valid_syllable(folded) else []
    return memo[folded]


def _plain_is_common(arrays, folded: str) -> bool:
    """Whether PLAIN_SHARE of the bodies holding `folded` write it plain (bodies alone: titles
    are too few to change the answer, and each part's plain occurrences cost a set difference)."""
    memo = getattr(arrays, "memo", {}).setdefault("plain_common", {})  # per index generation
    if folded not in memo:
        if len(memo) >= MAX_REMEMBERED * 16:
            memo.clear()
        total = arrays.document_frequency(folded_field("body").name, folded)
        memo[folded] = bool(total) and len(_plain_counts(arrays, "body", folded)[0]) >= PLAIN_SHARE * total
    return memo[folded]


def _holders(arrays, field_of, term: str) -> int:
    """Articles holding `term` in titles or bodies (both: counted twice): an index's from the
    term's document frequencies, its postings not read (a common word's, at 16 times the
    corpus, are not kept once the arrays' store is full, and were read twice a search); a
    backend's candidates' from their postings (with their stand-ins for the others)."""
    if hasattr(arrays, "occurrences_within"):
        return sum(arrays.document_frequency(field_of(part).name, term) for part in ("title", "body"))
    return sum(len(arrays.postings(field_of(part).name, term)[0]) for part in ("title", "body"))
