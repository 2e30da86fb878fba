"""The field registry: the postings fields (what each analyses, how, and how ranking weighs
it) and the filter-and-facet fields (`KEYED`: province, source, category, tag, mentions).

Analysis (`indexing.analysis`), the postings writer and reader (`indexing.postings`), the
manifest (`indexing.manifest`), ranking (`searching.ranking`, `searching.arrays`), query
rewriting, did-you-mean (`searching.suggest`) and `--explain` all loop over `FIELDS` or ask
`folded_field` / `accented_field`: adding a field, or changing a weight, is one line here.

Every article has two texts, its title and its body (`PARTS`). Each is kept in two forms:

- folded syllables with positions (`trạm BTS` → `tram bts`): matching, phrases, neighbours;
- accented syllables, marked ones only (`trạm`), with positions: what a word typed with
  accents matches exactly (`Nghệ An` is not `nghệ Ấn`; see `searching.exact`).

and the pyvi words of both (`trạm_bts`… `thông_tin`): a bonus for words typed whole.

>>> folded_field("title").name, folded_field("title").boost
('title_f', 2.5)
>>> [f.name for f in FIELDS if f.positional]
['title_f', 'body_f', 'title', 'body']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

FOLDED, ACCENTED, WORDS = "folded", "accented", "words"
#: The texts of an article that are analysed (a `title:` query searches only the first).
PARTS = ("title", "body")


@dataclass(frozen=True)
class PostingsField:
    """One field of the postings store.

    `text`: the article parts it analyses; `form`: folded syllables, accented (marked)
    syllables or pyvi words; `positional`: positions kept (phrases, neighbours); `boost`:
    the weight of a match in this field; `b`: BM25's length weight (titles are short and
    even, so their length matters less).
    """

    name: str
    text: tuple[str, ...]
    form: str
    positional: bool
    boost: float
    b: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


FIELDS: tuple[PostingsField, ...] = (
    PostingsField("title_f", ("title",), FOLDED, positional=True, boost=2.5, b=0.5),
    PostingsField("body_f", ("body",), FOLDED, positional=True, boost=1.0, b=0.75),
    PostingsField("title", ("title",), ACCENTED, positional=True, boost=2.5, b=0.5),
    PostingsField("body", ("body",), ACCENTED, positional=True, boost=1.0, b=0.75),
    PostingsField("words", ("title", "body"), WORDS, positional=False, boost=0.5, b=0.75),
)
BY_NAME = {field.name: field for field in FIELDS}


def folded_field(part: str) -> PostingsField:
    """The folded, positional field of an article part ('title' → title_f)."""
    return _of(FOLDED, part)


def accented_field(part: str) -> PostingsField:
    """The accented field of an article part ('body' → body)."""
    return _of(ACCENTED, part)


def fields_of(form: str) -> tuple[PostingsField, ...]:
    """Every field of one form, in registry order.

    >>> [f.name for f in fields_of(ACCENTED)]
    ['title', 'body']
    """
    return tuple(field for field in FIELDS if field.form == form)


def _of(form: str, part: str) -> PostingsField:
    for field in FIELDS:
        if field.form == form and field.text == (part,):
            return field
    raise KeyError(f"no {form} field analyses the {part!r} part")


# ---------------------------------------------------------------------- filter and facet fields


@dataclass(frozen=True)
class KeyedField:
    """A filter-and-facet field of article metadata, compared by folded key (`Viettel` =
    `viettel`, `Đắk Nông` = `dak nong`).

    `name`: the filter's and the facet's name everywhere (`search(tag=…)`, `--tag`, `&tag=`,
    `Results.facets["tag"]`); `attribute`: the `Article` attribute holding the value;
    `many`: a tuple of values per article, and a filter of several values keeps the articles
    holding them all; `places`: province names, typed in any spelling the gazetteer knows
    and shown as it spells them; `closed`: a value no article has is an error listing the
    closest ones (else it simply matches nothing).

    Every store (`backends/`), the filters (`searching.filters`), the facets
    (`searching.pipeline`), the local index's schema and the Typesense collection loop
    over `KEYED`; so do the CLI's and the web's options.

    >>> [(f.name, f.attribute) for f in KEYED if f.many]
    [('tag', 'tags'), ('mentions', 'mentions')]
    """

    name: str
    attribute: str
    many: bool = False
    places: bool = False
    closed: bool = False

    @property
    def key_field(self) -> str:
        """The stores' field of folded keys that filters compare ('tag_key')."""
        return f"{self.name}_key"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


KEYED: tuple[KeyedField, ...] = (
    KeyedField("province", "province", places=True),
    KeyedField("source", "source", closed=True),
    KeyedField("category", "category", closed=True),
    KeyedField("tag", "tags", many=True),
    KeyedField("mentions", "mentions", many=True, places=True),
)
KEYED_BY_NAME = {field.name: field for field in KEYED}
#: The facets of `Results.facets`, in order: the keyed fields, and the year of the date.
FACETS: tuple[str, ...] = ("province", "year", *(f.name for f in KEYED if f.name != "province"))
