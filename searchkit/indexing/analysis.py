"""Analysis of one article into the token lists of every postings field (`searchkit.fields`).

Pure text work, run in the indexer's worker processes: the tokens go to the segment's
postings file (`postings.py`); Whoosh is handed only stored text and metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from searchkit.fields import ACCENTED, FIELDS, FOLDED, PARTS, WORDS
from searchkit.models import Article
from searchkit.text.readings import Reading, read_text
from searchkit.text.syllables import folded_form, folded_forms, marked_form, marked_forms

#: Extra key: the syllables of each part as written, sentence by sentence, from which the
#: segment counts syllable pairs for restoring accents (`text.sequences.pair_sequence`);
#: not a field.
SEQUENCE = "{}_a"


#: What makes a syllable as written each syllable field's term ('' holds a place, see `fields.ACCENTED`).
FORM_OF = {FOLDED: folded_form, ACCENTED: marked_form}
#: The same, of many syllables at once (a segment's distinct ones: `postings.TermEncoder.arrays`).
FORMS_OF = {FOLDED: folded_forms, ACCENTED: marked_forms}


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


def prepare_for_many() -> None:
    """Load what analysing articles reads once per process (pyvi's model and word lists, the
    gazetteer and the regex that finds provinces in running text) before the first article.
    A build's worker calls it as it starts, while the parent reads the batches: 0.11 s of
    CPU that its first batch paid for, on every worker's critical path."""
    from searchkit.text.places import load_gazetteer
    from searchkit.text.segment import load_tagger

    load_tagger()
    load_gazetteer().expect_many()


def analyze_article(article: Article) -> dict[str, list[str]]:
    """Every field's tokens of one article, by field name, plus the pair sequences of title
    and body (`title_a`, `body_a`).

    >>> fields = analyze_article(Article(id="1", title="Trạm BTS", body="Sở Thông tin và Truyền thông"))
    >>> fields["title_f"], fields["title"], fields["words"]
    (['tram', 'bts'], ['trạm', ''], ['thông_tin', 'truyền_thông'])
    """
    reading = _read(article)
    if isinstance(reading, Exception):
        raise reading
    return _text(reading, _words_in([reading]), 0).fields()


def analyzed(articles: Sequence[Article]) -> Iterator[tuple[Article, dict[str, list[str]] | Exception]]:
    """Each article with its fields (`analyze_article`), or with the error that analysing it
    raised, one at a time (see `analyzed_texts`)."""
    for article, text in analyzed_texts(articles):
        yield article, text if isinstance(text, Exception) else text.fields()


def analyzed_texts(articles: Sequence[Article]) -> Iterator[tuple[Article, ArticleText | Exception]]:
    """Each article analysed, or with the error that analysing it raised, one at a time,
    about CHUNK_CHARS characters of articles at a time (a batch's token lists are never all
    in memory). Each text is read once for its syllables, pyvi's syllables and its sentences
    (`text.readings`); pyvi tags a chunk's articles together, which is several times faster
    than article by article, then one by one if that fails, so that one bad article never
    stops the others."""
    for chunk in _chunks(articles):
        yield from _analysed_chunk(chunk)


def _analysed_chunk(articles: Sequence[Article]) -> Iterator[tuple[Article, ArticleText | Exception]]:
    """`analyzed_texts` of one chunk: every article read, those read tagged together."""
    readings = [_read(article) for article in articles]
    read = [reading for reading in readings if not isinstance(reading, Exception)]
    try:
        words = _words_in(read)
    except Exception:  # noqa: BLE001 - tagged one by one below, to find the article that fails
        words = None
    at = 0  # the article's place among those read
    for article, reading in zip(articles, readings):
        if isinstance(reading, Exception):
            yield article, reading
            continue
        at += 1
        try:
            yield article, _text(reading, words, at - 1) if words is not None else _text(reading, _words_in([reading]), 0)
        except Exception as error:  # noqa: BLE001 - a third-party analyser fails on one article
            yield article, error


def _chunks(articles: Sequence[Article]) -> Iterator[list[Article]]:
    """Consecutive runs of articles holding about CHUNK_CHARS characters of text each.

    >>> [len(c) for c in _chunks([Article(id=str(i), title="", body="x" * 100_000) for i in range(5)])]
    [3, 2]
    """
    from searchkit.text.segment import CHUNK_CHARS

    start, chars = 0, 0
    for i, article in enumerate(articles):
        chars += len(article.title) + len(article.body)
        if chars >= CHUNK_CHARS:
            yield articles[start:i + 1]
            start, chars = i + 1, 0
    if start < len(articles):
        yield articles[start:]


#: The parts of an article the indexer reads: those of the syllable fields, then any other
#: that a WORDS field tags.
_READ = tuple(dict.fromkeys([*PARTS, *(part for field in FIELDS if field.form == WORDS for part in field.text)]))


def _read(article: Article) -> dict[str, Reading] | Exception:
    """The readings of each part of `article` (`text.readings.read_text`), or the error that
    reading one raised."""
    try:
        return {part: read_text(getattr(article, part)) for part in _READ}
    except Exception as error:  # noqa: BLE001 - reported with its article, as any analysis error
        return error


def _words_in(readings: Sequence[dict[str, Reading]]) -> dict[str, list[list[str]]]:
    """Each `WORDS` field's compound words of every article read (its parts' lines in turn,
    as if joined by a line break)."""
    from searchkit.text.segment import compound_words_in

    return {field.name: compound_words_in([[line for part in field.text for line in reading[part].lines]
                                           for reading in readings])
            for field in FIELDS if field.form == WORDS}


def _text(reading: dict[str, Reading], words: dict[str, list[list[str]]], i: int) -> ArticleText:
    """One article analysed from its `reading`; `words` is `_words_in` a list holding it at
    index `i`."""
    return ArticleText({part: reading[part].syllables for part in PARTS},
                       {name: found[i] for name, found in words.items()},
                       tuple(reading[part].sequence for part in PARTS))
