"""Fuzz the query path: random queries with random filters against a searchkit index.

Every query must give results or raise a SearchkitError; anything else is a bug. Prints the
number of queries tried, the SearchkitErrors by class, every other exception (must be 0) and
the five slowest queries; exits 1 if any query raised something else.

    python bench/fuzz.py                                # 100,000 queries, 3,000-article index
    python bench/fuzz.py --queries 5000 --index /tmp/searchkit-bench/searchkit-index
    python bench/fuzz.py --probe-long-word              # time and memory of one 10,000-letter word
    python bench/fuzz.py --index /tmp/searchkit-bench/searchkit-index --storms 0.1 --deadline 2400

`--storms SHARE` makes that share of the queries wildcard storms (issue 18): dozens of
prefixes (`th* l* đ* …`), `*` anywhere in and around words, hundreds of prefixes joined by
OR, `-`, `+` or `title:`, mostly at limit 1,000. `--deadline SECONDS` stops early and says so.
Times are wall and CPU seconds of this process: on a shared machine the CPU time is the one
that says what a query costs.

The 3,000-article index is built once from the first articles of --corpus into --workdir
(outside the repository) and reused. `--index` searches an existing index instead, read-only.
The generator (`QueryFuzzer`) is also what tests/test_fuzz.py runs a few thousand of.
"""

from __future__ import annotations

import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

_TELEX_MARKS = {"â": "aa", "ă": "aw", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw", "đ": "dd"}
_VNI_MARKS = {"â": "a6", "ă": "a8", "ê": "e6", "ô": "o6", "ơ": "o7", "ư": "u7", "đ": "d9"}
_TONES = {"\u0301": ("s", "1"), "\u0300": ("f", "2"), "\u0309": ("r", "3"), "\u0303": ("x", "4"), "\u0323": ("j", "5")}
_SYNTAX = ['"', "-", "OR", "AND", "NOT", "title:", "tieude:", "(", ")", "*", "&", "||", "&&", "“", "”",
           "«", "»", ":", '-"', "--", "-", "+", "~", "^", "\\", "'", "?", "!", "…"]
_ABBREVIATIONS = ["CNTT", "cntt", "TT&TT", "TTTT", "TT-TT", "TP.HCM", "BTS", "UBND", "HĐND", "IoT", "AI", "ai",
                  "VNPT", "CĐS", "4G", "5G"]
_JUNK_DATES = ["hôm qua", "2010-13", "31/02/2010", "", "   ", "9999-99-99", "0000", "2010-02-30", "02/2010/03",
               "-1", "1e9", "２０１０", "2010\x00", "\ud800", "2010-1-1", "10000"]
#: What issue 18 allows one query (on the 16k corpus, a 1,000-hit page included).
SLOW = 0.5
_RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x0, 0x1F), (0x7F, 0x9F),
           (0xD800, 0xDFFF), (0x200B, 0x200F), (0x202A, 0x202E), (0x4E00, 0x4E80), (0x0600, 0x0650),
           (0x1F600, 0x1F64F), (0xFE00, 0xFE0F), (0xFFF0, 0xFFFF), (0x10FFF0, 0x10FFFF)]


def telex(word: str) -> str:
    """The keys a Telex user types for a word: 'trạm' → 'tramj', 'đường' → 'dduwowngf'."""
    return _keys(word, _TELEX_MARKS, 0)


def vni(word: str) -> str:
    """The keys a VNI user types for a word: 'trạm' → 'tram5'."""
    return _keys(word, _VNI_MARKS, 1)


