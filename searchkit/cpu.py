"""What numpy is told about the processor and its memory, before searchkit first imports it.

numpy sorts integers with x86-simd-sort. Its AVX-512 code writes each partition with the
memory form of `vpcompressq`, which AMD's Zen 4 runs as microcode (over 100 cycles): there,
numpy's AVX-512 sort of a million 64-bit integers takes 52 ms, its AVX2 sort 10 ms
(numpy/numpy#32690 says the same). A build sorts every segment's postings and pair counts,
and a merge all of its segments' postings: on a Zen 4 host a 16k build's workers spent 1-12 %
less CPU, and `searchkit optimize` a fifth to a quarter less, with numpy's AVX-512 code turned off
(bench/README.md, thirty-seventh session). Zen 4 runs AVX-512 as two AVX2 halves anyway, so
nothing else got slower; searches sort little and took the same time, their hits in the same
order (numpy's float sums group their terms otherwise: scores move in their sixth or seventh
significant digit).

numpy reads NPY_DISABLE_CPU_FEATURES once, at its import. Whoever set it (even empty) or
NPY_ENABLE_CPU_FEATURES, or imported numpy before searchkit, keeps numpy's own choice. The
names differ between numpy versions (2.4 groups the features): the installed version is read
from its `version.py` without importing it, since a name a version does not know makes an
ImportWarning at numpy's import.

numpy also asks the kernel to back each array of 4 MB or more with transparent huge pages
(NUMPY_MADVISE_HUGEPAGE, read at its import too). Where the kernel's policy is `madvise`,
touching such an array first may wait while the kernel compacts memory: at 16 times the corpus,
first searches spent 43 to 107 ms in the kernel so (bench/README.md, twenty-third session), so
searches go without the advice (`quiet_huge_pages`). A merge is the other way round: its arrays
are hundreds of MB, made and dropped one after another, and without huge pages each is faulted
in 4 KB at a time (a ×16 `optimize`: 5.7 million faults against 0.45 million, and a fifth to
two fifths of its time in the kernel). A merge turns the advice on while it writes, and a writer
while it saves its statistics (`huge_pages`). Whoever set NUMPY_MADVISE_HUGEPAGE keeps their
choice in both; a process started afresh (not forked) finds the variable set, and keeps it too.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from typing import Iterator, MutableMapping

#: numpy's names for its AVX-512 code: from numpy 2.4 on (its feature groups), and before.
AVX512_FEATURES = "X86_V4 AVX512_ICL AVX512_SPR"
AVX512_FEATURES_BEFORE_2_4 = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"
_VERSION = re.compile(r'^version\s*(?::\s*str\s*)?=\s*["\'](\d+)\.(\d+)', re.MULTILINE)
#: The family of AMD's Zen 3 and Zen 4 (0x19); Zen 3 has no AVX-512, Zen 5 is family 0x1A.
ZEN_3_AND_4 = 25
#: Bytes of /proc/cpuinfo read: the first processor's lines fit in a tenth of it.
CPUINFO_BYTES = 16_384
#: numpy's switch for its huge-page advice (see the module).
HUGE_PAGES_VARIABLE = "NUMPY_MADVISE_HUGEPAGE"
#: Whether searchkit chose numpy's huge-page advice (`quiet_huge_pages`): a merge may then turn it on.
_huge_pages_chosen_here = False


def slow_avx512_sorts(cpuinfo: str) -> bool:
    """Whether the first processor `/proc/cpuinfo` describes is a Zen 4: AMD, family 0x19, with
    AVX-512 (x86-simd-sort's AVX-512 partitions are slow there).

    >>> slow_avx512_sorts("vendor_id\\t: AuthenticAMD\\ncpu family\\t: 25\\nflags\\t\\t: fpu avx2 avx512f avx512dq\\n")
    True
    >>> slow_avx512_sorts("vendor_id\\t: GenuineIntel\\ncpu family\\t: 6\\nflags\\t\\t: fpu avx2 avx512f\\n")
    False
    """
    fields: dict[str, str] = {}
    for line in cpuinfo.split("\n"):
        if not line.strip():
            if fields:
                break  # the first processor's block ends
            continue
        name, _, value = line.partition(":")
        fields.setdefault(name.strip(), value.strip())
    return (fields.get("vendor_id") == "AuthenticAMD" and fields.get("cpu family") == str(ZEN_3_AND_4)
            and "avx512f" in fields.get("flags", "").split())


def prefer_avx2_sorts(environ: MutableMapping[str, str] = os.environ, cpuinfo: str = "/proc/cpuinfo") -> bool:
    """On a Zen 4, have numpy use its AVX2 code rather than its AVX-512 code (see the module),
    unless numpy is imported already or its CPU features were chosen; whether it did so."""
    if "numpy" in sys.modules or "NPY_DISABLE_CPU_FEATURES" in environ or "NPY_ENABLE_CPU_FEATURES" in environ:
        return False
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as stream:
            text = stream.read(CPUINFO_BYTES)
    except OSError:  # not Linux, or no /proc: numpy decides
        return False
    if not slow_avx512_sorts(text):
        return False
    environ["NPY_DISABLE_CPU_FEATURES"] = avx512_names(_numpy_version())
    return True


def avx512_names(version: tuple[int, int] | None) -> str:
    """numpy's names of its AVX-512 code in `version` (major, minor; None: unknown, both lists).

    >>> avx512_names((2, 4)), avx512_names((1, 26))
    ('X86_V4 AVX512_ICL AVX512_SPR', 'AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR')
    """
    if version is None:
        return f"X86_V4 {AVX512_FEATURES_BEFORE_2_4}"
    return AVX512_FEATURES if version >= (2, 4) else AVX512_FEATURES_BEFORE_2_4


def _numpy_version() -> tuple[int, int] | None:
    """The installed numpy's (major, minor), read from its `version.py` (importing numpy is what
    must wait; asking importlib.metadata took 27 ms); None when it cannot be read so."""
    from importlib.util import find_spec

    try:
        spec = find_spec("numpy")
        if spec is None or not spec.origin:
            return None
        with open(os.path.join(os.path.dirname(spec.origin), "version.py"), encoding="utf-8") as stream:
            found = _VERSION.search(stream.read(4096))
    except (OSError, ValueError, ImportError):
        return None
    return (int(found.group(1)), int(found.group(2))) if found else None


def quiet_huge_pages(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Have numpy give no huge-page advice (for searches: see the module), unless someone chose;
    whether searchkit chose. Set even where numpy is imported already: processes it starts
    import numpy afresh."""
    global _huge_pages_chosen_here
    if HUGE_PAGES_VARIABLE in environ:
        return False
    environ[HUGE_PAGES_VARIABLE] = "0"
    _huge_pages_chosen_here = environ is os.environ
    return True


@contextmanager
def huge_pages() -> Iterator[None]:
    """numpy's huge-page advice on while the block runs (a merge writing: see the module), then
    as it was; nothing where someone else chose it, or where numpy has no such switch."""
    switch = _advice_switch() if _huge_pages_chosen_here else None
    if switch is None:
        yield
        return
    before = switch(True)
    try:
        yield
    finally:
        switch(before)


def _advice_switch():
    """numpy's `_set_madvise_hugepage` (it returns the setting before), or None."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        try:
            from numpy.core.multiarray import _set_madvise_hugepage  # numpy 1
        except ImportError:
            return None
    return _set_madvise_hugepage
