"""Text of HTML and Markdown articles: title, body and the metadata they declare.

HTML goes through the standard library's `html.parser` (entities decoded, tags dropped):
the title is `<title>`, else the first `<h1>`; the body is the text of `<article>`, else
`<main>`, else `<body>`, without scripts, styles, navigation, forms and footers; block
elements become line breaks. Markdown is read as text: YAML front matter gives `title` and
`date`, a leading `# ` marks the title, links keep their text and lose their address.

Pure functions, standard library only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

#: Elements whose text is never article text.
_HIDDEN = frozenset("script style noscript template svg canvas nav aside footer form button select "
                    "textarea iframe object head".split())
_BLOCKS = frozenset("p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table section article main header "
                    "blockquote pre figure figcaption dd dt hr address".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_DATE_META = ("article:published_time", "datepublished", "date", "dc.date", "pubdate", "og:published_time")


@dataclass(frozen=True)
class Page:
    """What a page says about itself; `body` keeps line breaks between blocks."""

    title: str
    body: str
    date: str | None = None
    author: str | None = None


class _PageParser(HTMLParser):
    """Collects text per container (article, main, body) and the title, skipping hidden parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0  # depth inside hidden elements
        self.open: list[str] = []
        self.counts: Counter = Counter()  # of `open`: membership without scanning a deep stack
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": [], "title": [], "h1": []}
        self.meta: dict[str, str] = {}
        self.time: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            key = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").lower()
            if key and "content" in attributes:
                self.meta.setdefault(key, attributes["content"])
        elif tag == "time" and self.time is None and attributes.get("datetime"):
            self.time = attributes["datetime"]
        if tag in _VOID:
            if tag in _BLOCKS:
                self._text("\n")
            return
        self.open.append(tag)
        self.counts[tag] += 1
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self.counts[tag]:
            return  # a stray closing tag
        while self.open:  # close what the page left open inside it
            closed = self.open.pop()
            self.counts[closed] -= 1
            if closed in _HIDDEN:
                self.hidden -= 1
            if closed == tag:
                break
        if tag in _BLOCKS:
            self._text("\n")

    def handle_data(self, data: str) -> None:
        if self.counts["title"] and not self.counts["svg"]:
            self.parts["title"].append(data)
            return
        if self.hidden:
            return
        if self.counts["h1"]:
            self.parts["h1"].append(data)
        self._text(data)

    def _text(self, data: str) -> None:
        if self.hidden:
            return
        for container in ("article", "main"):
            if self.counts[container]:
                self.parts[container].append(data)
        self.parts["body"].append(data)


def parse_html(text: str) -> Page:
    """Title, body text and declared date/author of an HTML page; ValueError when it has no text.

    >>> page = parse_html("<html><head><title>Trạm BTS</title><script>x()</script></head>"
    ...                   "<body><nav>Trang chủ</nav><article><h1>Trạm BTS</h1><p>Lắp đặt &amp; vận hành.</p>"
    ...                   "</article></body></html>")
    >>> page.title, page.body
    ('Trạm BTS', 'Lắp đặt & vận hành.')
    """
    parser = _PageParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception as error:  # noqa: BLE001 - the parser's own limits; one page, not the run
        raise ValueError(f"HTML that cannot be parsed ({type(error).__name__}: {error})") from None
    parts = parser.parts
    body_parts = next((parts[name] for name in ("article", "main", "body") if "".join(parts[name]).strip()), [])
    body = _lines("".join(body_parts))
    title = _lines(" ".join(parts["title"])) or _lines(" ".join(parts["h1"]))
    title = " ".join(title.split())
    if not body and not title:
        raise ValueError("no text in the HTML page (nothing outside scripts, styles and menus)")
    if not title:
        title, _, body = body.partition("\n")
    first, _, rest = body.partition("\n")
    if first.casefold() == title.casefold():  # the page's <h1> repeats its <title>
        body = rest
    meta = parser.meta
    date = next((meta[key] for key in _DATE_META if meta.get(key)), None) or parser.time
    return Page(title=title, body=body, date=date, author=meta.get("author") or None)


def _lines(text: str) -> str:
    """Lines stripped, runs of spaces collapsed, empty lines dropped."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_FIELD = re.compile(r"^(title|date|author)\s*:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def parse_markdown(text: str) -> Page:
    """Title, body and front-matter date/author of a Markdown article; ValueError when empty.

    >>> page = parse_markdown("---\\ntitle: Chữ ký số\\ndate: 2011-03-03\\n---\\n"
    ...                       "Xem [hướng dẫn](http://mic.gov.vn/a) về **chữ ký số**.")
    >>> page.title, page.body, page.date
    ('Chữ ký số', 'Xem hướng dẫn về **chữ ký số**.', '2011-03-03')
    """
    fields: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        fields = {m.group(1).lower(): m.group(2).strip("\"'") for m in _FRONT_FIELD.finditer(front.group(1))}
        text = text[front.end():]
    lines = [_IMAGE_OR_LINK.sub(r"\1", line) for line in text.split("\n") if not _FENCE.match(line)]
    lines = [line.strip() for line in lines if line.strip()]
    title = fields.get("title")
    if not title and lines:
        heading = _HEADING.match(lines[0])
        title, lines = (heading.group(1) if heading else lines[0]), lines[1:]
    body = "\n".join(_HEADING.sub(r"\1", line) for line in lines)
    if not (title or body):
        raise ValueError("empty article (no text)")
    return Page(title=title or "", body=body, date=fields.get("date"), author=fields.get("author"))
