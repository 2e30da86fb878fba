"""The Whoosh schema of a searchkit index, and its version."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from searchkit.analysis import ACCENTED, FOLDED, CompoundAnalyzer, SyllableAnalyzer

#: Bump when the schema or the analysis changes: older indexes must then be rebuilt.
SCHEMA_VERSION = 1

#: Fields holding article text, in the accented and the folded form.
TEXT_FIELDS = ("title", "body")


def build_schema() -> Schema:
    """Folded syllables with positions (matching, phrases), accented syllables with
    frequencies only (the bonus for typed accents), pyvi words, metadata.
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
        province=ID(stored=True),
        author=STORED(),
        url=STORED(),
        path=ID(stored=True, sortable=True),
        hash=ID(stored=True, sortable=True),
    )
