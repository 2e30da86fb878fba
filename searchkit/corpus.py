"""Find article files, decode them and parse them into `Article` values.

Two formats: `.txt` articles in the users' format (title line, optional date line,
optional `(Mic.gov.vn) -` lead, body, author lines, `ĐÁNH GIÁ BÀI VIẾT( 0)` trailer) and
`.jsonl` files with one record a line (`id`, `title`, `body`, optional metadata).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Union

from searchkit.errors import CorpusError
from searchkit.models import Article, Skipped, Unchanged
from searchkit.places import load_gazetteer
from searchkit.text.authors import signature_author
from searchkit.text.dates import lead_date
from searchkit.text.legacy import decode_bytes
from searchkit.text.normalize import normalize_text

ARTICLE_SUFFIXES = (".txt", ".jsonl")
MAX_ARTICLE_BYTES = 10 * 1024 * 1024

_TRAILER = re.compile(r"^\s*ĐÁNH GIÁ BÀI VIẾT\s*\(\s*\d*\s*\)\s*$", re.MULTILINE)
_DATE_LINE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*([AP]M))?)?$"
)
_SOURCE_LEAD = re.compile(r"^\(([\w.\-]+\.[a-z]{2,})\)\s*[-–—]\s*", re.IGNORECASE)

#: Bump when parsing or metadata extraction changes what an article becomes: articles are
#: compared by the hash of their raw bytes salted with this, so all are then re-indexed.
PARSER_VERSION = 1

Entry = Union[Article, Skipped, Unchanged]
Known = Mapping[str, tuple[str, str]]  # id -> (hash, path) of what the index holds


@dataclass(frozen=True)
class SourceFile:
    """An article file and the root its id is relative to."""

    path: Path
    root: Path

    def article_id(self) -> str:
        return self.path.relative_to(self.root).with_suffix("").as_posix()


def find_files(paths: Iterable[str | os.PathLike]) -> Iterator[SourceFile]:
    """Every `.txt` and `.jsonl` file under the given files and directories, sorted.

    Raises CorpusError for a path that does not exist.
    """
    for given in paths:
        path = Path(given).resolve()
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.suffix.lower() in ARTICLE_SUFFIXES and found.is_file():
                    yield SourceFile(found, path)
        elif path.exists():
            yield SourceFile(path, path.parent)
        else:
            raise CorpusError(f"{given}: no such file or directory; give a folder of .txt or .jsonl articles")


def decode(data: bytes) -> str:
    """Decode an article file (UTF-8/16, Windows-1258, TCVN3, VNI; legacy fragments repaired).

    Raises ValueError with a reason a person can act on.
    """
    return decode_bytes(data)[0]


def raw_hash(data: bytes) -> str:
    """Hash of an article's bytes as stored, salted with PARSER_VERSION: `Article.hash`,
    what a re-sync compares (set by `read_articles`, which has the bytes)."""
    return hashlib.blake2b(data, digest_size=12, salt=PARSER_VERSION.to_bytes(16, "little")).hexdigest()


def parse_date_line(line: str) -> str | None:
    """ISO date of a seed date line, which is month/day/year.

    >>> parse_date_line("2/3/2010 9:46:12 AM")
    '2010-02-03'
    """
    match = _DATE_LINE.match(line.strip())
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups()[:3])
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None


def parse_txt(text: str, article_id: str, path: str = "") -> Article:
    """Parse one article in the users' `.txt` format, with its metadata.

    The date comes from the date line (month first), else from the lead ('Ngày 02/02/2010');
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
    return Article(
        id=article_id, title=title, body=body, date=date or lead_date(lead_line), source=source,
        author=author, province=gazetteer.province_of(title, lead_line), path=path,
    )


def parse_record(record: object) -> Article:
    """Turn one JSONL record into an Article; raises ValueError naming what is missing."""
    if not isinstance(record, dict):
        raise ValueError("record is not a JSON object")
    article_id = record.get("id")
    body = record.get("body")
    if article_id in (None, ""):
        raise ValueError("record has no 'id'")
    if not isinstance(body, str):
        raise ValueError("record has no 'body' text")
    fields = {key: _text(record.get(key)) for key in ("title", "date", "category", "url", "author")}
    source = _text(record.get("source")) or _text(record.get("publisher"))
    title, body = normalize_text(fields["title"] or "").strip(), normalize_text(body).strip()
    lead = body.split("\n", 1)[0]
    province = _text(record.get("province"))
    gazetteer = load_gazetteer()
    province = (gazetteer.resolve(province) if province else None) or gazetteer.province_of(title, lead)
    return Article(
        id=str(article_id), title=title, body=body, date=_iso_date(fields["date"]) or lead_date(lead),
        source=source, category=fields["category"], url=fields["url"], author=fields["author"],
        province=province,
    )


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    return "-".join(match.groups()) if match else parse_date_line(value)