def _keys(word: str, marks: dict[str, str], column: int) -> str:
    tone, out = "", []
    for char in unicodedata.normalize("NFD", word):
        if char in _TONES:
            tone = _TONES[char][column]
        else:
            out.append(char)
    base = unicodedata.normalize("NFC", "".join(out))
    return "".join(marks.get(c.lower(), c) for c in base) + tone


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class QueryFuzzer:
    """Random (query, keyword arguments) pairs for `SearchEngine.search`, seeded and repeatable.

    Queries mix vocabulary words (accented, folded, Telex, VNI, in any case), the syntax
    (phrases, exclusions, OR, title:), abbreviations, Unicode junk (controls, lone
    surrogates, combining marks, emoji), very long words and queries, and non-text values;
    filters mix valid values with junk of every type.
    """

    words: Sequence[str]
    provinces: Sequence[str] = ("Đắk Nông", "dak nong", "TP.HCM", "Hà Nội", "Nghệ An", "thừa thiên huế")
    sources: Sequence[str] = ()
    categories: Sequence[str] = ()
    seed: int = 0
    storms: float = 0.0  # the share of wildcard storms (0: the queries tests/test_fuzz.py knows)
    random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.words = list(self.words) or ["trạm", "BTS"]

    def case(self) -> tuple[Any, dict[str, Any]]:
        if self.storms and self.random.random() < self.storms:
            return self.storm(), self.storm_options()
        return self.query(), self.options()

    def storm(self) -> str:
        """A query made of wildcards: many short prefixes, `*` anywhere, long prefix lists."""
        r = self.random
        shape = r.choice(["prefixes", "stars", "joined", "long"])
        if shape == "prefixes":  # th* l* đ* T* m* h* …
            return " ".join(self.prefix() for _ in range(r.randint(5, 60)))
        if shape == "stars":  # * in, before, after and instead of words
            forms = ["{w}*", "*{w}", "{a}*{b}", "*", "**", "{w}**", "*{w}*", "{a}*", '"{w}*"', "-{a}*", "{w}*.*"]
            parts = []
            for _ in range(r.randint(1, 30)):
                word = self.word()
                cut = r.randint(0, len(word))
                parts.append(r.choice(forms).format(w=word, a=word[:cut], b=word[cut:]))
            return " ".join(parts)
        if shape == "joined":  # hundreds of prefixes joined by an operator
            glue = r.choice([" OR ", " ", " -", " +", " title:", " AND ", " NOT "])
            return glue.join(self.prefix() for _ in range(r.randint(50, 400)))[:4000]
        return " ".join(self.prefix(longest=4) for _ in range(r.randint(100, 1200)))[:r.choice([4000, 4001, 3999])]

    def prefix(self, longest: int = 3) -> str:
        """One to `longest` letters of a word (or a digit), and a star: `th*`, `Đ*`, `2.*`."""
        r = self.random
        if r.random() < 0.05:
            return r.choice(["2.*", "1,*", "0*", "9*", "*", "**"])
        word = self.word()
        return word[:r.randint(1, longest)] + "*"

    def storm_options(self) -> dict[str, Any]:
        r = self.random
        options: dict[str, Any] = {"limit": 1000 if r.random() < 0.7 else r.randint(1, 100)}
        if r.random() < 0.2:
            options["facets"] = True
        if r.random() < 0.2:
            options["sort"] = "date"
        if r.random() < 0.1:
            options["offset"] = r.choice([0, 500, 9000, 10_000])
        return options

    def query(self) -> Any:
        r = self.random
        kind = r.choices(["words", "syntax", "junk", "long", "abbreviation", "odd", "empty"],
                         weights=[40, 25, 12, 6, 8, 2, 7])[0]
        if kind == "words":
            return " ".join(self.word() for _ in range(r.randint(1, 6)))
        if kind == "syntax":
            parts = [r.choice(_SYNTAX) if r.random() < 0.45 else self.word() for _ in range(r.randint(1, 8))]
            return (" " if r.random() < 0.7 else "").join(parts)
        if kind == "junk":
            return "".join(self.char() for _ in range(r.randint(1, 40)))
        if kind == "long":
            if r.random() < 0.5:
                return self.word() + " " + r.choice("abcdefghiklmnopqrstuvxyđâêô") * r.randint(60, 10_000)
            return " ".join(self.word() for _ in range(r.randint(150, 500)))
        if kind == "abbreviation":
            return " ".join(r.choice(_ABBREVIATIONS) if r.random() < 0.5 else self.word()
                            for _ in range(r.randint(1, 4)))
        if kind == "odd":
            return r.choice([None, 123, b"tram bts", ["trạm"], 4.5, {"q": "x"}, True])
        return r.choice(["", " ", "   \t\n", "...", "---", '""', "-", "NOT", "OR AND", "title:", "\u200b", "\x00"])

    def word(self) -> str:
        r = self.random
        word = r.choice(self.words)
        form = r.random()
        if form < 0.25:
            word = _fold(word)
        elif form < 0.35:
            word = telex(word)
        elif form < 0.40:
            word = vni(word)
        elif form < 0.45:  # a typo: one letter dropped, doubled or swapped
            i = r.randrange(len(word))
            word = r.choice([word[:i] + word[i + 1:], word[:i + 1] + word[i:], word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:]])
        case = r.random()
        if case < 0.1:
            word = word.upper()
        elif case < 0.2:
            word = word.capitalize()
        elif case < 0.23:
            word = unicodedata.normalize("NFD", word)
        return word

    def char(self) -> str:
        low, high = self.random.choice(_RANGES)
        return chr(self.random.randint(low, high))

    def options(self) -> dict[str, Any]:
        r = self.random
        options: dict[str, Any] = {}
        if r.random() < 0.3:
            options["limit"] = r.randint(1, 50) if r.random() < 0.85 else r.choice(
                [0, -1, "5", None, True, 1001, 10**9, 2.5, 1000])
        if r.random() < 0.15:
            options["offset"] = r.randint(0, 200) if r.random() < 0.8 else r.choice(
                [-1, "3", None, 10_001, 1.5, 10_000, False])
        for name in ("since", "until"):
            if r.random() < 0.12:
                options[name] = self.date() if r.random() < 0.7 else r.choice(_JUNK_DATES + [2010, None, 3.5])
        if r.random() < 0.1:
            options["province"] = r.choice(self.provinces) if r.random() < 0.7 else r.choice(
                ["Atlantis", "", "   ", "dak", "\ud800", 42, "TP", "Hồ Chí Minh", "x" * 500])
        for name, known in (("source", self.sources), ("category", self.categories)):
            if r.random() < 0.08:
                options[name] = r.choice(known) if known and r.random() < 0.6 else r.choice(
                    ["nowhere", "vi tin", "...", "", 7, "VNTC".lower(), "\x00"])
        if r.random() < 0.15:
            options["sort"] = "date" if r.random() < 0.8 else r.choice(["title", None, "", 1, "DATE"])
        if r.random() < 0.15:
            options["facets"] = True
        return options

    def date(self) -> str:
        r = self.random
        year, month, day = r.randint(1995, 2030), r.randint(1, 12), r.randint(1, 28)
        return r.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}", f"{day:02d}/{month:02d}/{year}"])


