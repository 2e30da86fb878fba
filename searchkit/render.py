"""Plain-text rendering of results: colour highlights on a terminal, [brackets] otherwise."""

from __future__ import annotations

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


def render_hit(rank: int, hit: Hit, colour: bool) -> str:
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if colour else (lambda s: s)
    fields = (hit.id, hit.date, hit.province, hit.source, hit.author, f"score {hit.score:.2f}")
    meta = " · ".join(str(v) for v in fields if v)
    lines = [f"{rank}. {bold(mark(hit.title or '(no title)', hit.title_spans, colour))}", f"   {meta}"]
    lines += [f"   {mark(s.text, s.spans, colour)}" for s in hit.snippets]
    return "\n".join(lines)


def render_results(results: Results, colour: bool = False, offset: int | None = None) -> str:
    """The whole result page as text; `offset`: hits skipped before this page (default: the
    results' own)."""
    offset = results.offset if offset is None else offset
    shown = results.searched if results.corrected else results.query
    if not results.hits:
        head = f'No results for "{shown}"'
        head += f" after the first {offset}." if offset and results.total else "."
    else:
        head = f'{results.total} result{"s" if results.total != 1 else ""} for "{shown}"'
        if results.complete < results.total:
            head += f" ({results.complete} with every word)"
        if offset or results.total > len(results.hits):
            head += f", showing {offset + 1}–{offset + len(results.hits)}"
    if results.corrected:
        head = f'Không có kết quả cho "{results.query}"; đã tìm: {results.searched}\n' + head
    lines = [head]
    if results.searched and not results.corrected:
        lines.append(f"Đã tìm: {results.searched}")
    lines += ["", *(render_hit(i, hit, colour) + "\n" for i, hit in enumerate(results.hits, offset + 1))]
    if results.suggestion:
        lines.append(f"Có phải bạn muốn tìm: {results.suggestion}")
    return "\n".join(lines).rstrip() + "\n"


def render_facets(facets: dict[str, dict[str, int]], top: int = 10) -> str:
    """Counts of all matches by province, year, source and category, the largest first.

    >>> print(render_facets({"province": {"Đắk Nông": 3, "Hà Nội": 1}, "year": {"2010": 4}}))
    Tỉnh/thành: Đắk Nông 3 · Hà Nội 1
    Năm: 2010 4
    """
    labels = {"province": "Tỉnh/thành", "year": "Năm", "source": "Nguồn", "category": "Chuyên mục"}
    lines = []
    for name, label in labels.items():
        if name not in facets and name in ("source", "category"):
            continue
        counts = facets.get(name) or {}
        shown = [f"{key} {count}" for key, count in list(counts.items())[:top]]
        if len(counts) > top:
            shown.append(f"… {len(counts) - top} more")
        lines.append(f"{label}: {' · '.join(shown) if shown else '—'}")
    return "\n".join(lines)


#: How each way a typed word matched is said in `--explain` (`searching.exact`).
_ACCENT_MODES = {"exact": "đúng dấu", "plain": "không dấu, đúng như gõ", "any": "mọi dấu"}


def _accent_lines(accents) -> str:
    """How each typed word matched: `trạm đúng dấu · trám mọi dấu (không có trong chỉ mục, tìm không dấu)`.

    >>> _accent_lines([{"word": "trám", "mode": "any", "fallback": True}, {"word": "bts", "mode": "any", "fallback": False}])
    'trám mọi dấu (hiếm hoặc không có trong chỉ mục: tìm không dấu)'
    """
    parts = []
    for entry in accents:
        if entry["fallback"]:
            parts.append(f"{entry['word']} {_ACCENT_MODES['any']} (hiếm hoặc không có trong chỉ mục: tìm không dấu)")
        elif entry["mode"] != "any" or any(e["mode"] != "any" for e in accents):
            parts.append(f"{entry['word']} {_ACCENT_MODES.get(entry['mode'], entry['mode'])}")
    return " · ".join(parts)


def render_explanation(results: Results) -> str:
    """The plan (what was searched, required and optional words, words side by side) and each hit's
    score breakdown.

    >>> print(render_explanation(Results("trạm", 0, plan={"required": [], "optional": ["trạm"]})))
    Truy vấn: trạm
      bắt buộc: —
      tùy chọn: trạm
    """
    plan = results.plan or {}
    lines = [f"Truy vấn: {results.searched or results.query}"]
    labels = (("required", "bắt buộc"), ("optional", "tùy chọn"), ("excluded", "loại trừ"),
              ("side_by_side", "liền nhau"), ("compounds", "từ ghép"), ("dropped", "bỏ qua (câu dài)"))
    for key, label in labels:
        values = plan.get(key)
        if values or key in ("required", "optional"):
            lines.append(f"  {label}: {', '.join(values) if values else '—'}")
    if plan.get("names"):
        lines.append(f"  tên riêng (chỉ tính trọn khi liền nhau): {', '.join(plan['names'])}")
    accents = _accent_lines(plan.get("accents") or ())
    if accents:
        lines.append("  dấu: " + accents)
    weights = plan.get("weights") or {}
    if weights:
        lines.append("  trọng số (idf): " + " · ".join(f"{w} {v:.2f}" for w, v in weights.items()))
    for rank, hit in enumerate(results.hits, results.offset + 1):
        if hit.explanation is not None:
            lines.append(f"{rank}. {hit.id}")
            lines += [f"   {line}" for line in hit.explanation.lines()]
    return "\n".join(lines)


def progress_line(done: int, total: int | None, seconds: float) -> str:
    """The indexing progress line: articles done, their rate, and the time left at that rate
    (once some are done: `ETA …` before).

    >>> progress_line(4000, 16183, 32.0)
    '4000/16183 articles done · 125/s · ETA 1:37'
    >>> progress_line(0, 16183, 1.5)
    '0/16183 articles done · 0/s · ETA …'
    """
    rate = done / max(seconds, 1e-6)
    line = f"{done}/{total or '?'} articles done · {rate:,.0f}/s"
    if total and done > 0:
        remaining = max(total - done, 0) / rate
        return line + f" · ETA {int(remaining // 60)}:{int(remaining % 60):02d}"
    return line + " · ETA …"