def read_articles(source: SourceFile, known: Known | None = None) -> Iterator[Entry]:
    """Articles of one file, or Skipped entries for what cannot be read (never raises).

    With `known` (id -> (hash, path) already indexed), an article whose raw bytes hash the
    same comes back as `Unchanged` without being decoded or parsed: a re-sync of an
    unchanged archive reads it but does no text work.

    Skipped: empty files, binary or undecodable content, a `.txt` article or a JSONL line
    over 10 MB, unreadable files, JSONL lines that are not JSON objects with `id` and `body`.
    """
    name = str(source.path)
    try:
        size = source.path.stat().st_size
        if size == 0:
            yield Skipped(name, "empty file (0 bytes)")
            return
        if source.path.suffix.lower() == ".jsonl":
            yield from _read_jsonl(source.path, known or {})
            return
        if size > MAX_ARTICLE_BYTES:
            yield Skipped(name, f"article larger than {MAX_ARTICLE_BYTES // 2**20} MB ({size / 2**20:.1f} MB)")
            return
        data = source.path.read_bytes()
        article_id, digest = source.article_id(), raw_hash(data)
        if (known or {}).get(article_id) == (digest, name):
            yield Unchanged(article_id, name)
            return
        yield replace(parse_txt(decode(data), article_id, name), hash=digest)
    except OSError as error:
        yield Skipped(name, os_reason(error))
    except ValueError as error:
        yield Skipped(name, str(error))


def os_reason(error: OSError) -> str:
    """Why a file could not be read, and what to do about it."""
    if isinstance(error, PermissionError):
        return "permission denied; make the file readable (chmod +r) or leave it out"
    return f"cannot read ({error.strerror or error})"


def _read_jsonl(path: Path, known: Known) -> Iterator[Entry]:
    records = 0
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            records += 1
            if len(raw) > MAX_ARTICLE_BYTES:
                yield Skipped(str(path), f"record larger than {MAX_ARTICLE_BYTES // 2**20} MB", number)
                continue
            digest = raw_hash(raw)
            unchanged = _unchanged_record(raw, digest, str(path), known)
            if unchanged:
                yield unchanged
                continue
            try:
                article = parse_record(json.loads(decode(raw)))
            except json.JSONDecodeError as error:
                yield Skipped(str(path), f"not valid JSON ({error.msg})", number)
            except ValueError as error:
                yield Skipped(str(path), str(error), number)
            else:
                yield replace(article, path=str(path), hash=digest)
    if not records:
        yield Skipped(str(path), "empty file (no records, only blank lines)")


def _unchanged_record(raw: bytes, digest: str, path: str, known: Known) -> Unchanged | None:
    """The record's id when the index already holds these exact bytes from this file."""
    if not known:
        return None
    try:
        record = json.loads(raw)
    except ValueError:  # not UTF-8 JSON: the full path decodes or reports it
        return None
    article_id = str(record.get("id")) if isinstance(record, dict) else None
    if article_id is not None and known.get(article_id) == (digest, path):
        return Unchanged(article_id, path)
    return None


def iter_articles(paths: Iterable[str | os.PathLike], known: Known | None = None) -> Iterator[Entry]:
    """Stream every article (or Skipped / Unchanged entry) under the given paths, file by file."""
    for source in find_files(paths):
        yield from read_articles(source, known)


def estimate_count(paths: Iterable[str | os.PathLike]) -> int:
    """Roughly how many articles `paths` hold (lines of JSONL files, one per .txt), for progress."""
    total = 0
    try:
        for source in find_files(paths):
            if source.path.suffix.lower() == ".jsonl":
                with source.path.open("rb") as stream:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
            else:
                total += 1
    except (OSError, CorpusError):
        pass
    return total
