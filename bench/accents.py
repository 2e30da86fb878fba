"""Accent restoration: searchkit's did-you-mean beside pyvi's accent model, on headlines it never saw.

    python bench/accents.py [--corpus PATH] [--workdir DIR] [--index DIR] [--titles PATH] [--limit N]
                            [--seed N] [--no-pyvi] [--timing N] [--show-errors [N]]

Issue 8 item 8. The titles come from TITLES (default ../shared/corpus/baomoi_ict_title_sapo.jsonl,
ICT news from May 2018): those whose normalised text is not a title in the corpus, and that share
under NEAR_DUP of their syllable trigrams with any one corpus title (so a re-run story is not
restored from its own copy in the index), whose lead shares under NEAR_DUP of its runs of LEAD_GRAM
syllables with any one corpus body (the same story under another title), at least MIN_SYLLABLES syllables, one of each
text kept; LIMIT of them drawn with SEED. A stable hash of each title puts it in the *tune* or the
*test* half: constants of the restorer are chosen on the tune half only, the test half is the
figure to quote. Each title is stripped of its marks (tone and vowel marks removed,
đ→d; the case is kept as written) and handed to:

- searchkit, over the 16k bench index in the workdir (or `--index DIR`, an index built from the
  same corpus: `searchkit index CORPUS --index DIR`; others may rebuild the workdir's meanwhile):
  `engine.restore_accents(text)` when the
  SearchEngine has it, else `engine.search(text, limit=10).suggestion or text` (the did-you-mean;
  its time then includes the search itself); with restore_accents, also the did-you-mean of
  `engine.search(text, limit=10)`, where the best hits vote on spellings;
- pyvi: `ViUtils.add_accents(text)`;
- as a reference, the stripped text itself (what a restorer that does nothing scores).

Score: the share of the title's syllables restored exactly, compared after searchkit's own
normalisation on both sides (NFC, lower case, one tone placement, i/y unified: `hoà`/`hòa` and
`kỹ`/`kĩ` are the same). Outputs are aligned to the original by their folded syllables, so a
restorer that drops or adds a word loses those syllables only. Also printed: the share over the
syllables that carry a mark (where there is something to restore; issue 8's figures, searchkit
0.76 and pyvi 0.65, look like this share: pyvi scores 0.655 on it here), and the time per call
(p50/p99 over all titles, and over titles of 9–11 words). Floors (issue 8): ≥ 0.85 of syllables,
≤ 20 ms per 10-word title; issue 17: ≥ 0.90 of syllables on the test half.

Then, for searchkit only:

- names: the same titles typed all in lower case; of the syllables after the first that the title
  writes capitalised (`Nghệ An`, `CNTT`), the share restored with that case, and of those it writes
  in lower case, the share left so (a capital where none belongs);
- the CASES table: short queries as people type them (`cntt nghe an` → `CNTT Nghệ An`), exact
  output, case included, compared with what the index's own articles write;
- timing: p50/p99 of `restore_accents` and of `search(limit=10)` (which runs the did-you-mean)
  over `--timing N` unaccented queries (the test half's titles in lower case, then the cases).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from common import (
    REPO_ROOT,
    base_parser,
    check_corpus,
    check_workdir,
    corpus_fingerprint,
    iter_records,
    machine_note,
    percentile,
    print_table,
    strip_accents,
)
from peers import ensure_index

DEFAULT_TITLES = REPO_ROOT.parent / "shared" / "corpus" / "baomoi_ict_title_sapo.jsonl"
SEED = 20240615
LIMIT = 1000
MIN_SYLLABLES = 4
NEAR_DUP = 0.5
LEAD_GRAM = 8
ACCURACY_FLOOR = 0.85
TEST_FLOOR = 0.90
MS_FLOOR_10_WORDS = 20.0
TIMING = 200

#: Queries as people type them, and what they mean (case as the corpus writes it).
CASES = [
    ("cntt nghe an", "CNTT Nghệ An"),
    ("tri tue nhan tao", "trí tuệ nhân tạo"),
    ("dien bien", "diễn biến"),
    ("tinh dien bien", "tỉnh Điện Biên"),
    ("si quan", "sĩ quan"),
    ("tram bts", "trạm BTS"),
    ("chu ky so", "chữ ký số"),
    ("dak nong", "Đắk Nông"),
    ("bo tt&tt", "Bộ TT&TT"),
    ("ung dung cntt", "ứng dụng CNTT"),
    ("nghe an", "Nghệ An"),
    ("an toan thong tin", "an toàn thông tin"),
    ("an ninh mang", "an ninh mạng"),
    ("tan cong mang", "tấn công mạng"),
    ("virus may tinh", "virus máy tính"),
    ("phan mem diet virus", "phần mềm diệt virus"),
    ("dien thoai di dong", "điện thoại di động"),
    ("thuong mai dien tu", "thương mại điện tử"),
    ("chinh phu dien tu", "chính phủ điện tử"),
    ("co so du lieu", "cơ sở dữ liệu"),
    ("ha noi", "Hà Nội"),
    ("thanh pho ho chi minh", "thành phố Hồ Chí Minh"),
    ("da nang", "Đà Nẵng"),
    ("quang ninh", "Quảng Ninh"),
    ("dak lak", "Đắk Lắk"),
    ("hoc sinh gioi", "học sinh giỏi"),
    ("vien thong", "viễn thông"),
    ("mang khong day", "mạng không dây"),
    ("buu chinh vien thong", "bưu chính viễn thông"),
    ("bo khoa hoc va cong nghe", "Bộ Khoa học và Công nghệ"),
]


def index_forms(text: str) -> list[tuple[str, str]]:
    """(accented, folded) index forms of the syllables of a text, searchkit's normalisation."""
    from searchkit.text.normalize import normalize_text
    from searchkit.text.syllables import syllables

    return [(s.accented, s.folded) for s in syllables(normalize_text(unicodedata.normalize("NFC", text)))]


