"""Analysis of one article into the token lists of every postings field (`searchkit.fields`).

Pure text work, run in the indexer's worker processes: the tokens go to the segment's
postings file (`postings.py`); Whoosh is handed only stored text and metadata.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from searchkit.fields import ACCENTED, FIELDS, FOLDED, WORDS
from searchkit.models import Article
from searchkit.text.sequences import pair_sequence
from searchkit.text.syllables import syllable_forms

#: Extra key: the syllables of each part as written, sentence by sentence, from which the
#: segment counts syllable pairs for restoring accents (`text.sequences.pair_sequence`);
#: not a field.
SEQUENCE = "{}_a"


def analyze_article(article: Article) -> dict[str, list[str]]:
    """Every field's tokens of one article, by field name, plus the pair sequences of title
    and body (`title_a`, `body_a`).

    >>> fields = analyze_article(Article(id="1", title="Trạm BTS", body="Sở Thông tin và Truyền thông"))
    >>> fields["title_f"], fields["title"], fields["words"]
    (['tram', 'bts'], ['trạm', ''], ['thông_tin', 'truyền_thông'])
    """
    return _fields(article, _words_of([article]), 0)


def analyzed(articles: Sequence[Article]) -> Iterator[tuple[Article, dict[str, list[str]] | Exception]]:
    """Each article with its fields, or with the error that analysing it raised, one at a
    time (a batch's token lists are never all in memory). pyvi tags them all together, which
    is several times faster than article by article, then one by one if that fails, so that
    one bad article never stops the others."""
    try:
        words = _words_of(articles)
    except Exception:  # noqa: BLE001 - tagged one by one below, to find the article that fails
        words = None
    for i, article in enumerate(articles):
        try:
            yield article, _fields(article, words, i) if words is not None else analyze_article(article)
        except Exception as error:  # noqa: BLE001 - a third-party analyser fails on one article
            yield article, error


def _words_of(articles: Sequence[Article]) -> dict[str, list[list[str]]]:
    """Each `WORDS` field's compound words of every article."""
    from searchkit.text.segment import compound_words_of

    return {field.name: compound_words_of(["\n".join(getattr(article, part) for part in field.text)
                                           for article in articles])
            for field in FIELDS if field.form == WORDS}


def _fields(article: Article, words: dict[str, list[list[str]]], i: int) -> dict[str, list[str]]:
    """One article's tokens per field; `words` is `_words_of` a list holding it at index `i`."""
    parts = {"title": article.title, "body": article.body}
    forms: dict[str, dict[str, list[str]]] = {}
    analysed: dict[str, list[str]] = {}
    for part, text in parts.items():
        found = syllable_forms(text)
        forms[part] = {FOLDED: [folded for _, folded in found],
                       # marked syllables at their places; plain ones hold a place ('' is no term)
                       ACCENTED: [accented if accented != folded else "" for accented, folded in found]}
        analysed[SEQUENCE.format(part)] = pair_sequence(text)
    for field in FIELDS:
        if field.form == WORDS:
            analysed[field.name] = words[field.name][i]
        else:
            (part,) = field.text
            analysed[field.name] = forms[part][field.form]
    return analysed


def pop_pair_sequences(analysed: dict[str, list[str]]) -> list[list[str]]:
    """Take out of `analysed` the accented syllable sequences whose neighbours are counted
    (title, body): what is left are the fields' tokens."""
    return [analysed.pop(SEQUENCE.format(part)) for part in ("title", "body")]
