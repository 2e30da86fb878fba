"""The Whoosh schema of a searchkit index, and its version."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from searchkit.analysis import ACCENTED, FOLDED, CompoundAnalyzer, SyllableAnalyzer

#: Bump when the schema or the analysis changes: older indexes must then be rebuilt.
SCHEMA_VERSION = 2

#: Fields holding article text, in the accented and the folded form.
TEXT_FIELDS = ("title", "body")
#: Metadata with a folded key field (`province_key`: 'dak nong') for exact, accent-blind filters.
KEYED_FIELDS = ("province", "source", "category")


def build_schema() -> Schema:
    """Folded syllables with positions (matching, phrases), accented syllables with
    frequencies only (the bonus for typed accents), pyvi words, metadata.

    `date` ('2010-02-03') and `province` (canonical name) are columns, read fast for sorting
    and facets; `*_key` fields hold `folded_key` of province, source and category for filters.
    """
    accented, folded = SyllableAnalyzer(ACCENTED), SyllableAnalyzer(FOLDED)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=accented, stored=True, phrase=False),
        title_f=TEXT(analyzer=folded),
        body=TEXT(analyzer=accented, stored=True, phrase=False),
        body_f=TEXT(analyzer=folded),
        words=TEXT(analyzer=CompoundAnalyzer(), phrase=False),
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