# --------------------------------------------------------------------------- the titles


def _trigrams(forms: list[tuple[str, str]]) -> set[tuple[str, ...]]:
    acc = [a for a, _ in forms]
    return {tuple(acc[i:i + 3]) for i in range(len(acc) - 2)}


def held_out_titles(titles_path: Path, corpus: Path, limit: int, seed: int) -> tuple[list[str], Counter]:
    """`limit` titles not in the corpus, nor near-copies of a corpus title, nor the title of a
    story whose lead a corpus body holds; and why others were left."""
    seen_text: set[tuple[str, ...]] = set()
    by_trigram: dict[tuple[str, ...], list[int]] = {}
    records = list(iter_records(corpus))
    for n, record in enumerate(records):
        forms = index_forms(record.get("title") or "")
        seen_text.add(tuple(a for a, _ in forms))
        for gram in _trigrams(forms):
            by_trigram.setdefault(gram, []).append(n)
    candidates, why = [], Counter()
    for record in iter_records(titles_path):
        title = unicodedata.normalize("NFC", (record.get("title") or "").strip())
        forms = index_forms(title)
        key = tuple(a for a, _ in forms)
        if len(forms) < MIN_SYLLABLES:
            why["fewer than %d syllables" % MIN_SYLLABLES] += 1
        elif key in seen_text:
            why["title in the corpus"] += 1
        elif _near_copy(forms, by_trigram):
            why["near-copy of a corpus title"] += 1
        else:
            candidates.append((key, title, _grams(record.get("body") or "")))
    copied = _lead_copied(records, [grams for _, _, grams in candidates])
    kept = {}
    for n, (key, title, grams) in enumerate(candidates):
        if n in copied:
            why["lead in a corpus body"] += 1
        elif key in kept:
            why["repeated title"] += 1
        else:
            kept[key] = title
    pool = sorted(kept.values())
    random.Random(seed).shuffle(pool)
    return pool[:limit], why


def _grams(text: str) -> set[int]:
    """Hashes of the runs of LEAD_GRAM accented syllables of a text."""
    accented = [a for a, _ in index_forms(text)]
    return {hash(tuple(accented[i:i + LEAD_GRAM])) for i in range(len(accented) - LEAD_GRAM + 1)}


def _lead_copied(records: list[dict], leads: list[set[int]]) -> set[int]:
    """Which leads (by position) share at least NEAR_DUP of their runs with one record's body
    (a few shared runs are only a name: 'Bộ trưởng Bộ TT&TT Trương Minh Tuấn')."""
    owners: dict[int, list[int]] = {}
    for n, grams in enumerate(leads):
        for gram in grams:
            owners.setdefault(gram, []).append(n)
    copied = set()
    for record in records:
        shared = Counter(n for gram in _grams(record.get("body") or "") if gram in owners for n in owners[gram])
        copied.update(n for n, k in shared.items() if k >= NEAR_DUP * len(leads[n]))
    return copied


