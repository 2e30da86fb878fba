"""Analysis of one article into the token lists of every postings field (`searchkit.fields`).

Pure text work, run in the indexer's worker processes: the tokens go to the segment's
postings file (`postings.py`); Whoosh is handed only stored text and metadata.
"""

from __future__ import annotations

from searchkit.fields import ACCENTED, FIELDS, FOLDED, WORDS
from searchkit.models import Article
from searchkit.text.syllables import syllable_forms

#: Extra key: the full accented syllable sequence of each part, from which the segment
#: counts syllable pairs for restoring accents (see `searching.accents`); not a field.
SEQUENCE = "{}_a"


def analyze_article(article: Article) -> dict[str, list[str]]:
    """Every field's tokens of one article, by field name, plus the accented sequences of
    title and body (`title_a`, `body_a`).

    >>> fields = analyze_article(Article(id="1", title="Trạm BTS", body="Sở Thông tin và Truyền thông"))
    >>> fields["title_f"], fields["title"], fields["words"]
    (['tram', 'bts'], ['trạm'], ['thông_tin', 'truyền_thông'])
    """
    from searchkit.text.segment import compound_words

    parts = {"title": article.title, "body": article.body}
    forms: dict[str, dict[str, list[str]]] = {}
    analysed: dict[str, list[str]] = {}
    for part, text in parts.items():
        found = syllable_forms(text)
        forms[part] = {FOLDED: [folded for _, folded in found],
                       ACCENTED: [accented for accented, folded in found if accented != folded]}
        analysed[SEQUENCE.format(part)] = [accented for accented, _ in found]
    for field in FIELDS:
        if field.form == WORDS:
            analysed[field.name] = compound_words("\n".join(parts[p] for p in field.text))
        else:
            (part,) = field.text
            analysed[field.name] = forms[part][field.form]
    return analysed


def pop_pair_sequences(analysed: dict[str, list[str]]) -> list[list[str]]:
    """Take out of `analysed` the accented syllable sequences whose neighbours are counted
    (title, body): what is left are the fields' tokens."""
    return [analysed.pop(SEQUENCE.format(part)) for part in ("title", "body")]
