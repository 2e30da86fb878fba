"""The Whoosh schema of a searchkit index, the index's format version, and what Whoosh is
handed of each article.

Whoosh keeps no postings of the article text: every postings field (`searchkit.fields`) is
in the segment's `.skp` file. Whoosh keeps the stored fields, the columns (sorting, facets),
the exact-match keys of ids and metadata (deletion by id, filters), the segment list,
deletions and the atomic commit.
"""

from __future__ import annotations

from searchkit.indexing.lean_whoosh import import_whoosh

# Whoosh first imported without what it loads and never uses (asyncio, urllib.request: 24 ms
# of every `searchkit add`), as for a search: the writing modules below use none of it.
import_whoosh()

from whoosh.analysis import RegexTokenizer  # noqa: E402 - after import_whoosh, on purpose
from whoosh.fields import ID, KEYWORD, STORED, Schema  # noqa: E402

from searchkit.fields import KEYED  # noqa: E402
from searchkit.models import Article  # noqa: E402

#: Bump when the schema, the postings file or the analysis changes: older indexes must
#: then be rebuilt (`searchkit index --rebuild`). 8: tags and provinces mentioned.
SCHEMA_VERSION = 8

#: Metadata with a folded key field (`province_key`: 'dak nong') for exact, accent-blind filters.
KEYED_FIELDS = tuple(field.name for field in KEYED if not field.many)
#: One term a line: the terms of a field with several values (a tag may hold spaces or commas).
_LINES = r"[^\n]+"


def build_schema() -> Schema:
    """Stored text and metadata, columns and keys; no analysed text.

    `date` ('2010-02-03') and `province` (canonical name) are columns, read fast for sorting
    and facets; `*_key` fields hold `folded_key` of each keyed field's value(s) (`fields.KEYED`)
    for filters; a field with several values (tags) also keeps its spellings as terms
    (`tag_spelled`: 'Viettel'), so that facets show the most common one without reading
    stored fields.
    """
    many = {}
    for field in KEYED:
        if field.many:
            many[field.attribute] = STORED()
            many[field.key_field] = KEYWORD(analyzer=RegexTokenizer(_LINES))
            many[f"{field.name}_spelled"] = KEYWORD(analyzer=RegexTokenizer(_LINES))
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=STORED(),
        body=STORED(),
        date=ID(stored=True, sortable=True),
        source=ID(stored=True),
        category=ID(stored=True),
        province=ID(stored=True, sortable=True),
        province_key=ID(),
        source_key=ID(),
        category_key=ID(),
        author=STORED(),
        url=STORED(),
        path=ID(stored=True, sortable=True),
        hash=ID(stored=True, sortable=True),
        **many,
    )


#: The indexed fields every document is given, even empty (`document`); the others only when
#: they hold a value (`adapter.DocumentKeys` reads them back so).
ALWAYS_GIVEN = ("id", "hash", "path")


def document(article: Article) -> dict:
    """Keyword arguments for Whoosh's `add_document`: stored text, metadata and keys."""
    from searchkit.text.keys import folded_key

    stored = {"id": article.id, "hash": article.hash, "path": article.path,
              "title": article.title, "body": article.body}
    for name in ("date", "source", "category", "province", "author", "url"):
        value = getattr(article, name)
        if value:
            stored[name] = value
    for field in KEYED:
        value = getattr(article, field.attribute)
        if field.many and value:
            stored[field.attribute] = list(value)
            stored[field.key_field] = "\n".join(folded_key(v) for v in value)
            stored[f"{field.name}_spelled"] = "\n".join(value)
        elif not field.many and value and (key := folded_key(value)):
            stored[field.key_field] = key
    return stored