def half(title: str) -> str:
    """'tune' or 'test', by a stable hash of the title (the same on every machine and run)."""
    return "tune" if hashlib.blake2b(title.encode("utf-8"), digest_size=8).digest()[0] % 2 == 0 else "test"


def _near_copy(forms: list[tuple[str, str]], by_trigram: dict) -> bool:
    grams = _trigrams(forms)
    if not grams:
        return False
    shared = Counter(n for gram in grams for n in by_trigram.get(gram, ()))
    return bool(shared) and shared.most_common(1)[0][1] >= NEAR_DUP * len(grams)


# --------------------------------------------------------------------------- restorers


def searchkit_restorer(engine):
    """engine.restore_accents when searchkit has it, else the did-you-mean of a search."""
    if hasattr(engine, "restore_accents"):
        return engine.restore_accents, "SearchEngine.restore_accents"
    from searchkit import SearchkitError

    def via_search(text: str) -> str:
        try:
            return engine.search(text, limit=10).suggestion or text
        except SearchkitError:  # nothing searchable in the title
            return text
    return via_search, "SearchEngine.search(text).suggestion (time includes the search)"


def did_you_mean(engine):
    """The did-you-mean of a search for the text (the hits vote on spellings), or the text."""
    from searchkit import SearchkitError

    def suggested(text: str) -> str:
        try:
            return engine.search(text, limit=10).suggestion or text
        except SearchkitError:
            return text
    return suggested


def pyvi_restorer():
    """pyvi's add_accents; the text unchanged where it fails (a KeyError on a few characters)."""
    from pyvi import ViUtils

    def restore(text: str) -> str:
        try:
            return ViUtils.add_accents(text)
        except (KeyError, IndexError, ValueError):
            return text
    return restore


# --------------------------------------------------------------------------- scoring


def score(original: str, restored: str) -> tuple[int, int, int, int, list[int]]:
    """(syllables right, syllables, marked syllables right, marked syllables, wrong positions).

    The restored text is aligned to the original on folded syllables; an original syllable with
    no counterpart counts as wrong."""
    want, got = index_forms(original), index_forms(restored)
    matcher = SequenceMatcher(None, [f for _, f in want], [f for _, f in got], autojunk=False)
    counterpart = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            counterpart[block.a + k] = block.b + k
    right = marked = marked_right = 0
    wrong = []
    for i, (accented, folded) in enumerate(want):
        ok = i in counterpart and got[counterpart[i]][0] == accented
        right += ok
        if accented != folded:
            marked += 1
            marked_right += ok
        if not ok:
            wrong.append(i)
    return right, len(want), marked_right, marked, wrong


def run(name: str, restore, titles: list[str], inputs: list[str]) -> dict:
    """Restore every title: per title its counts and time (ms), the outputs, and which titles
    have 9–11 words."""
    each, times, tenish, outputs = [], [], set(), []
    if inputs:
        restore(inputs[0])  # warm up: load models, open the index; not part of any title's time
    for i, (title, text) in enumerate(zip(titles, inputs)):
        start = time.perf_counter()
        out = restore(text)
        ms = 1000 * (time.perf_counter() - start)
        out = out if isinstance(out, str) else text
        right, n, marked_right, marked, wrong = score(title, out)
        each.append(Counter(right=right, n=n, marked_right=marked_right, marked=marked, titles=1,
                            perfect=int(right == n)))
        times.append(ms)
        if 9 <= len(text.split()) <= 11:
            tenish.add(i)
        outputs.append((out, wrong))
    return {"name": name, "each": each, "times": times, "tenish": tenish, "outputs": outputs}


def show_errors(result: dict, titles: list[str], how_many: int) -> None:
    print(f"{result['name']}: titles with wrong syllables (first {how_many}; [wrong] as restored)")
    shown = 0
    for title, (out, wrong) in zip(titles, result["outputs"]):
        if not wrong:
            continue
        print(f"  {title}\n  → {_mark(out, title)}")
        shown += 1
        if shown >= how_many:
            break
    print()


def _mark(restored: str, original: str) -> str:
    """The restored text with the syllables that differ from the original in [brackets]."""
    want = index_forms(original)
    words = restored.split()
    out = []
    for w in words:
        forms = index_forms(w)
        out.append(f"[{w}]" if forms and all(f not in want for f in forms) else w)
    return " ".join(out)


