"""Python's cyclic garbage collector, kept away from what searchkit keeps for long and from
the millions of short-lived containers an indexing batch makes.

Reference counting frees searchkit's objects; the cyclic collector only looks for cycles,
and it looks by walking every container it tracks:

- **Kept for long, never walked again** (`untracked`). A list is always tracked; a tuple
  holding only plain values (bytes, str, numbers) is untracked by the first collection that
  sees it. A searcher keeps each segment's sorted terms and the did-you-mean words for as
  long as its index is open: at 16 times the corpus, 370,000 of them in lists made every full
  collection 4-5 ms longer (15.5 against 11.0 ms), paid by whichever search it fell in.
- **Paused while a batch is analysed** (`paused`). Analysing 2,000 articles makes millions
  of token lists and tuples, none in a cycle: at Python's thresholds the collector ran about
  200 times a batch and took 4-7 % of its CPU, to find nothing (peak memory is the same
  without it). Build workers already collected rarely (`segments.WORKER_GC_THRESHOLD`); a
  build in one process did not.

Measured in bench/README.md (thirty-first session). Pure: no I/O.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def untracked(values: Iterable[T]) -> tuple[T, ...]:
    """`values` as a tuple, which the collector stops tracking at its first pass when every
    value is plain (bytes, str, numbers): kept for long, it is never walked again.

    >>> terms = untracked("trạm bts viễn thông".split())
    >>> _ = gc.collect()
    >>> terms, gc.is_tracked(terms)
    (('trạm', 'bts', 'viễn', 'thông'), False)
    """
    return tuple(values)


@contextmanager
def paused() -> Iterator[None]:
    """The cyclic collector off for a block that makes many short-lived containers and no
    cycles (an indexing batch), then as it was: everything the block lets go of is freed by
    reference counting as before, and any cycle by the next collection after it.

    >>> with paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