def vocabulary(engine, documents: int = 400) -> tuple[list[str], list[str], list[str]]:
    """Words of the first stored articles, and the index's sources and categories."""
    return engine.backend.reading(lambda view: _vocabulary(view, documents))


def _vocabulary(view, documents: int) -> tuple[list[str], list[str], list[str]]:
    words: set[str] = set()
    searcher = view.searcher
    reader = searcher.reader()
    for docnum in list(reader.all_doc_ids())[:documents]:
        fields = searcher.stored_fields(docnum)
        words.update(re.findall(r"[^\W\d_]{2,12}", fields.get("title", "") + " " + fields.get("body", "")[:600]))
    return sorted(words), list(view.known_values("source").values()), list(view.known_values("category").values())


@dataclass
class Outcome:
    tried: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # SearchkitError class -> count
    failures: list[tuple[str, str, Any, dict]] = field(default_factory=list)  # (type, message, query, options)
    times: list[tuple[float, Any, dict]] = field(default_factory=list)  # the slowest kept
    page_times: list[tuple[float, Any, dict]] = field(default_factory=list)  # the slowest of ≤ 100 hits
    cpu_times: list[tuple[float, Any, dict]] = field(default_factory=list)  # the costliest in CPU time
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    stopped: bool = False  # the deadline came first


