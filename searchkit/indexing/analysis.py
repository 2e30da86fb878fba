"""Analysis shared by the schema and the indexer, built from `searchkit.text`.

The indexer computes token lists with `analyze_article` (in worker processes) and hands
the folded ones to Whoosh pre-tokenised and all of them to the `.skp` postings file; the
analyzer class gives Whoosh the same tokens when it is handed raw text. It lives in an
importable module because the schema is pickled into the index.
"""

from __future__ import annotations

from typing import Iterator

from whoosh.analysis import Token, Tokenizer

from searchkit.models import Article
from searchkit.text.syllables import syllables

ACCENTED, FOLDED = "accented", "folded"


class SyllableAnalyzer(Tokenizer):
    """Syllable tokens in one form: 'folded' (tram, hoa, bts) or 'accented' (trạm, hòa).

    The accented form leaves out syllables without marks ('bts', 'tin'): their accented
    form is their folded one, which the folded field already holds. Positions still count
    them, so both fields number syllables alike.
    """

    def __init__(self, form: str = FOLDED):
        if form not in (ACCENTED, FOLDED):
            raise ValueError(f"form must be {ACCENTED!r} or {FOLDED!r}, not {form!r}")
        self.form = form

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SyllableAnalyzer) and other.form == self.form

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, mode: str = "", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        folded = self.form == FOLDED
        for position, syllable in enumerate(syllables(value), start=start_pos):
            if not folded and syllable.accented == syllable.folded:
                continue
            token.text = syllable.folded if folded else syllable.accented
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = value[syllable.start:syllable.end]
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + syllable.start
                token.endchar = start_char + syllable.end
            yield token


def syllable_forms(text: str) -> tuple[list[str], list[str]]:
    """The accented (marked syllables only) and folded token lists of a text.

    >>> syllable_forms("trạm BTS")
    (['trạm'], ['tram', 'bts'])
    """
    accented, folded = [], []
    for syllable in syllables(text):
        if syllable.accented != syllable.folded:
            accented.append(syllable.accented)
        folded.append(syllable.folded)
    return accented, folded


def analyze_article(article: Article) -> dict[str, list[str]]:
    """Every pre-tokenised text field of one article, ready for `writer.add_document`, plus
    the full accented syllable sequences of title and body (`title_a`, `body_a`), from which
    the segment counts syllable pairs for restoring accents (see `searchkit.searching.accents`)."""
    from searchkit.text.segment import compound_words

    fields: dict[str, list[str]] = {}
    for name, text in (("title", article.title), ("body", article.body)):
        marked, folded, sequence = [], [], []
        for syllable in syllables(text):
            if syllable.accented != syllable.folded:
                marked.append(syllable.accented)
            folded.append(syllable.folded)
            sequence.append(syllable.accented)
        fields[name], fields[f"{name}_f"], fields[f"{name}_a"] = marked, folded, sequence
    fields["words"] = compound_words(article.title + "\n" + article.body)
    return fields
