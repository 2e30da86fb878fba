"""Immutable values that cross the library boundary: articles, hits, results, reports."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

#: A heading made of an untitled article's first sentence stops at a word near this length.
HEADING_CHARS = 120
_SENTENCE = re.compile(r"(.+?[.!?…])(?=\s|$)|.+", re.S)


def heading(title: str, body: str) -> str:
    """The title, or for an untitled article its body's first sentence (cut at a word, with
    `…`, when long): what lists of hits show.

    >>> heading("", "Sở TT&TT Nghệ An vừa lắp 5 trạm BTS. Dự án tiếp tục năm sau.")
    'Sở TT&TT Nghệ An vừa lắp 5 trạm BTS.'
    >>> heading("Trạm BTS", "Bài viết."), heading("  ", "")
    ('Trạm BTS', '')
    """
    if title.strip():
        return title
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    found = _SENTENCE.match(first)
    sentence = found.group(1) or found.group(0) if found else ""
    if len(sentence) <= HEADING_CHARS:
        return sentence
    cut = sentence[:HEADING_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:–- ") + "…"


def heading_end(title: str, body: str) -> int:
    """Where an untitled article's heading (`heading`) ends in its body: the text before it is
    what the hit's title shows already; 0 for a titled article.

    >>> body = "Sở TT&TT Nghệ An vừa lắp 5 trạm BTS. Dự án tiếp tục năm sau."
    >>> body[heading_end("", body):], heading_end("Trạm BTS", body)
    (' Dự án tiếp tục năm sau.', 0)
    >>> heading_end("", "\\n  Trạm BTS.\\nĐoạn hai."), heading_end(" ", ""), heading_end("", " \\n ")
    (12, 0, 0)
    """
    if title.strip():
        return 0
    shown = heading(title, body).removesuffix("…")
    at = body.find(shown) if shown else -1
    return at + len(shown) if at >= 0 else 0


def day_number(date: str | None) -> int:
    """An ISO date as the number every store sorts by date with; 0 when undated (last).

    >>> day_number("2010-02-03"), day_number(None), day_number(""), day_number("không rõ")
    (20100203, 0, 0, 0)
    """
    return int(date.replace("-", "")) if date and date[:4].isdigit() else 0


@dataclass(frozen=True)
class Article:
    """One news article, normalised, as it is indexed.

    `id` is the path relative to the indexed root without extension for `.txt` files
    (`000_8ea709576470be64`) and the record's `id` for JSONL.
    """

    id: str
    title: str
    body: str
    date: str | None = None  # ISO 'YYYY-MM-DD'
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    province: str | None = None
    path: str = ""  # the file it came from
    hash: str = ""  # hash of the stored bytes (corpus.raw_hash), for incremental sync
    line: int | None = None  # its line in a JSONL file
    tags: tuple[str, ...] = ()  # a JSONL record's "tags", one spelling per folded key
    mentions: tuple[str, ...] = ()  # every province it names (canonical), its own first

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def size(self) -> int:
        """Characters of its title and body: what analysing it holds in memory."""
        return len(self.title) + len(self.body)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> "Article":
        """The article an index's stored fields hold (the index's own keys left out; lists
        as tuples)."""
        return cls(**{name: tuple(value) if isinstance(value, list) else value
                      for name, value in stored.items() if name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Snippet:
    """A passage of an article with the matched words as [start, end) spans into `text`."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": [list(span) for span in self.spans]}


@dataclass(frozen=True)
class Explanation:
    """Why an article scored what it did: each term's and pair's BM25 by field (before
    coverage), the share of the query's weight it holds, and the final score.

    `score = relevance × coverage ** power`; `first` tells whether it was ranked among the
    articles holding every word, which come ahead of the rest when there are enough of them.
    """

    score: float
    relevance: float
    coverage: float
    power: float
    complete: bool
    first: bool
    parts: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "relevance": round(self.relevance, 4),
                "coverage": round(self.coverage, 4), "power": self.power, "complete": self.complete,
                "first": self.first, "parts": {label: round(value, 4) for label, value in self.parts}}

    def lines(self) -> list[str]:
        """Readable breakdown, largest contribution first.

        >>> Explanation(2.0, 2.0, 1.0, 2.0, True, False, (("trạm · body", 2.0),)).lines()[1]
        '  2.0000  trạm · body'
        """
        head = (f"score {self.score:.4f} = {self.relevance:.4f} × coverage {self.coverage:.3f}"
                f"^{self.power:g}" + (" · holds every word" if self.complete else ""))
        return [head] + [f"  {value:.4f}  {label}" for label, value in
                         sorted(self.parts, key=lambda part: -part[1])]


@dataclass(frozen=True)
class Hit:
    """One matching article: `snippets` show where the query matched, highlighted by spans."""

    id: str
    title: str
    score: float
    date: str | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    province: str | None = None
    tags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # every province it names
    title_spans: tuple[tuple[int, int], ...] = ()
    snippets: tuple[Snippet, ...] = ()
    explanation: Explanation | None = None  # with explain=True

    def to_dict(self) -> dict[str, Any]:
        # shallow: asdict's deep copy of the snippets, all overwritten below, cost the API
        # about 0.3 ms a page of 10 hits (a search takes about 4)
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["score"] = round(self.score, 4)
        data["tags"], data["mentions"] = list(self.tags), list(self.mentions)
        data["title_spans"] = [list(span) for span in self.title_spans]
        data["snippets"] = [snippet.to_dict() for snippet in self.snippets]
        if self.explanation is None:
            del data["explanation"]
        else:
            data["explanation"] = self.explanation.to_dict()
        return data


@dataclass(frozen=True)
class Results:
    """What a search returns: the hits of one page and the total number of matches."""

    query: str
    total: int
    hits: tuple[Hit, ...] = ()
    searched: str | None = None  # the query as interpreted, when it differs from `query`
    suggestion: str | None = None  # did-you-mean
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    corrected: bool = False  # `query` found nothing: these are the results for `searched`
    complete: int = 0  # matches holding every word typed (the others hold most of them)
    offset: int = 0
    plan: dict[str, Any] | None = None  # with explain=True: the query as searched
    note: str | None = None  # what this search could not do (a backend without did-you-mean)

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self):
        return iter(self.hits)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "query": self.query,
            "total": self.total,
            "complete": self.complete,
            "offset": self.offset,
            "searched": self.searched,
            "corrected": self.corrected,
            "suggestion": self.suggestion,
            "facets": self.facets,
            "hits": [hit.to_dict() for hit in self.hits],
        }
        if self.plan is not None:
            data["plan"] = self.plan
        if self.note is not None:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Skipped:
    """An input that could not be indexed, with the reason."""

    path: str
    reason: str  # in English, for logs and the library
    line: int | None = None
    #: The catalogue key (`searchkit.messages`) that words the reason in the user's language,
    #: with its data as (name, value) pairs; "" where the reason has no entry (it is shown as is).
    kind: str = ""
    data: tuple[tuple[str, str], ...] = ()

    @property
    def where(self) -> str:
        """`bai.jsonl:12`, or the path alone."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "data": dict(self.data)}


@dataclass(frozen=True)
class Unchanged:
    """An article whose stored bytes match what the index holds (nothing to do)."""

    id: str
    path: str
    line: int | None = None


@dataclass(frozen=True)
class IndexReport:
    """What one `index` run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: tuple[Skipped, ...] = ()
    seconds: float = 0.0
    total: int = 0  # articles in the index afterwards

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [item.to_dict() for item in self.skipped]
        data["seconds"] = round(self.seconds, 3)
        return data
