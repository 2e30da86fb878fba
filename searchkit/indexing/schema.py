"""The Whoosh schema of a searchkit index, and its version."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from searchkit.indexing.analysis import FOLDED, SyllableAnalyzer

#: Bump when the schema or the analysis changes: older indexes must then be rebuilt.
SCHEMA_VERSION = 4

#: Metadata with a folded key field (`province_key`: 'dak nong') for exact, accent-blind filters.
KEYED_FIELDS = ("province", "source", "category")


def build_schema() -> Schema:
    """Folded syllables with positions (matching, phrases), the stored text, metadata.

    The accented syllables (the bonus for typed accents) and pyvi words are not Whoosh
    fields: they live in each segment's `.skp` postings file (see `postings.py`), which
    halves the postings Whoosh writes in pure Python.

    `date` ('2010-02-03') and `province` (canonical name) are columns, read fast for sorting
    and facets; `*_key` fields hold `folded_key` of province, source and category for filters.
    """
    folded = SyllableAnalyzer(FOLDED)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=STORED(),
        title_f=TEXT(analyzer=folded),
        body=STORED(),
        body_f=TEXT(analyzer=folded),
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
