"""`QueryPlan`: a query read once — normalised, Telex decoded, parsed, abbreviations
expanded, split into required and optional parts — for ranking, highlighting, did-you-mean
and `--explain` to share.

    >>> plan = QueryPlan.of(parse_query('Đắk Nông làm gì "trạm BTS"'))
    >>> [c.raw for c in plan.required_clauses], [c.raw for c in plan.optional_clauses]
    (['trạm BTS'], ['Đắk', 'Nông', 'làm', 'gì'])
    >>> [str(n) for n in plan.neighbours]
    ['dak nong', 'nong lam', 'lam gi', 'dak nong lam', 'nong lam gi']

Free words are optional: ranking grades articles by the share of the query's weight they
hold (see `scoring.coverage`). Words a user typed side by side become `neighbours`, scored
by how often the article has them side by side too, so `chữ ký số` typed without quotes
prefers the articles that say *chữ ký số* over those with the three syllables apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

from searchkit.searching.analysed import AnalysedQuery
from searchkit.searching.highlight import Highlighting
from searchkit.searching.query import Clause, ParsedQuery, check_size, parse_query

#: Optional words kept from a long query (a pasted paragraph): the most telling ones.
MAX_OPTIONAL = 32
#: Longest window of typed syllables looked up as one pyvi word ('trí_tuệ_nhân_tạo' is 4).
MAX_COMPOUND = 3
#: Runs of three typed syllables looked up side by side, at most (a long question has many).
MAX_TRIPLES = 12
#: Longest name looked for among the typed words (`Bà Rịa Vũng Tàu` is 4).
MAX_NAME = 4
#: Longest name taken from an accent restoration: a neighbour (pair or triple) of the plan.
MAX_TRIPLE = 3

Group = tuple[Clause, ...]


@dataclass(frozen=True)
class Neighbours:
    """Two or three syllables typed side by side (folded), rewarded where an article has
    them so: every pair of a run of typed words, and every three (`cuộc thi ảnh` is more
    than `cuộc thi` and `thi ảnh` found apart)."""

    words: tuple[str, ...]

    def __str__(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class QueryPlan:
    """What is searched for a query, decided once.

    `required` groups must all match (a quoted phrase, `+word`, `title:`); `optional` ones
    are graded by coverage; each group matches when one of its clauses does (`a OR b`).
    `neighbours` are the words typed side by side; `dropped` lists the words of a long query
    left out as least telling.
    """

    query: str
    parsed: ParsedQuery
    required: tuple[Group, ...] = ()
    optional: tuple[Group, ...] = ()
    neighbours: tuple[Neighbours, ...] = ()
    compounds: tuple[str, ...] = ()
    names: tuple[Neighbours, ...] = ()  # names typed (`Nghệ An`, `dien bien`): whole only side by side
    restored_names: tuple[Neighbours, ...] = ()  # names the accent restoration capitalises (`tay nguyen`)
    restored_forms: tuple[tuple[str, str], ...] = ()  # (folded, accented) of the restored words
    dropped: tuple[str, ...] = ()
    searched: str | None = None  # the text searched when it differs from the query (Telex decoded)
    corrected: bool = False  # searched is the did-you-mean, tried because the query found nothing
    #: the text parsed, analysed (`parsed.text`: the query, or what Telex decoding made of it)
    analysed: AnalysedQuery | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, parsed: ParsedQuery, *, query: str | None = None, searched: str | None = None,
           frequency: Callable[[str], int] | None = None, analysed: AnalysedQuery | None = None) -> "QueryPlan":
        """Split a parsed (and expanded) query into its parts; `frequency(folded)` (articles
        holding a syllable) picks the most telling words of a long query."""
        required = tuple(g for g in parsed.groups if any(c.required for c in g))
        optional = _unique(g for g in parsed.groups if not any(c.required for c in g))
        dropped: tuple[str, ...] = ()
        if len(optional) > MAX_OPTIONAL:
            optional, dropped = _most_telling(optional, frequency or (lambda folded: 0))
        kept = {_key(g) for g in optional}
        return cls(
            query=parsed.text if query is None else query, parsed=parsed, required=required,
            optional=optional, neighbours=_neighbours(parsed.groups, kept), compounds=_compounds(parsed.groups),
            names=_names(parsed.groups, kept), dropped=dropped, searched=searched, analysed=analysed,
        )

    @property
    def required_clauses(self) -> list[Clause]:
        return [c for g in self.required for c in g]

    @property
    def optional_clauses(self) -> list[Clause]:
        return [c for g in self.optional for c in g]

    @property
    def excluded(self) -> tuple[Clause, ...]:
        return self.parsed.excluded

    def highlight_terms(self, title: bool = False, matches: Mapping | None = None) -> dict[str, frozenset[str]]:
        """Folded syllable -> accented forms to mark (empty: any), of the one-syllable words
        searched; phrases are in `highlight_phrases`. `matches` (`exact.decide`) says how
        each typed syllable matched: a word typed with accents marks only its exact forms
        (`là` not `lá`; `vi rút` not `vì`), unless it fell back to any accents.

        >>> plan = QueryPlan.of(parse_query("là trạm"))
        >>> sorted((k, sorted(v)) for k, v in plan.highlight_terms().items())
        [('la', ['là']), ('tram', ['trạm'])]
        """
        terms: dict[str, set[str] | None] = {}
        for clause in (c for g in self.required + self.optional for c in g):
            if clause.title_only and not title:
                continue
            if len(clause.syllables) == 1:
                syllable = clause.syllables[0]
                match = (matches or {}).get((syllable.accented, syllable.folded))
                exact = syllable.accented != syllable.folded if match is None else match.mode != "any"
                typed = terms.setdefault(syllable.folded, set())
                if typed is None or not exact:
                    terms[syllable.folded] = None  # typed without accents, or fallen back: any variant
                else:
                    typed.add(syllable.accented)
            for alternative in clause.alternatives:
                if len(alternative.folded) == 1:
                    terms[alternative.folded[0]] = None
        return {folded: frozenset(typed or ()) for folded, typed in terms.items()}

    def highlight_phrases(self, title: bool = False) -> tuple[tuple[str, ...], ...]:
        """Folded syllables of each phrase, which highlight only where they stand together."""
        phrases: set[tuple[str, ...]] = set()
        for clause in (c for g in self.required + self.optional for c in g):
            if clause.title_only and not title:
                continue
            if len(clause.syllables) > 1:
                phrases.add(clause.folded)
            phrases.update(a.folded for a in clause.alternatives if len(a.folded) > 1)
        return tuple(sorted(phrases))

    def highlighting(self, title: bool = False, glue: frozenset[str] = frozenset(),
                     matches: Mapping | None = None) -> Highlighting:
        """What to mark in a title or a body. `glue`: folded words found in most articles
        ('đã', 'của', 'làm'), which a long query marks only inside typed neighbours that
        also hold a telling word (*phát triển*), not on their own everywhere.

        >>> marks = QueryPlan.of(parse_query("đã phát triển trạm")).highlighting(glue=frozenset({"da", "phat"}))
        >>> sorted(marks.terms), marks.phrases
        (['tram', 'trien'], (('phat', 'trien'), ('da', 'phat', 'trien'), ('phat', 'trien', 'tram')))
        """
        terms = {t: v for t, v in self.highlight_terms(title, matches).items() if t not in glue}
        phrases = list(self.highlight_phrases(title))
        names = self.names + self.restored_names
        phrases += [n.words for n in names if n.words not in phrases]  # a name is marked whole,
        inside = frozenset(w for n in names for w in n.words)  # as typed or as a province is written
        for name in self.names:
            for spelling in _province_spellings(name.words):
                for word, accented in zip(name.words, spelling):
                    if terms.get(word):
                        terms[word] = terms[word] | {accented}
        for neighbours in self.neighbours if glue else ():
            words = set(neighbours.words)
            if words & glue and not words <= glue and neighbours.words not in phrases:
                phrases.append(neighbours.words)
        preferred = {folded: frozenset({accented}) for folded, accented in self.restored_forms  # not a name's:
                     if accented != folded and terms.get(folded) == frozenset() and folded not in inside}  # any way
        return Highlighting(terms, tuple(phrases), inside, preferred)

    def to_dict(self) -> dict:
        """The plan as `--explain` and `--json` show it."""
        return {
            "query": self.query,
            "searched": self.searched,
            "corrected": self.corrected,
            "required": [_describe(g) for g in self.required],
            "optional": [_describe(g) for g in self.optional],
            "excluded": [_describe((c,)) for c in self.excluded],
            "side_by_side": [str(n) for n in self.neighbours],
            "compounds": list(self.compounds),
            "names": [str(n) for n in self.names + self.restored_names],
            "dropped": list(self.dropped),
        }


def plan_query(query: str | AnalysedQuery, *, decode: Callable[[AnalysedQuery], str] | None = None,
               expand: Callable[[ParsedQuery], ParsedQuery] | None = None,
               frequency: Callable[[str], int] | None = None) -> QueryPlan:
    """Read a query: analyse it (normalise, split: `AnalysedQuery`), decode Telex/VNI words
    (`decode`), parse, expand abbreviations (`expand`), split into parts. Raises QueryError
    when nothing is left to look for. `QueryPlan.query` is the query as given
    (`AnalysedQuery.shown`).

    >>> [str(n) for n in plan_query("chữ ký số").neighbours]
    ['chu ki', 'ki so', 'chu ki so']
    """
    typed = check_size(query)  # analysed once, its size checked before any work on it
    decoded = decode(typed) if decode and typed.text else typed.text
    searched = decoded if decoded != typed.text else None
    read = typed if searched is None else check_size(decoded)  # Telex decoded: another text
    parsed = parse_query(read)  # parsed once
    if expand:
        parsed = expand(parsed)
    return QueryPlan.of(parsed, query=typed.shown, searched=searched, frequency=frequency, analysed=read)


def _key(group: Group) -> tuple:
    return tuple((c.folded, tuple(s.accented for s in c.syllables), c.title_only, c.phrase) for c in group)


def _unique(groups) -> tuple[Group, ...]:
    """Groups in order, each once: a word typed twice counts once."""
    seen: dict[tuple, Group] = {}
    for group in groups:
        seen.setdefault(_key(group), group)
    return tuple(seen.values())


def _most_telling(groups: tuple[Group, ...], frequency: Callable[[str], int]) -> tuple[tuple[Group, ...], tuple[str, ...]]:
    """The MAX_OPTIONAL rarest groups (in typed order) and the words left out."""
    def rarity(group: Group) -> int:
        return min(max((frequency(s) for s in c.folded), default=0) or 10**9 for c in group)

    ranked = sorted(range(len(groups)), key=lambda i: (rarity(groups[i]), i))
    keep = set(ranked[:MAX_OPTIONAL])
    kept = tuple(g for i, g in enumerate(groups) if i in keep)
    dropped = tuple(" OR ".join(c.raw for c in g) for i, g in enumerate(groups) if i not in keep)
    return kept, dropped


def _single(group: Group) -> Clause | None:
    """The clause of a group that is one free word of one syllable (as typed: `CNTT` counts,
    its expansion is scored with the clause), else None."""
    clause = group[0]
    if len(group) == 1 and len(clause.syllables) == 1 and not clause.title_only \
            and not clause.required and not clause.prefix:
        return clause
    return None


def _runs(groups: tuple[Group, ...]) -> list[list[Clause]]:
    """Runs of single free words typed side by side."""
    runs: list[list[Clause]] = [[]]
    for group in groups:
        clause = _single(group)
        if clause is not None:
            runs[-1].append(clause)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def _neighbours(groups: tuple[Group, ...], kept: set) -> tuple[Neighbours, ...]:
    """Pairs, then triples, of kept words typed side by side, each once."""
    found: dict[Neighbours, None] = {}
    triples = 0
    for size in (2, 3):
        for run in _runs(groups):
            for i in range(len(run) - size + 1):
                window = run[i:i + size]
                if size == 3 and triples >= MAX_TRIPLES:
                    break
                if all(_key((c,)) in kept for c in window):
                    found.setdefault(Neighbours(tuple(c.syllables[0].folded for c in window)))
                    triples += size == 3
    return tuple(found)


def _names(groups: tuple[Group, ...], kept: set) -> tuple[Neighbours, ...]:
    """Names typed side by side: two to four capitalised words (`Nghệ An`, `Bill Gates`; not
    when every word is, nor abbreviations such as `CNTT`), and provinces however typed
    (`dien bien`, `Đăk Nông`). Ranking counts such a name whole only where its words stand
    together: `An Giang` and `công nghệ` are not `Nghệ An`.

    >>> [str(n) for n in QueryPlan.of(parse_query("CNTT Nghệ An")).names]
    ['nghe an']
    >>> [str(n) for n in QueryPlan.of(parse_query("tin hoc dien bien")).names]
    ['dien bien']
    """
    from searchkit.text.places import load_gazetteer

    runs = [[c for c in run if _key((c,)) in kept] for run in _runs(groups)]
    title_case = all(_capitalised(c) for run in runs for c in run)
    gazetteer = load_gazetteer()
    found: list[Neighbours] = []
    for run in runs:
        taken = [False] * len(run)
        for i, end in () if title_case else _capitalised_runs(run, MAX_NAME):
            found.append(_words(run[i:end]))
            taken[i:end] = [True] * (end - i)
        for size in range(MAX_NAME, 1, -1):
            for i in range(len(run) - size + 1):
                if any(taken[i:i + size]):
                    continue
                window = run[i:i + size]
                if gazetteer.resolve_folded([c.syllables[0].folded for c in window]):  # as typed, split once
                    found.append(_words(window))
                    taken[i:i + size] = [True] * size
    return tuple(dict.fromkeys(found))


def names_in(restored: str | ParsedQuery, plan: QueryPlan) -> tuple[Neighbours, ...]:
    """Names that the accent restoration of an unaccented query writes with capitals, among
    the words typed side by side, and not yet among the plan's names.

    >>> plan = QueryPlan.of(parse_query("cntt tay nguyen"))
    >>> [str(n) for n in names_in("CNTT Tây Nguyên", plan)]
    ['tay nguyen']
    """
    parsed = restored if isinstance(restored, ParsedQuery) else parse_query(restored)
    words = [clause for group in parsed.groups for clause in group if len(clause.syllables) == 1]
    found = (_words(words[i:end]) for i, end in _capitalised_runs(words, MAX_TRIPLE))
    return tuple(name for name in found if name in plan.neighbours and name not in plan.names + plan.restored_names)


def restored_forms(restored: str | ParsedQuery, plan: QueryPlan) -> tuple[tuple[str, str], ...]:
    """(folded, accented) of each word of the restoration, when it spells the typed words.

    >>> restored_forms("chữ ký số", QueryPlan.of(parse_query("chu ky so")))
    (('chu', 'chữ'), ('ki', 'kí'), ('so', 'số'))
    """
    def syllables_of(parsed: ParsedQuery) -> list:
        return [s for group in parsed.groups for clause in group for s in clause.syllables]

    parsed = restored if isinstance(restored, ParsedQuery) else parse_query(restored)
    found = [(s.folded, s.accented) for s in syllables_of(parsed)]
    return tuple(found) if [f for f, _ in found] == [s.folded for s in syllables_of(plan.parsed)] else ()


def _province_spellings(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """How the gazetteer writes a province's name (`Đắk Nông`, `Đăk Nông`), else ()."""
    from searchkit.text.places import load_gazetteer

    return load_gazetteer().spellings(words)


