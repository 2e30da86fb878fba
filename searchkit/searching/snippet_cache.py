"""Marked titles and snippets kept between searches, by article text and what is marked.

A hit's marks are a function of its article's text and the query's `Highlighting`: neither
changes when other articles are added. So after each commit (a newsroom adds articles every
few seconds, and every kept answer of the web server is dropped then) the same queries find
mostly the same articles again, and their snippets, a third of such a search's time, are
taken from here instead of being cut again. An article is known by its id and content hash
(an article written again has another) and the lengths of its title and body; an article
without a hash is never kept. Bounded by entries, least recently used first out; one per
process, shared by its threads.
"""

from __future__ import annotations

from searchkit.models import Snippet
from searchkit.searching.kept import KeptValues

#: Hits' marks kept at most (about 1-2 KB each).
MAX_ENTRIES = 4096

#: (title spans, snippets) of a hit.
Marks = tuple[tuple[tuple[int, int], ...], tuple[Snippet, ...]]

#: The process's marks, by `pipeline._marks_key` (`pipeline.hit`).
KEPT: KeptValues[Marks] = KeptValues(MAX_ENTRIES)
