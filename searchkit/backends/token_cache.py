"""Candidates' token fields kept between searches on a remote store (Typesense).

Ranking a search on Typesense reads every candidate's token fields: about 8 KB an article,
2.3 MB for a query's ~280 candidates, which the server must read and write out and this
process must parse on every search. The same articles come back query after query (the
bench's 200 queries: 77 % of their candidates had come before), and an article's tokens
change only with its text. So a search first asks for its candidates' ids and content hashes
alone, and then the token fields of those not kept here (`TypesenseBackend._with_tokens`).

An entry is keyed by the article's Typesense id and content hash, and must agree with the
token counts (`len_*`) the search just read: an article written again with other text has
another hash, and one analysed anew by other code has, as a rule, other counts. A new version
of the collection (another writer's commit) keeps what is kept: it changes no kept article's
text; the whole cache goes with a sync by this process and every STATISTICS_SECONDS.
Bounded by bytes, least recently used first out; shared by the threads of one store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Iterable

#: Bytes of token fields kept per store at most (about 8,000 articles of the news corpus).
MAX_BYTES = 64 * 2**20


class TokenCache:
    """Token fields by (document id, content hash), each a dict of field name → encoded tokens
    and their `len_` counts.

    >>> cache = TokenCache()
    >>> cache.keep({"id": "a1", "hash": "h", "body_f": "tram bts", "len_body_f": 2}, ("body_f",))
    >>> doc = {"id": "a1", "hash": "h", "len_body_f": 2}
    >>> cache.fill(doc, ("body_f",)), doc["body_f"]
    (True, 'tram bts')
    >>> cache.fill({"id": "a1", "hash": "other", "len_body_f": 2}, ("body_f",))
    False
    """

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._lock = threading.Lock()

    def fill(self, doc: dict, fields: Iterable[str]) -> bool:
        """Copy the kept token fields into `doc` (a candidate read without them: its `id`,
        `hash` and `len_` counts); False, leaving `doc` as it was, unless every one of `fields`
        is kept for this text with the same counts."""
        key = _key(doc)
        with self._lock:
            entry = self._entries.get(key) if key is not None else None
            if entry is None or not all(f in entry and entry.get(f"len_{f}") == doc.get(f"len_{f}") for f in fields):
                return False
            self._entries.move_to_end(key)
        for field in fields:
            doc[field] = entry[field]
        return True

    def keep(self, doc: dict, fields: Iterable[str]) -> None:
        """Keep `doc`'s token fields (with those already kept for the same text)."""
        key = _key(doc)
        if key is None:
            return
        taken = {name: doc[name] for field in fields for name in (field, f"len_{field}") if name in doc}
        with self._lock:
            entry = self._entries.pop(key, {})
            self.size -= _bytes(entry)
            entry.update(taken)
            if _bytes(entry) > self.max_bytes:
                return
            self._entries[key] = entry
            self.size += _bytes(entry)
            while self.size > self.max_bytes:
                self.size -= _bytes(self._entries.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


def _key(doc: dict) -> tuple[str, str] | None:
    """(id, content hash), None for a document without a hash (never kept)."""
    hash_ = doc.get("hash")
    return (doc["id"], hash_) if isinstance(hash_, str) and hash_ and "id" in doc else None


def _bytes(entry: dict) -> int:
    return sum(len(value) for value in entry.values() if isinstance(value, str))