# --------------------------------------------------------------------------- names, cases, timing


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def names(restore, titles: list[str]) -> Counter:
    """The titles typed in lower case: of the syllables after the first, how many the title writes
    capitalised and how many of those come back so; how many it writes in lower case and how many
    of those come back capitalised."""
    from searchkit.text.syllables import syllable_matches

    totals = Counter()
    for title in titles:
        out = restore(strip_accents(title).lower())
        want = [m.group() for m in syllable_matches(unicodedata.normalize("NFC", title))][1:]
        got = [m.group() for m in syllable_matches(out if isinstance(out, str) else "")][1:]
        if len(want) != len(got):
            continue
        for w, g in zip(want, got):
            if _capitalised(w):
                totals["capitalised"] += 1
                totals["capitalised_right"] += _capitalised(g) and g.isupper() == w.isupper()
            else:
                totals["lower"] += 1
                totals["lower_capitalised"] += _capitalised(g)
    return totals


def cases(restore) -> list[tuple[str, str, str]]:
    """(typed, expected, restored) for every CASE."""
    return [(typed, want, restore(typed)) for typed, want in CASES]


def timings(engine, queries: list[str]) -> dict[str, list[float]]:
    """ms per call of restore_accents and of a search (which runs the did-you-mean), per query."""
    from searchkit import SearchkitError

    def search(text: str):
        try:
            return engine.search(text, limit=10)
        except SearchkitError:
            return None

    found: dict[str, list[float]] = {"restore_accents": [], "search(limit=10)": []}
    for name, call in (("restore_accents", engine.restore_accents), ("search(limit=10)", search)):
        for text in queries[:10]:
            call(text)  # warm up
        for text in queries:
            start = time.perf_counter()
            call(text)
            found[name].append(1000 * (time.perf_counter() - start))
    return found


# --------------------------------------------------------------------------- main


def _row(name: str, result: dict, picked: list[int]) -> list:
    t = Counter()
    times = [result["times"][i] for i in picked]
    times_10 = [result["times"][i] for i in picked if i in result["tenish"]]
    for i in picked:
        t.update(result["each"][i])
    return [name, t["titles"], t["right"] / max(t["n"], 1), t["marked_right"] / max(t["marked"], 1),
            t["perfect"] / max(t["titles"], 1), percentile(times, 50), percentile(times, 99),
            len(times_10), percentile(times_10, 50), percentile(times_10, 99)]


