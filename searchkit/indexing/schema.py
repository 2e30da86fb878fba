"""The Whoosh schema of a searchkit index, and the index's format version.

Whoosh keeps no postings of the article text: every postings field (`searchkit.fields`) is
in the segment's `.skp` file. Whoosh keeps the stored fields, the columns (sorting, facets),
the exact-match keys of ids and metadata (deletion by id, filters), the segment list,
deletions and the atomic commit.
"""

from __future__ import annotations

from whoosh.fields import ID, STORED, Schema

#: Bump when the schema, the postings file or the analysis changes: older indexes must
#: then be rebuilt (`searchkit index --rebuild`).
SCHEMA_VERSION = 7

#: Metadata with a folded key field (`province_key`: 'dak nong') for exact, accent-blind filters.
KEYED_FIELDS = ("province", "source", "category")


def build_schema() -> Schema:
    """Stored text and metadata, columns and keys; no analysed text.

    `date` ('2010-02-03') and `province` (canonical name) are columns, read fast for sorting
    and facets; `*_key` fields hold `folded_key` of province, source and category for filters.
    """
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
    )
