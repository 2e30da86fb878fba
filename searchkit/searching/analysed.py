"""`AnalysedQuery`: what a user typed, analysed once per search.

Lucene's idea: one analyzer per field, the same at index time and at query time. A query is
normalised as an article is when it is read (`normalize_text`, stripped: see
`indexing.corpus`) and cut into syllables by the pattern and the forms the indexer uses
(`text.syllables`), so `Trạm`, `tra\u0323m` (NFD) and `Ðắk` (a look-alike Đ) find what the
index holds. That is done once: parsing, Telex decoding, planning, ranking, highlighting and
did-you-mean all read this object instead of normalising, splitting and folding the text
again (`tests/test_analysed_once.py` counts it).

    >>> q = AnalysedQuery.of("  Ðắk  Nông: trạm 2,5G ")
    >>> q.text, [s.folded for s in q.syllables], q.marked
    ('Đắk Nông: trạm 2,5G', ['dak', 'nong', 'tram', '2,5g'], True)
    >>> [w.text for w in q.words]  # the words did-you-mean and Telex decoding read
    ['Đắk', 'Nông', 'trạm', '2', '5G']

`SearchEngine.search` takes one as well as a string: the CLI analyses what it read
(`AnalysedQuery.read`) and searches it without analysing it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from searchkit.text.fold import has_marks
from searchkit.text.normalize import normalize_clean, sanitize
from searchkit.text.syllables import MAX_SYLLABLE_CHARS, Syllable, forms, syllable_spans


class Word(NamedTuple):
    """A run of letters and digits of the query (`text.spelling.WORD`: `2,5G` is `2` and
    `5G`), with its offsets in `AnalysedQuery.text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AnalysedQuery:
    """A query's text, normalised, and its syllables and words (computed on first use, once).

    `typed`: as given; `text`: normalised and stripped, what is parsed and searched (offsets
    of `syllables` and `words` refer to it); `shown`: what `Results.query` and the plan say
    was asked (`typed`, or sanitised where the CLI read it: see `read`).
    """

    typed: str
    text: str
    shown: str

    @classmethod
    def of(cls, typed: str) -> "AnalysedQuery":
        """Sanitise and normalise `typed` (no checks: `query.check_size` says what is too long).

        >>> AnalysedQuery.of("tra\\u0323m\\x00BTS").text
        'trạm BTS'
        """
        return cls(typed, normalize_clean(sanitize(typed)).strip(), typed)

    @classmethod
    def read(cls, typed: str) -> "AnalysedQuery":
        """A query read from outside (command-line arguments, standard input), shown back
        sanitised: bytes that were not UTF-8 as U+FFFD, control characters as spaces.

        >>> AnalysedQuery.read("tram\\udcff").shown == "tram\\ufffd"
        True
        """
        clean = sanitize(typed)
        return cls(typed, normalize_clean(clean).strip(), clean)

    @classmethod
    def verbatim(cls, text: str) -> "AnalysedQuery":
        """`text` taken as it is, normalised already (a function given a string reads it so)."""
        return cls(text, text, text)

    @cached_property
    def _spans(self) -> tuple[tuple[int, int], ...]:
        """[start, end) of every syllable, those too long to be indexed included: the one
        split of the text."""
        return tuple(syllable_spans(self.text))

    @cached_property
    def syllables(self) -> tuple[Syllable, ...]:
        """The syllables the index would make of the text, with their accented and folded forms."""
        text = self.text
        return tuple(Syllable(start, end, *forms(text[start:end])) for start, end in self._spans
                     if end - start <= MAX_SYLLABLE_CHARS)

    @cached_property
    def longest(self) -> str:
        """The longest syllable, those too long to be indexed included ('' for none)."""
        start, end = max(self._spans, key=lambda span: span[1] - span[0], default=(0, 0))
        return self.text[start:end]

    @cached_property
    def words(self) -> tuple[Word, ...]:
        """The runs of letters and digits: a syllable with points or commas between its digits
        (`2,5G`, `1.000`) is several words, as `text.spelling.WORD` finds them."""
        text, found = self.text, []
        for start, end in self._spans:
            piece = text[start:end]
            if "." not in piece and "," not in piece:
                found.append(Word(start, end, piece))
                continue
            at = start
            for part in piece.replace(",", ".").split("."):
                if part:
                    found.append(Word(at, at + len(part), part))
                at += len(part) + 1
        return tuple(found)

    @cached_property
    def marked(self) -> bool:
        """Whether the text carries any Vietnamese mark (`text.fold.has_marks`)."""
        return has_marks(self.text)


def analysed(query: str | AnalysedQuery) -> AnalysedQuery:
    """`query` analysed, unless it already is."""
    return query if isinstance(query, AnalysedQuery) else AnalysedQuery.of(query)
