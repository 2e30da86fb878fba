"""Decode article files and parse them into `Article` values (`walk` finds the files).

Formats: `.txt` articles in the users' format (title line, optional date line, optional
`(Mic.gov.vn) -` lead, body, author lines, `ĐÁNH GIÁ BÀI VIẾT( 0)` trailer); `.jsonl` files
with one record a line (`id`, `title`, `body`, optional metadata); `.html`/`.htm` pages and
`.md` articles (see `markup`).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Union

from searchkit.errors import CorpusError
from searchkit.indexing.walk import ARTICLE_SUFFIXES, SourceFile, find_files, printable, unreadable
from searchkit.models import Article, Skipped, Unchanged
from searchkit.text.authors import signature_author
from searchkit.text.dates import date_line, lead_date
from searchkit.text.legacy import decode_bytes, repair_text
from searchkit.text.markup import Page, parse_html, parse_markdown
from searchkit.text.normalize import normalize_text, sanitize
from searchkit.text.places import load_gazetteer

__all__ = ["ARTICLE_SUFFIXES", "SourceFile", "find_files", "iter_articles", "read_articles", "parse_txt",
           "parse_record", "parse_line", "parse_page", "PendingArticle", "resolve", "decode", "raw_hash",
           "estimate_count", "estimate", "weight"]

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
#: Longest id accepted from a JSONL record.
MAX_ID_CHARS = 1000
#: JSONL metadata fields read as text; a list of strings is joined with ', '.
TEXT_FIELDS = ("title", "date", "category", "url", "author", "source", "publisher", "province")
#: Most tags one JSONL record may carry, and the longest tag (a filter value's own bound).
MAX_TAGS = 100
MAX_TAG_CHARS = 100

_TRAILER = re.compile(r"^\s*ĐÁNH GIÁ BÀI VIẾT\s*\(\s*\d*\s*\)\s*$", re.MULTILINE)
_SOURCE_LEAD = re.compile(r"^\(([\w.\-]+\.[a-z]{2,})\)\s*[-–—]\s*", re.IGNORECASE)

#: Bump when parsing or metadata extraction changes what an article becomes: articles are
#: compared by the hash of their raw bytes salted with this, so all are then re-indexed.
PARSER_VERSION = 4  # 2: date lines day first unless AM/PM; 3: tags, provinces mentioned; 4: JSON
# values repaired once parsed (a paragraph's `Ý kiến` after a `\n` escape read as TCVN3 `nÝ`)

Entry = Union[Article, Skipped, Unchanged]
Known = Mapping[str, tuple[str, str]]  # id -> (hash, path) of what the index holds


#: Byte-order marks of the wide encodings, UTF-32 first: its little-endian mark begins with UTF-16's.
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def wide_encoding(data: bytes) -> str | None:
    """'utf-16' or 'utf-32' when `data` begins with that encoding's byte-order mark (either
    byte order), else None: such files are decoded whole, never split at b'\\n'.

    >>> wide_encoding("Hà Nội".encode("utf-32")), wide_encoding("Hà Nội".encode("utf-16")), wide_encoding(b"Ha Noi")
    ('utf-32', 'utf-16', None)
    """
    return next((name for bom, name in _WIDE_BOMS if data.startswith(bom)), None)


def decode(data: bytes, repair: bool = True) -> str:
    """Decode an article file (UTF-8, UTF-16 and UTF-32 with a byte-order mark, Windows-1258,
    TCVN3, VNI; legacy fragments repaired unless `repair=False`: a JSON line's values are
    repaired once parsed, `repaired_values`).

    >>> decode(codecs.BOM_UTF32_BE + "Đắk Nông".encode("utf-32-be"))
    'Đắk Nông'

    Raises ValueError with a reason a person can act on.
    """
    wide = wide_encoding(data)
    if wide:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError as error:
            name = wide.upper()
            raise ValueError(f"{name} byte-order mark but invalid {name} at byte {error.start}") from None
        data = text.encode("utf-8")  # then checked and repaired as UTF-8 text is
    return decode_bytes(data, repair)[0]


def repaired_values(record: object) -> object:
    """A parsed JSON record with legacy fragments repaired in each string value and each
    string of a list value (`legacy.repair_text`); anything else as it is. Repaired in the
    line before parsing, JSON's escapes read as text: `\\nÝ kiến` became `\\ní kiến`.

    >>> repaired_values({"title": "bình đẳng và lµnh m¹nh", "body": "Xong.\\nÝ kiến", "tags": ["Viá»‡t"], "n": 2})
    {'title': 'bình đẳng và lành mạnh', 'body': 'Xong.\\nÝ kiến', 'tags': ['Việt'], 'n': 2}
    """
    if not isinstance(record, dict):
        return record
    return {key: repair_text(value) if isinstance(value, str) else
            [repair_text(v) if isinstance(v, str) else v for v in value] if isinstance(value, list) else value
            for key, value in record.items()}


def raw_hash(data: bytes) -> str:
    """Hash of an article's bytes as stored, salted with PARSER_VERSION: `Article.hash`,
    what a re-sync compares (set by `read_articles`, which has the bytes)."""
    return hashlib.blake2b(data, digest_size=12, salt=PARSER_VERSION.to_bytes(16, "little")).hexdigest()


def parse_date_line(line: str) -> str | None:
    """ISO date of an article's date line: day first, unless it carries AM/PM (the seed CMS).

    >>> parse_date_line("2/3/2010 9:46:12 AM"), parse_date_line("Thứ Sáu, 4/12/2026 08:30")
    ('2010-02-03', '2026-12-04')
    """
    return date_line(line)


def parse_txt(text: str, article_id: str, path: str = "") -> Article:
    """Parse one article in the users' `.txt` format, with its metadata.

    The date comes from the date line (day first unless AM/PM), else from the lead ('Ngày 02/02/2010');
    the source from a '(Mic.gov.vn) -' lead; the author from the signature lines (which stay
    in the body); the province from the title prefix ('An Giang: …'), else title or lead.
    """
    text = normalize_text(text)
    trailer = _TRAILER.search(text)
    if trailer:
        text = text[: trailer.start()]
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("empty article (no text)")
    title, rest = lines[0], lines[1:]
    date = parse_date_line(rest[0]) if rest else None
    if date:
        rest = rest[1:]
    source = None
    if rest:
        lead = _SOURCE_LEAD.match(rest[0])
        if lead:
            source, rest[0] = lead.group(1), rest[0][lead.end():]
    body = "\n".join(rest)
    lead_line = rest[0] if rest else ""
    gazetteer = load_gazetteer()
    author = signature_author(rest, is_place=lambda name: gazetteer.resolve(name) is not None)
    province = gazetteer.province_of(title, lead_line)
    return Article(
        id=article_id, title=title, body=body, date=date or lead_date(lead_line), source=source,
        author=author, province=province, path=path, mentions=mentioned(province, title, body),
    )


def parse_record(record: object) -> Article:
    """Turn one JSONL record into an Article; raises ValueError naming what is missing or wrong.

    `id` must be a string or an integer (`"bai-1"`, `42`), `body` a string; metadata may be
    text, a number or a list of strings (joined with ', ').
    """
    article_id, body, fields, tags = _checked(record)
    source = fields["source"] or fields["publisher"]
    title, body = normalize_text(fields["title"] or "").strip(), normalize_text(body).strip()
    lead = body.split("\n", 1)[0]
    province = fields["province"]
    gazetteer = load_gazetteer()
    province = (gazetteer.resolve(province) if province else None) or gazetteer.province_of(title, lead)
    return Article(
        id=article_id, title=title, body=body, date=_iso_date(fields["date"]) or lead_date(lead),
        source=source, category=fields["category"], url=fields["url"], author=fields["author"],
        province=province, tags=tags, mentions=mentioned(province, title, body),
    )


def _checked(record: object) -> tuple[str, str, dict[str, str | None], tuple[str, ...]]:
    """A record's id, body, metadata (sanitised text) and tags, before any text work;
    ValueError naming what is missing or wrong (the reader of a build checks a line with
    this alone, and leaves the text work to a worker: `PendingArticle`)."""
    if not isinstance(record, dict):
        raise ValueError("record is not a JSON object")
    article_id = record_id(record.get("id"))
    body = record.get("body")
    if not isinstance(body, str):
        raise ValueError("record has no 'body' text" if body is None else
                         f"'body' must be a string, not {_json_type(body)}")
    fields = {key: _text(key, record.get(key)) for key in TEXT_FIELDS}
    return article_id, body, fields, parse_tags(record.get("tags"))


def parse_tags(value: object) -> tuple[str, ...]:
    """A record's `tags`: a list of strings, each kept once by folded key (its first
    spelling), blanks dropped; ValueError saying what is wrong with anything else.

    >>> parse_tags(["5G", "Viettel", "viettel", " "]), parse_tags(None)
    (('5G', 'Viettel'), ())
    >>> parse_tags("5G")
    Traceback (most recent call last):
    ValueError: 'tags' must be a list of strings, not text ("5G")
    """
    from searchkit.text.keys import folded_key

    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        shown = "text" if isinstance(value, str) else _json_type(value) if not isinstance(value, list) else \
            "a list holding " + next(_json_type(tag) for tag in value if not isinstance(tag, str))
        raise ValueError(f"'tags' must be a list of strings, not {shown} ({_preview(value)})")
    if len(value) > MAX_TAGS:
        raise ValueError(f"'tags' holds {len(value)} tags; at most {MAX_TAGS}")
    tags: dict[str, str] = {}
    for tag in value:
        tag = " ".join(normalize_text(tag).split())
        if len(tag) > MAX_TAG_CHARS:
            raise ValueError(f"a tag is longer than {MAX_TAG_CHARS} characters ({_preview(tag)})")
        if tag and not folded_key(tag):
            raise ValueError(f"the tag {_preview(tag)} has no letters or digits")
        if tag:
            tags.setdefault(folded_key(tag), tag)
    return tuple(tags.values())


def mentioned(province: str | None, title: str, body: str) -> tuple[str, ...]:
    """Every province an article names (`Gazetteer.find_all`), its own province first.

    >>> mentioned("Nghệ An", "Viettel mở rộng mạng 5G", "Trạm BTS ở Hà Tĩnh và Nghệ An.")
    ('Nghệ An', 'Hà Tĩnh')
    """
    named = load_gazetteer().find_all(f"{title}\n{body}")
    return tuple(dict.fromkeys(((province,) if province else ()) + named))


def record_id(value: object) -> str:
    """The id of a JSONL record as text; ValueError unless it is a non-empty string or an integer.

    >>> record_id("bai-1"), record_id(42)
    ('bai-1', '42')
    """
    if value is None or value == "":
        raise ValueError("record has no 'id'")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"'id' must be a string or an integer, not {_json_type(value)} ({_preview(value)})")
    text = sanitize(str(value)).strip()
    if not text:
        raise ValueError("'id' is blank")
    if len(text) > MAX_ID_CHARS:
        raise ValueError(f"'id' is longer than {MAX_ID_CHARS} characters")
    return text


def _text(key: str, value: object) -> str | None:
    """A metadata value as sanitised text; ValueError for objects, nested lists and booleans."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ", ".join(v for v in value if v)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"'{key}' must be text, not {_json_type(value)} ({_preview(value)})")
    return sanitize(str(value)) or None  # as before, so that indexed articles need no re-parse


