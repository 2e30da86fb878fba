"""Plain-text rendering of results: colour highlights on a terminal, [brackets] otherwise."""

from __future__ import annotations

from searchkit.messages import say
from searchkit.models import Hit, Results


def mark(text: str, spans, colour: bool) -> str:
    """Wrap each span of `text` in ANSI bold yellow (colour) or [brackets].

    >>> mark("các trạm BTS mới", [(4, 12)], colour=False)
    'các [trạm BTS] mới'
    """
    out, last = [], 0
    for start, end in spans:
        word = text[start:end]
        out += [text[last:start], f"\x1b[1;33m{word}\x1b[0m" if colour else f"[{word}]"]
        last = end
    out.append(text[last:])
    return "".join(out)


def render_hit(rank: int, hit: Hit, colour: bool, lang: str = "vi") -> str:
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if colour else (lambda s: s)
    fields = (hit.id, hit.date, hit.province, hit.source, hit.author, say("render.score", lang, score=hit.score))
    meta = " · ".join(str(v) for v in fields if v)
    title = hit.title or say("render.no_title", lang)
    lines = [f"{rank}. {bold(mark(title, hit.title_spans, colour))}", f"   {meta}"]
    lines += [f"   {mark(s.text, s.spans, colour)}" for s in hit.snippets]
    return "\n".join(lines)


def render_results(results: Results, colour: bool = False, offset: int | None = None, lang: str = "vi") -> str:
    """The whole result page as text in `lang`; `offset`: hits skipped before this page
    (default: the results' own).

    >>> print(render_results(Results("xyzzyq", 0)), end="")
    Không tìm thấy kết quả cho "xyzzyq".
    >>> print(render_results(Results("xyzzyq", 0), lang="en"), end="")
    No results for "xyzzyq".
    """
    offset = results.offset if offset is None else offset
    shown = results.searched if results.corrected else results.query
    if not results.hits:
        head = say("results.none_after" if offset and results.total else "cli.no_results", lang,
                   query=shown, offset=offset)
    else:
        head = say("results.one" if results.total == 1 else "results.many", lang, total=results.total, query=shown)
        if results.complete < results.total:
            head += say("results.complete", lang, complete=results.complete)
        if offset or results.total > len(results.hits):
            head += say("results.showing", lang, first=offset + 1, last=offset + len(results.hits))
    if results.corrected:
        head = say("results.corrected", lang, query=results.query, searched=results.searched) + "\n" + head
    lines = [head]
    if results.searched and not results.corrected:
        lines.append(say("results.searched", lang, searched=results.searched))
    lines += ["", *(render_hit(i, hit, colour, lang) + "\n" for i, hit in enumerate(results.hits, offset + 1))]
    if results.suggestion:
        lines.append(say("results.suggestion", lang, suggestion=results.suggestion))
    return "\n".join(lines).rstrip() + "\n"


def render_filtered_empty(filters: dict[str, str], without: int, lang: str = "vi") -> str:
    """What a filtered search that found nothing says: the filters, named as flags, and how many
    articles the same words find without them.

    >>> render_filtered_empty({"--province": "Nghệ An"}, 12)
    '0 kết quả với --province Nghệ An; 12 nếu bỏ bộ lọc'
    >>> render_filtered_empty({"--province": "Nghệ An", "--since": "2010"}, 12, "en")
    '0 results with --province Nghệ An --since 2010; 12 without'
    """
    shown = " ".join(f"{name} {value}" for name, value in filters.items())
    return say("results.filtered_empty", lang, filters=shown, without=without)


def render_facets(facets: dict[str, dict[str, int]], top: int = 10, lang: str = "vi") -> str:
    """Counts of all matches by province, year, source, category, tag and province mentioned
    (those two only when some match has one), the largest first.

    >>> print(render_facets({"province": {"Đắk Nông": 3, "Hà Nội": 1}, "year": {"2010": 4}}))
    Tỉnh/thành: Đắk Nông 3 · Hà Nội 1
    Năm: 2010 4
    """
    from searchkit.fields import FACETS, KEYED_BY_NAME

    lines = []
    for name in FACETS:
        if name not in facets and name in ("source", "category"):
            continue
        counts = facets.get(name) or {}
        if not counts and name in KEYED_BY_NAME and KEYED_BY_NAME[name].many:  # most corpora have no tags
            continue
        shown = [f"{key} {count}" for key, count in list(counts.items())[:top]]
        if len(counts) > top:
            shown.append(say("facet.more", lang, count=len(counts) - top))
        lines.append(f"{say('facet.' + name, lang)}: {' · '.join(shown) if shown else '—'}")
    return "\n".join(lines)


