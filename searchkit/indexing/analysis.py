"""Analysis of one article into the token lists of every postings field (`searchkit.fields`).

Pure text work, run in the indexer's worker processes: the tokens go to the segment's
postings file (`postings.py`); Whoosh is handed only stored text and metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from searchkit.fields import ACCENTED, FIELDS, FOLDED, PARTS, WORDS
from searchkit.models import Article
from searchkit.text.sequences import pair_sequence
from searchkit.text.syllables import folded_form, marked_form, syllable_words

#: Extra key: the syllables of each part as written, sentence by sentence, from which the
#: segment counts syllable pairs for restoring accents (`text.sequences.pair_sequence`);
#: not a field.
SEQUENCE = "{}_a"


#: What makes a syllable as written each syllable field's term ('' holds a place, see `fields.ACCENTED`).
FORM_OF = {FOLDED: folded_form, ACCENTED: marked_form}


@dataclass(frozen=True)
class ArticleText:
    """One article analysed, as the segment writer takes it: each part's syllables as
    written (`syllables`; the writer makes each distinct one's forms once, `FORM_OF`), the
    compound words of each WORDS field (`words`), and the pair sequences of title and body."""

    syllables: dict[str, list[str]]
    words: dict[str, list[str]]
    sequences: tuple[list[str], ...]

    def fields(self) -> dict[str, list[str]]:
        """Every field's tokens by field name, plus the pair sequences (`analyze_article`)."""
        analysed = {SEQUENCE.format(part): sequence for part, sequence in zip(PARTS, self.sequences)}
        for field in FIELDS:
            if field.form == WORDS:
                analysed[field.name] = self.words[field.name]
            else:
                (part,) = field.text
                analysed[field.name] = list(map(FORM_OF[field.form], self.syllables[part]))
        return analysed


def analyze_article(article: Article) -> dict[str, list[str]]:
    """Every field's tokens of one article, by field name, plus the pair sequences of title
    and body (`title_a`, `body_a`).

    >>> fields = analyze_article(Article(id="1", title="Trạm BTS", body="Sở Thông tin và Truyền thông"))
    >>> fields["title_f"], fields["title"], fields["words"]
    (['tram', 'bts'], ['trạm', ''], ['thông_tin', 'truyền_thông'])
    """
    return _text(article, _words_of([article]), 0).fields()


def analyzed(articles: Sequence[Article]) -> Iterator[tuple[Article, dict[str, list[str]] | Exception]]:
    """Each article with its fields (`analyze_article`), or with the error that analysing it
    raised, one at a time (see `analyzed_texts`)."""
    for article, text in analyzed_texts(articles):
        yield article, text if isinstance(text, Exception) else text.fields()


def analyzed_texts(articles: Sequence[Article]) -> Iterator[tuple[Article, ArticleText | Exception]]:
    """Each article analysed, or with the error that analysing it raised, one at a time (a
    batch's token lists are never all in memory). pyvi tags them all together, which is
    several times faster than article by article, then one by one if that fails, so that
    one bad article never stops the others."""
    try:
        words = _words_of(articles)
    except Exception:  # noqa: BLE001 - tagged one by one below, to find the article that fails
        words = None
    for i, article in enumerate(articles):
        try:
            yield article, _text(article, words, i) if words is not None else _text(article, _words_of([article]), 0)
        except Exception as error:  # noqa: BLE001 - a third-party analyser fails on one article
            yield article, error


def _words_of(articles: Sequence[Article]) -> dict[str, list[list[str]]]:
    """Each `WORDS` field's compound words of every article."""
    from searchkit.text.segment import compound_words_of

    return {field.name: compound_words_of(["\n".join(getattr(article, part) for part in field.text)
                                           for article in articles])
            for field in FIELDS if field.form == WORDS}


def _text(article: Article, words: dict[str, list[list[str]]], i: int) -> ArticleText:
    """One article analysed; `words` is `_words_of` a list holding it at index `i`."""
    texts = [getattr(article, part) for part in PARTS]
    return ArticleText({part: syllable_words(text) for part, text in zip(PARTS, texts)},
                       {name: found[i] for name, found in words.items()},
                       tuple(pair_sequence(text) for text in texts))