def _json_type(value: object) -> str:
    names = {bool: "true/false", list: "a list", dict: "an object", float: "a number", int: "a number"}
    return names.get(type(value), type(value).__name__)


def _preview(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "…"


def parse_page(page: Page, article_id: str, path: str = "") -> Article:
    """An Article from an HTML or Markdown page; metadata the page does not declare is found
    as in `.txt` articles (date and province from the lead)."""
    title, body = normalize_text(page.title).strip(), normalize_text(page.body).strip()
    if not (title or body):
        raise ValueError("empty article (no text)")
    lead = body.split("\n", 1)[0]
    province = load_gazetteer().province_of(title, lead)
    return Article(
        id=article_id, title=title, body=body, date=_iso_date(page.date) or lead_date(lead),
        author=normalize_text(page.author).strip() if page.author else None,
        province=province, path=path, mentions=mentioned(province, title, body),
    )


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    return "-".join(match.groups()) if match else parse_date_line(value)


def read_articles(source: SourceFile, known: Known | None = None, defer: bool = False) -> Iterator[Entry]:
    """Articles of one file, or Skipped entries for what cannot be read (never raises).

    With `known` (id -> (hash, path) already indexed), an article whose raw bytes hash the
    same comes back as `Unchanged` without being decoded or parsed: a re-sync of an
    unchanged archive reads it but does no text work.

    Skipped: empty files, binary or undecodable content, an article or a JSONL line over
    10 MB, unreadable files, anything but a regular file, JSONL lines that are not JSON
    objects with a string or integer `id` and a `body`.
    """
    name = printable(source.path)
    suffix = source.path.suffix.lower()
    try:
        size = _regular_size(source.path)
        if size == 0:
            yield Skipped(name, "empty file (0 bytes)", kind="skip.empty_file")
            return
        if suffix == ".jsonl":
            yield from _read_jsonl(source.path, known or {}, defer)
            return
        if size > MAX_ARTICLE_BYTES:
            limit, found = str(MAX_ARTICLE_BYTES // 2**20), f"{size / 2**20:.1f}"
            yield Skipped(name, f"article larger than {limit} MB ({found} MB)", kind="skip.article_too_large",
                          data=(("limit", limit), ("size", found)))
            return
        data = source.path.read_bytes()
        article_id, digest = source.article_id(), raw_hash(data)
        if (known or {}).get(article_id) == (digest, name):
            yield Unchanged(article_id, name)
            return
        yield replace(_parse_file(suffix, decode(data), article_id, name), hash=digest)
    except OSError as error:  # a file that exists keeps its articles in the index (see sync)
        yield unreadable(source.path, os_reason(error))
    except (ValueError, RecursionError) as error:
        yield Skipped(name, str(error))


def _parse_file(suffix: str, text: str, article_id: str, path: str) -> Article:
    if suffix in (".html", ".htm"):
        return parse_page(parse_html(text), article_id, path)
    if suffix == ".md":
        return parse_page(parse_markdown(text), article_id, path)
    return parse_txt(text, article_id, path)


def _regular_size(path: Path) -> int:
    """Size of a regular file; OSError for anything else (a pipe swapped in is never opened)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError(0, "not a regular file")
    return info.st_size


def os_reason(error: OSError) -> str:
    """Why a file could not be read, and what to do about it."""
    if isinstance(error, PermissionError):
        return "permission denied; make the file readable (chmod +r) or leave it out"
    return f"cannot read ({error.strerror or error})"


def _read_jsonl(path: Path, known: Known, defer: bool = False) -> Iterator[Entry]:
    records, name = 0, printable(path)
    with path.open("rb") as stream:
        for number, raw in enumerate(_jsonl_lines(stream), start=1):
            if isinstance(raw, ValueError):  # a line of a UTF-16/32 file that does not decode
                records += 1
                yield Skipped(name, str(raw), number)
                continue
            if not raw.strip():
                continue
            records += 1
            if len(raw) > MAX_ARTICLE_BYTES:
                limit = str(MAX_ARTICLE_BYTES // 2**20)
                yield Skipped(name, f"record larger than {limit} MB", number, "skip.record_too_large",
                              (("limit", limit),))
                continue
            digest = raw_hash(raw)
            unchanged = _unchanged_record(raw, digest, name, known, number)
            if unchanged:
                yield unchanged
            else:
                yield (defer and _pending(raw, digest, name, number)) or parse_line(raw, digest, name, number)
    if not records:
        yield Skipped(name, "empty file (no records, only blank lines)", kind="skip.no_records")


def parse_line(raw: bytes, digest: str, path: str, number: int) -> Article | Skipped:
    """The article of one JSONL line (its bytes hash to `digest`), or why it is skipped."""
    try:
        article = parse_record(repaired_values(json.loads(decode(raw, repair=False))))
    except json.JSONDecodeError as error:
        problem = json_problem(error)
        return Skipped(path, f"not valid JSON ({problem})", number, "skip.not_json", (("problem", problem),))
    except RecursionError:
        return Skipped(path, "JSON nested too deeply (a record is one flat object: id, title, body…)", number,
                       "skip.nested")
    except ValueError as error:
        return Skipped(path, str(error), number)
    return replace(article, path=path, hash=digest, line=number)


@dataclass(frozen=True)
class PendingArticle(Article):
    """A JSONL line the reader identified and checked, to be decoded into its Article by the
    worker that analyses it (`resolve`): a full build's parent then does no text work per
    article (decoding, repairing, normalising, finding provinces: two thirds of its reading),
    which on many cores is the serial part that paces every worker."""

    raw: bytes = b""
    chars: int = 0  # of its title and body as written (normalising them changes a few)

    def size(self) -> int:
        return self.chars


def _pending(raw: bytes, digest: str, path: str, number: int) -> PendingArticle | None:
    """The line as a PendingArticle when its id reads the same before and after decoding and
    every check `parse_record` makes passes; None for the full path (which says what is wrong)."""
    try:  # valid UTF-8 JSON, else a legacy encoding or an error: the full path
        article_id, body, fields, _ = _checked(json.loads(raw))
    except (ValueError, RecursionError):
        return None
    if not article_id.isascii():  # repairs and NFC change only what is not ASCII
        return None
    return PendingArticle(id=article_id, title="", body="", path=path, hash=digest, line=number, raw=raw,
                          chars=len(fields["title"] or "") + len(body))


def resolve(article: Article) -> Article | Skipped:
    """A PendingArticle decoded and parsed as the reader would have (`parse_line`); any
    other article as it is."""
    if not isinstance(article, PendingArticle):
        return article
    found = parse_line(article.raw, article.hash, article.path, article.line or 0)
    if isinstance(found, Article) and found.id != article.id:  # never: ids that decoding changes are not deferred
        return Skipped(article.path, f"id {article.id!r} reads {found.id!r} once decoded; write it in UTF-8",
                       article.line)
    return found


def _jsonl_lines(stream: io.BufferedReader) -> Iterator[bytes | ValueError]:
    """The lines of a JSONL file as bytes: as stored, or, in a UTF-16/32 file with a
    byte-order mark, decoded and written again as UTF-8 (split at b'\\n', such a file's
    lines would be halves of characters); a line that does not decode is a ValueError
    in its place, and the next lines are read."""
    head = stream.peek(4)[:4]
    wide = wide_encoding(head)
    if not wide:
        yield from stream
        return
    codec = next(f"{wide}-{order}" for order in ("le", "be") if head.startswith("\ufeff".encode(f"{wide}-{order}")))
    stream.read(len("\ufeff".encode(codec)))
    for raw in _wide_lines(stream, "\n".encode(codec)):
        try:
            yield raw.decode(codec).encode("utf-8")
        except UnicodeDecodeError as error:
            yield ValueError(f"invalid {wide.upper()} ({error.reason}); save the file again as {wide.upper()} or UTF-8")


def _wide_lines(stream: io.BufferedReader, newline: bytes) -> Iterator[bytes]:
    """The lines of a stream of 2- or 4-byte code units, split where a whole unit is the
    newline (b'\\n\\x00' in UTF-16-LE), never where its bytes straddle two units.

    >>> units = "Huế\\n\\u0a41\\u0100 Hà Nội\\n".encode("utf-16-le")  # ...41 0a 00 01...: no newline inside
    >>> lines = _wide_lines(io.BufferedReader(io.BytesIO(units)), "\\n".encode("utf-16-le"))
    >>> [line.decode("utf-16-le") for line in lines]
    ['Huế\\n', '\u0a41Ā Hà Nội\\n']
    """
    unit, buffer = len(newline), b""
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        buffer += chunk
        start = found = 0
        while (found := buffer.find(newline, found)) >= 0:
            if found % unit:  # the newline's bytes straddle two units: not a newline
                found += 1
                continue
            yield buffer[start:found + unit]
            start = found = found + unit
        buffer = buffer[start:]
    if buffer:
        yield buffer


def json_problem(error: json.JSONDecodeError) -> str:
    """What is wrong in a JSON text, and where: json's own message without its trailing
    'at' ('Unterminated string starting at'), then the column.

    >>> try: json.loads('{"title": "Hà Nội')
    ... except json.JSONDecodeError as e: json_problem(e)
    'Unterminated string starting at column 11'
    """
    message = error.msg[:-3] if error.msg.endswith(" at") else error.msg
    return f"{message} at column {error.colno}"


def _unchanged_record(raw: bytes, digest: str, path: str, known: Known, line: int) -> Unchanged | None:
    """The record's id when the index already holds these exact bytes from this file."""
    if not known:
        return None
    try:
        record = json.loads(raw)
        article_id = record_id(record.get("id")) if isinstance(record, dict) else None
    except (ValueError, RecursionError):  # not UTF-8 JSON, or a bad id: the full path reports it
        return None
    if article_id is not None and known.get(article_id) == (digest, path):
        return Unchanged(article_id, path, line)
    return None


def iter_articles(paths: Iterable[str | os.PathLike], known: Known | None = None,
                  follow: bool = False, defer: bool = False) -> Iterator[Entry]:
    """Stream every article (or Skipped / Unchanged entry) under the given paths, file by file;
    with `defer`, a JSONL line that checks out comes as a PendingArticle (see `resolve`).

    Raises CorpusError, before yielding anything, for a path that cannot be indexed.
    """
    for found in find_files(paths, follow):
        if isinstance(found, Skipped):
            yield found
        else:
            yield from read_articles(found, known, defer)


def estimate_count(paths: Iterable[str | os.PathLike], follow: bool = False) -> int:
    """Roughly how many articles `paths` hold (lines of JSONL files, one per other file), for progress."""
    return estimate(paths, follow)[0]


def estimate(paths: Iterable[str | os.PathLike], follow: bool = False) -> tuple[int, int]:
    """Roughly how many articles `paths` hold (lines of JSONL files, one per other file) and
    their bytes (the files' sizes): what the build's batches are balanced by (`weight`)."""
    total = size = 0
    try:
        for source in find_files(paths, follow):
            if isinstance(source, Skipped):
                continue
            try:  # an unreadable file is reported by the sync; the count goes on
                if source.path.suffix.lower() != ".jsonl":
                    total, size = total + 1, size + source.path.stat().st_size
                    continue
                with source.path.open("rb") as stream:
                    for chunk in iter(lambda: stream.read(1 << 20), b""):
                        total, size = total + chunk.count(b"\n"), size + len(chunk)
            except OSError:
                continue
    except (OSError, CorpusError):
        pass
    return total, size


def weight(article: Article) -> int:
    """What analysing an article costs, about: the bytes of its JSONL line (as `estimate`
    counts them), else of its title and body, and one for the article itself.

    >>> weight(Article(id="1", title="Trạm BTS", body=""))
    11
    """
    if isinstance(article, PendingArticle):
        return len(article.raw) + 1
    return len(article.title.encode("utf-8", "surrogatepass")) + len(article.body.encode("utf-8", "surrogatepass")) + 1
