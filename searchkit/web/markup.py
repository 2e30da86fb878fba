"""Safe HTML from article text and highlight spans, and small display helpers. Pure.

Every piece of text is escaped before it is joined with markup, so an article or a query
holding `<script>` or `"><img onerror=…>` shows as those characters and never runs.
"""

from __future__ import annotations

from typing import Iterable

from markupsafe import Markup, escape


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
    """Folded syllable → accented forms typed (empty: any accents) of every word a query looks
    for, read by searchkit's own parser; excluded words (`-Vinh`, `NOT Vinh`) and operators
    left out. (Pages mark hits with `SearchEngine.highlighting`, which also knows phrases,
    Telex and abbreviations.)

    >>> query_terms('trạm bts -"Nghệ An" OR Vinh')
    {'tram': frozenset({'trạm'}), 'bts': frozenset(), 'vinh': frozenset()}
    """
    from searchkit.errors import QueryError
    from searchkit.searching.query import parse_query

    try:
        parsed = parse_query(query)
    except QueryError:
        return {}
    terms: dict[str, set[str] | None] = {}
    for syllable in (s for group in parsed.groups for clause in group for s in clause.syllables):
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


def translator(lang: str):
    """`t(key, **data)` for the templates: the catalogue's message in `lang` as markup, its data
    escaped (the catalogue's `web.*` texts are written HTML-safe; what users and articles wrote
    never is). Markup passed as data (`<strong>`) stays markup.

    >>> t = translator("vi")
    >>> str(t("web.none", query="<b>x</b>"))
    'Không tìm thấy bài nào cho «&lt;b&gt;x&lt;/b&gt;»'
    """
    from searchkit.messages import say

    def t(key: str, **data) -> Markup:
        return Markup(say(key, lang, **{k: escape(v) if isinstance(v, str) else v for k, v in data.items()}))

    return t