def run(engine, fuzzer: QueryFuzzer, count: int, keep: int = 5, report_every: float = 0.0,
        deadline: float | None = None) -> Outcome:
    """Run `count` fuzzed searches (fewer if `deadline`, a time.monotonic(), comes first);
    never raises for what a search raises."""
    from searchkit import SearchkitError

    outcome = Outcome()
    last = time.monotonic()
    for i in range(count):
        if deadline is not None and time.monotonic() > deadline:
            outcome.stopped = True
            break
        query, options = fuzzer.case()
        started, cpu = time.perf_counter(), time.process_time()
        try:
            engine.search(query, **options)
        except SearchkitError as error:
            name = type(error).__name__
            outcome.errors[name] = outcome.errors.get(name, 0) + 1
        except Exception as error:  # noqa: BLE001 - what the fuzzer looks for
            outcome.failures.append((type(error).__name__, str(error)[:300], query, options))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        outcome.tried += 1
        outcome.seconds.append(elapsed)
        outcome.cpu_seconds.append(cpu)
        outcome.times = _slowest(outcome.times, (elapsed, query, options), keep)
        outcome.cpu_times = _slowest(outcome.cpu_times, (cpu, query, options), keep)
        if not isinstance(options.get("limit"), int) or options["limit"] <= 100:
            outcome.page_times = _slowest(outcome.page_times, (elapsed, query, options), keep)
        if report_every and time.monotonic() - last > report_every:
            last = time.monotonic()
            print(f"  {i + 1:,} queries, {len(outcome.failures)} failures, slowest {max(outcome.seconds):.2f} s "
                  f"(CPU {max(outcome.cpu_seconds):.2f} s)", file=sys.stderr, flush=True)
    outcome.times = _slowest(outcome.times, None, keep, final=True)
    outcome.cpu_times = _slowest(outcome.cpu_times, None, keep, final=True)
    outcome.page_times = _slowest(outcome.page_times, None, keep, final=True)
    return outcome


def _slowest(kept: list, item, keep: int, final: bool = False) -> list:
    """The `keep` slowest (elapsed, query, options), trimmed only now and then."""
    if item is not None:
        kept.append(item)
    if final or len(kept) > 4 * keep:
        kept = sorted(kept, key=lambda t: -t[0])[:keep]
    return kept


def _shown(query: Any, limit: int = 90) -> str:
    text = repr(query)
    return text if len(text) <= limit else f"{text[:limit - 20]}… ({len(query) if isinstance(query, str) else '?'} chars)"


def build_small_index(corpus: Path, workdir: Path, articles: int) -> Path:
    """An index of the first `articles` records of the corpus, built once in the workdir."""
    import json

    from searchkit import SearchEngine

    folder = workdir / f"fuzz-{articles}"
    index_dir, source, stamp = folder / "index", folder / "corpus.jsonl", folder / "built.json"
    fingerprint = {"corpus": str(corpus), "size": corpus.stat().st_size, "articles": articles}
    if stamp.exists() and json.loads(stamp.read_text()) == fingerprint:
        return index_dir
    folder.mkdir(parents=True, exist_ok=True)
    with corpus.open(encoding="utf-8") as lines, source.open("w", encoding="utf-8") as out:
        for _, line in zip(range(articles), lines):
            out.write(line)
    print(f"building a {articles:,}-article index in {index_dir} …", file=sys.stderr, flush=True)
    report = SearchEngine(index_dir).index([source], rebuild=True)
    print(f"  {report.total:,} articles in {report.seconds:.0f} s", file=sys.stderr)
    stamp.write_text(json.dumps(fingerprint))
    return index_dir