def _capitalised_runs(words: list[Clause], longest: int) -> Iterator[tuple[int, int]]:
    """[start, end) of each run of two to `longest` capitalised words.

    >>> list(_capitalised_runs([c for g in parse_query("CNTT Nghệ An và Bill Gates").groups for c in g], 4))
    [(1, 3), (4, 6)]
    """
    i = 0
    while i < len(words):
        end = i
        while end < len(words) and _capitalised(words[end]):
            end += 1
        if 2 <= end - i <= longest:
            yield i, end
        i = max(end, i + 1)


def _words(clauses) -> Neighbours:
    """The folded syllables of one-syllable clauses."""
    return Neighbours(tuple(c.syllables[0].folded for c in clauses))


def _capitalised(clause: Clause) -> bool:
    """A word written as names are: a capital, then small letters (`Nghệ`, not `CNTT`)."""
    raw = clause.raw
    return bool(raw) and raw[0].isupper() and not (len(raw) > 1 and raw.isupper()) and not clause.alternatives


def _compounds(groups: tuple[Group, ...]) -> tuple[str, ...]:
    """Accented windows of typed words that may be one pyvi word ('chữ_ký', 'trạm_bts');
    only where accents were typed, since the words field holds accented forms."""
    found: dict[str, None] = {}
    for run in _runs(groups):
        syllables = [c.syllables[0] for c in run]
        for size in range(2, MAX_COMPOUND + 1):
            for i in range(len(syllables) - size + 1):
                part = syllables[i:i + size]
                if any(s.accented != s.folded for s in part):
                    found.setdefault("_".join(s.accented for s in part))
    return tuple(found)


def _describe(group: Group) -> str:
    """One group as text: `trạm`, `"chữ ký số"`, `CNTT (= "công nghệ thông tin")`, `a | b`."""
    parts = []
    for clause in group:
        text = " ".join(s.accented for s in clause.syllables)
        text = f'"{text}"' if clause.phrase and len(clause.syllables) > 1 else text
        text = f"title:{text}" if clause.title_only else text
        text += "*" if clause.prefix else ""
        if clause.alternatives:
            text += " (= " + " | ".join(" ".join(a.folded) for a in clause.alternatives)
            kept = len(clause.alternatives) + 1  # the prefix may be a syllable too
            text += f" — the {kept - 1} most frequent of {clause.completions})" if clause.completions > kept else ")"
        parts.append(text)
    return " | ".join(parts)