#: How each way a typed word matched (`searching.exact`) is said in `--explain`: catalogue keys.
_ACCENT_MODES = {"exact": "explain.exact", "plain": "explain.plain", "any": "explain.any"}


def _accent_lines(accents, lang: str = "vi") -> str:
    """How each typed word matched: `trạm đúng dấu · trám mọi dấu (không có trong chỉ mục, tìm không dấu)`.

    >>> _accent_lines([{"word": "trám", "mode": "any", "fallback": True}, {"word": "bts", "mode": "any", "fallback": False}])
    'trám mọi dấu (hiếm hoặc không có trong chỉ mục: tìm không dấu)'
    """
    parts = []
    for entry in accents:
        if entry["fallback"]:
            parts.append(f"{entry['word']} {say('explain.any', lang)} ({say('explain.fallback', lang)})")
        elif entry["mode"] != "any" or any(e["mode"] != "any" for e in accents):
            mode = _ACCENT_MODES.get(entry["mode"])
            parts.append(f"{entry['word']} {say(mode, lang) if mode else entry['mode']}")
    return " · ".join(parts)


def render_explanation(results: Results, lang: str = "vi") -> str:
    """The plan (what was searched, required and optional words, words side by side) and each hit's
    score breakdown.

    >>> print(render_explanation(Results("trạm", 0, plan={"required": [], "optional": ["trạm"]})))
    Truy vấn: trạm
      bắt buộc: —
      tùy chọn: trạm
    """
    plan = results.plan or {}
    lines = [say("explain.query", lang, query=results.searched or results.query)]
    for key in ("required", "optional", "excluded", "side_by_side", "compounds", "dropped"):
        values = plan.get(key)
        if values or key in ("required", "optional"):
            lines.append(f"  {say('explain.' + key, lang)}: {', '.join(values) if values else '—'}")
    if plan.get("names"):
        lines.append(f"  {say('explain.names', lang)}: {', '.join(plan['names'])}")
    accents = _accent_lines(plan.get("accents") or (), lang)
    if accents:
        lines.append(f"  {say('explain.accents', lang)}: {accents}")
    weights = plan.get("weights") or {}
    if weights:
        lines.append(f"  {say('explain.weights', lang)}: " + " · ".join(f"{w} {v:.2f}" for w, v in weights.items()))
    if results.note:  # what the search cut short (snippets of a broad query) or could not do
        lines.append(f"  {results.note}")
    for rank, hit in enumerate(results.hits, results.offset + 1):
        if hit.explanation is not None:
            lines.append(f"{rank}. {hit.id}")
            lines += [f"   {line}" for line in hit.explanation.lines()]
    return "\n".join(lines)


def progress_line(done: int, total: int | None, seconds: float, lang: str = "en") -> str:
    """The indexing progress line: articles done, their rate, and the time left at that rate
    (once some are done: `ETA …` before), in `lang`.

    >>> progress_line(4000, 16183, 32.0)
    '4000/16183 articles done · 125/s · ETA 1:37'
    >>> progress_line(0, 16183, 1.5)
    '0/16183 articles done · 0/s · ETA …'
    >>> progress_line(4000, 16183, 32.0, "vi")
    '4000/16183 bài xong · 125/giây · còn 1:37'
    """
    rate = done / max(seconds, 1e-6)
    eta = "…"
    if total and done > 0:
        remaining = max(total - done, 0) / rate
        eta = f"{int(remaining // 60)}:{int(remaining % 60):02d}"
    return say("progress.line", lang, done=done, total=total or "?", rate=rate, eta=eta)