def _accuracy(result: dict, picked: list[int]) -> tuple[float, float]:
    t = Counter()
    for i in picked:
        t.update(result["each"][i])
    return t["right"] / max(t["n"], 1), t["marked_right"] / max(t["marked"], 1)


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None,
                        help="an existing searchkit index of the corpus to read "
                             "(default: the workdir's, built if missing)")
    parser.add_argument("--titles", type=Path, default=DEFAULT_TITLES,
                        help=f"JSONL with a 'title' per line (default: {DEFAULT_TITLES})")
    parser.add_argument("--limit", type=int, default=LIMIT, help=f"how many titles (default {LIMIT})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"which titles (default {SEED})")
    parser.add_argument("--no-pyvi", action="store_true", help="skip pyvi (faster)")
    parser.add_argument("--did-you-mean", action=argparse.BooleanOptionalAction, default=True,
                        help="also score the did-you-mean of a search for each title, which the best hits "
                             "vote on (default: yes; its time includes the search)")
    parser.add_argument("--timing", type=int, default=TIMING, metavar="N",
                        help=f"time restore_accents and search over N unaccented queries (default {TIMING}; 0: skip)")
    parser.add_argument("--show-errors", type=int, nargs="?", const=30, default=0, metavar="N",
                        help="print N titles (default 30) each restorer got wrong, wrong syllables in [brackets]")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    if not args.titles.is_file():
        sys.exit(f"titles {args.titles} not found; pass --titles PATH to a JSONL file with 'title' fields")

    titles, why = held_out_titles(args.titles, corpus, args.limit, args.seed)
    inputs = [strip_accents(t) for t in titles]
    halves = {name: [i for i, t in enumerate(titles) if half(t) == name] for name in ("tune", "test")}
    print(f"titles: {args.titles}: {len(titles)} drawn (seed {args.seed}; tune {len(halves['tune'])}, "
          f"test {len(halves['test'])}); left out: " + ", ".join(f"{n} {reason}" for reason, n in why.most_common()))
    if args.index is not None:
        from searchkit import SearchEngine

        sk, engine = None, SearchEngine(str(args.index))
        print(f"index: {args.index} (should hold corpus {corpus}); input: marks stripped, đ→d, case kept")
    else:
        sk = ensure_index("searchkit", corpus, workdir, corpus_fingerprint(corpus))
        engine = sk.engine()
        print(f"index: {workdir} (corpus {corpus}); input: marks stripped, đ→d, case kept")
    print(machine_note())
    print()

    restore, how = searchkit_restorer(engine)
    results = [run("searchkit", restore, titles, inputs)]
    if args.did_you_mean and hasattr(engine, "restore_accents"):
        results.append(run("searchkit did-you-mean", did_you_mean(engine), titles, inputs))
    if not args.no_pyvi:
        results.append(run("pyvi", pyvi_restorer(), titles, inputs))
    results.append(run("unchanged input", lambda text: text, titles, inputs))

    rows = []
    for r in results:
        for name, picked in (("all", list(range(len(titles)))), *halves.items()):
            rows.append(_row(f"{r['name']} / {name}", r, picked))
    print_table(["restorer / titles", "titles", "syllables right", "marked syllables right", "titles all right",
                 "p50 ms", "p99 ms", "9-11 words", "p50 ms", "p99 ms"],
                [[f"{c:.3f}" if isinstance(c, float) and i in (2, 3, 4) else c for i, c in enumerate(row)]
                 for row in rows], title="Accent restoration (syllables compared after NFC, lower case, tone "
                                         "placement and i/y unified)")
    sk_result = results[0]
    accuracy, marked = _accuracy(sk_result, list(range(len(titles))))
    test, _ = _accuracy(sk_result, halves["test"])
    times_10 = [sk_result["times"][i] for i in sorted(sk_result["tenish"])]
    p50_10 = percentile(times_10, 50)
    print(f"searchkit via {how}")
    print(f"floors (issue 8): syllables right {accuracy:.3f} >= {ACCURACY_FLOOR:.2f}: "
          f"{'yes' if accuracy >= ACCURACY_FLOOR else 'NO'}; 10-word p50 {p50_10:.1f} ms <= "
          f"{MS_FLOOR_10_WORDS:.0f} ms: {'yes' if p50_10 <= MS_FLOOR_10_WORDS else 'NO'} "
          f"(p99 {percentile(times_10, 99):.1f} ms)")
    print(f"  over marked syllables only (the unmarked ones come free: see 'unchanged input'): "
          f"{marked:.3f} >= {ACCURACY_FLOOR:.2f}: {'yes' if marked >= ACCURACY_FLOOR else 'NO'}")
    print(f"floor (issue 17): test half syllables right {test:.3f} >= {TEST_FLOOR:.2f}: "
          f"{'yes' if test >= TEST_FLOOR else 'NO'}")
    print()

    for name, picked in halves.items():
        t = names(restore, [titles[i] for i in picked])
        print(f"names ({name} half typed in lower case): capitalised syllables restored capitalised "
              f"{t['capitalised_right'] / max(t['capitalised'], 1):.3f} of {t['capitalised']}; lower-case "
              f"ones capitalised {t['lower_capitalised'] / max(t['lower'], 1):.3f} of {t['lower']}")
    print()
    found = cases(restore)
    print_table(["typed", "expected", "restored", "right"],
                [[typed, want, got, "yes" if got == want else "no"] for typed, want, got in found],
                title="Cases (exact, case included)")
    print(f"cases right: {sum(got == want for _, want, got in found)} of {len(found)}")
    print()
    if args.timing and hasattr(engine, "restore_accents"):
        queries = ([inputs[i].lower() for i in halves["test"]] + [typed for typed, _ in CASES])[:args.timing]
        timed = timings(engine, queries)
        print_table(["call", "queries", "p50 ms", "p99 ms", "max ms"],
                    [[name, len(ms), percentile(ms, 50), percentile(ms, 99), max(ms)] for name, ms in timed.items()],
                    title=f"Timing over {len(queries)} unaccented queries "
                          "(test-half titles in lower case, then the cases)")
    if args.show_errors:
        for r in results[:-1]:
            show_errors(r, titles, args.show_errors)
    if sk is not None:
        sk.close()
    print(f"at the end: {machine_note()}")


if __name__ == "__main__":
    main()