def probe_long_word(index_dir: Path, letters: int = 10_000) -> None:
    """Time and peak memory of searching one word of `letters` letters (in this process)."""
    import resource

    from searchkit import SearchEngine, SearchkitError

    engine = SearchEngine(index_dir)
    engine.search("trạm BTS")  # open the index first: measure the query, not the opening
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for query in ("a" * letters, "trạm " + "đ" * letters, "x" * 64 + " " + "truyeenf" * 8):
        try:
            engine.search(query)
            outcome = "results"
        except SearchkitError as error:
            outcome = f"{type(error).__name__}: {str(error)[:70]}"
        print(f"  {_shown(query, 40)}: {outcome}")
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(f"three long-word queries: {elapsed * 1000:.1f} ms in all, peak memory grew by {grown / 1024:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    from common import base_parser, check_corpus, check_workdir

    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=100_000, help="how many queries (default 100,000)")
    parser.add_argument("--articles", type=int, default=3000, help="articles in the fuzzed index (default 3,000)")
    parser.add_argument("--index", type=Path, help="search this existing index instead (read-only)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--probe-long-word", action="store_true", help="only time a 10,000-letter word")
    parser.add_argument("--storms", type=float, default=0.0, help="share of wildcard storms (e.g. 0.1)")
    parser.add_argument("--deadline", type=float, help="stop after this many seconds")
    args = parser.parse_args(argv)
    if args.index:
        index_dir = args.index
    else:
        index_dir = build_small_index(check_corpus(args.corpus), check_workdir(args.workdir), args.articles)
    if args.probe_long_word:
        probe_long_word(index_dir)
        return 0

    from searchkit import SearchEngine

    engine = SearchEngine(index_dir)
    for warm in ("thông tin", "tram bts", "xyzzyq trạm", "th* l*"):  # what loads once (models, caches),
        engine.search(warm, limit=1000)  # as `searchkit serve` does before its first request
    words, sources, categories = vocabulary(engine)
    fuzzer = QueryFuzzer(words, sources=sources, categories=categories, seed=args.seed, storms=args.storms)
    started = time.monotonic()
    outcome = run(engine, fuzzer, args.queries, report_every=30.0,
                  deadline=started + args.deadline if args.deadline else None)
    elapsed = time.monotonic() - started
    seconds = sorted(outcome.seconds)
    print(f"index: {index_dir} ({engine.count():,} articles)")
    cpu = sorted(outcome.cpu_seconds)
    print(f"queries tried: {outcome.tried:,} in {elapsed:.0f} s" + (" (stopped at the deadline)" if outcome.stopped else "")
          + f" (p50 {seconds[len(seconds) // 2] * 1000:.1f} ms, p99 {seconds[int(len(seconds) * 0.99)] * 1000:.1f} ms, "
          f"max {seconds[-1] * 1000:.0f} ms; CPU p50 {cpu[len(cpu) // 2] * 1000:.1f} ms, "
          f"p99 {cpu[int(len(cpu) * 0.99)] * 1000:.1f} ms, max {cpu[-1] * 1000:.0f} ms)")
    print(f"over {SLOW:.1f} s: {sum(s > SLOW for s in seconds):,} wall, {sum(c > SLOW for c in cpu):,} CPU")
    print("SearchkitErrors: " + ", ".join(f"{name} {n:,}" for name, n in sorted(outcome.errors.items())))
    print(f"other exceptions: {len(outcome.failures)}")
    for kind, message, query, options in outcome.failures[:20]:
        print(f"  {kind}: {message}\n    query {_shown(query)} options {options}")
    for title, kept in (("five slowest:", outcome.times), ("five costliest in CPU time:", outcome.cpu_times),
                        ("five slowest asking for at most 100 hits (a page):", outcome.page_times)):
        print(title)
        for elapsed_one, query, options in kept:
            print(f"  {elapsed_one * 1000:8.1f} ms  {_shown(query)}  {options}")
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
