"""Safe HTML from article text and highlight spans, and small display helpers. Pure.

Every piece of text is escaped before it is joined with markup, so an article or a query
holding `<script>` or `"><img onerror=…>` shows as those characters and never runs.
"""

from __future__ import annotations

import re
from typing import Iterable

from markupsafe import Markup, escape

from searchkit.text.syllables import query_syllables

_PART = re.compile(r'(-)?(?:\w+:)?("[^"]*"?|[^\s"]+)')
_OPERATORS = frozenset(("OR", "||", "AND", "&&", "NOT"))


def mark(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """`text` escaped, with each [start, end) span wrapped in <mark>.

    >>> str(mark("các trạm <BTS> mới", [(4, 14)]))
    'các <mark>trạm &lt;BTS&gt;</mark> mới'
    """
    pieces, last = [], 0
    for start, end in sorted(spans):
        if start < last or end > len(text) or start >= end:  # never trust a span blindly
            continue
        pieces += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def query_terms(query: str) -> dict[str, frozenset[str]]:
    """Folded syllable → accented forms typed (empty: any accents), for highlighting a whole
    article with `searchkit.highlight.match_spans`. Excluded words (`-Vinh`, `NOT Vinh`) and
    operators are left out.

    >>> query_terms('trạm bts -"Nghệ An" OR Vinh')
    {'tram': frozenset({'trạm'}), 'bts': frozenset(), 'vinh': frozenset()}
    """
    terms: dict[str, set[str] | None] = {}
    negate_next = False
    for match in _PART.finditer(query):
        negated, words = match.group(1), match.group(2)
        if words in _OPERATORS:
            negate_next = negate_next or words == "NOT"
            continue
        if negated or negate_next:
            negate_next = False
            continue
        for syllable in query_syllables(words.strip('"')):
            typed = terms.setdefault(syllable.folded, set())
            if typed is None or syllable.accented == syllable.folded:
                terms[syllable.folded] = None  # typed without accents: any variant matches
            else:
                typed.add(syllable.accented)
    return {folded: frozenset(typed or ()) for folded, typed in terms.items()}


def vietnamese_date(day: str | None) -> str:
    """'2010-02-03' → '03/02/2010' (day first, as Vietnamese readers write it).

    >>> vietnamese_date("2010-02-03"), vietnamese_date(None)
    ('03/02/2010', '')
    """
    if not day:
        return ""
    parts = day.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else day
