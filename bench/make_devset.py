#!/usr/bin/env python3
"""Build the relevance development set used by bench/relevance.py.

Usage (from anywhere; stdlib only):

    python bench/make_devset.py [CORPUS]
        writes bench/devset/known_items.jsonl (deterministic, seed SEED)

    python bench/make_devset.py topical-candidates [--corpus PATH] [-n N] [--skip K] PHRASE [PHRASE ...]
        prints candidate articles for a topical query (helper used to judge
        bench/devset/topical.jsonl by hand; it never writes anything)

CORPUS defaults to ../shared/corpus/corpus.jsonl relative to the repository
root.  The corpus is read, never copied.
"""

import json
import math
import os
import random
import re
import sys
import unicodedata

SEED = 20240611
N_ITEMS = 150
# minimum number of items that must carry each optional variant
QUOTA = {"abbreviation": 41, "iy": 41, "tone_placement": 41}
# how many items to draw from each source (rest of N_ITEMS from VNTC)
SOURCE_SHARE = {"baomoi-2017": 25, "UNC": 15}

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(REPO, "..", "shared", "corpus", "corpus.jsonl")
OUT_DIR = os.path.join(REPO, "bench", "devset")

VARIANTS = ["accented", "unaccented", "nfd", "tone_placement", "telex", "vni",
            "iy", "abbreviation"]

# ---------------------------------------------------------------- characters

TONE_MARKS = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
VNI_TONE = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
VOWELS = set("aăâeêioôơuưy")


def split_char(ch):
    """'ề' -> ('ê', '\u0300'); 'a' -> ('a', '')."""
    d = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in d if c in TONE_MARKS)
    rest = "".join(c for c in d if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", rest), tone


def add_tone(ch, tone):
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", ch) + tone) if tone else ch


def fold(s):
    """Strip every mark, đ -> d, lowercase."""
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s).lower()


# ------------------------------------------------------------- syllable ops

_SYL_RE = re.compile(r"[^\W\d_]+")
_ONSET = "bcdđghklmnpqrstvx"


def _syllable_parts(syl):
    """(chars without tone, tone mark, index of toned char or -1)."""
    base, tone, pos = [], "", -1
    for i, ch in enumerate(syl):
        b, t = split_char(ch)
        base.append(b)
        if t:
            tone, pos = t, i
    return base, tone, pos


def swap_tone_placement(syl):
    """hòa<->hoà, khỏe<->khoẻ, thủy<->thuỷ (open oa/oe/uy only); None if n/a."""
    base, tone, pos = _syllable_parts(syl)
    if not tone:
        return None
    low = "".join(base).lower()
    m = re.fullmatch("([%s]*)(oa|oe|uy)" % _ONSET, low)
    if not m or m.group(1).endswith("q"):
        return None
    i = len(m.group(1))
    if pos == i:
        new = i + 1
    elif pos == i + 1:
        new = i
    else:
        return None
    out = list(base)
    out[new] = add_tone(out[new], tone)
    return "".join(out)


IY_ONSETS = ("s", "k", "l", "m", "t", "qu", "h")


def swap_iy(syl, allow_capital):
    """sĩ<->sỹ, kĩ<->kỹ, lí<->lý, mĩ<->mỹ, kì<->kỳ, tỉ<->tỷ, quí<->quý, hi<->hy."""
    base, tone, pos = _syllable_parts(syl)
    low = "".join(base).lower()
    m = re.fullmatch("(s|k|l|m|t|qu|h)([iy])", low)
    if not m:
        return None
    if not tone and m.group(1) != "h":
        return None
    if tone and m.group(1) == "h":
        return None
    if base[0].isupper() and not allow_capital and low not in ("mi", "my"):
        return None
    if base[0].isupper() and low in ("hi", "hy"):
        return None
    j = len(base) - 1
    vowel = base[j]
    newv = {"i": "y", "y": "i", "I": "Y", "Y": "I"}[vowel]
    out = list(base)
    out[j] = add_tone(newv, tone)
    return "".join(out)


def map_syllables(text, fn):
    """Apply fn(syllable, index) to every alphabetic run; returns (text, changed)."""
    changed = [False]
    counter = [0]

    def rep(m):
        r = fn(m.group(0), counter[0])
        counter[0] += 1
        if r is not None and r != m.group(0):
            changed[0] = True
            return r
        return m.group(0)

    return _SYL_RE.sub(rep, text), changed[0]


# --------------------------------------------------------------- encoders

def _encode_syllable(syl, upper_word, vni):
    out, tone_key, tone_idx = [], "", -1
    for ch in syl:
        b, t = split_char(ch)
        low = b.lower()
        up = b != low
        plain = fold(b)  # base ASCII letter
        plain = plain.upper() if up else plain
        if vni:
            mod = {"â": "6", "ê": "6", "ô": "6", "ơ": "7", "ư": "7", "ă": "8", "đ": "9"}.get(low, "")
        else:
            mod = {"â": plain, "ê": plain, "ô": plain, "ơ": "w", "ư": "w", "ă": "w", "đ": plain}.get(low, "")
            if mod:
                mod = mod.upper() if upper_word else mod.lower()
        out.append(plain + mod)
        if t:
            tone_idx = len(out) - 1
            tone_key = (VNI_TONE if vni else TONE_MARKS)[t]
    if tone_key:
        if vni:  # VNI: tone digit right after the toned vowel (and its shape digit)
            out[tone_idx] += tone_key
        else:  # Telex: tone key at the end of the syllable
            out.append(tone_key.upper() if upper_word else tone_key)
    return "".join(out)


def encode_keystrokes(text, vni=False):
    words = text.split(" ")
    res = []
    for w in words:
        letters = [c for c in w if c.isalpha()]
        upper_word = len(letters) > 1 and all(c.isupper() for c in letters)
        res.append(_SYL_RE.sub(lambda m: _encode_syllable(m.group(0), upper_word, vni), w))
    return " ".join(res)


def telex(text):
    return encode_keystrokes(text, vni=False)


def vni(text):
    return encode_keystrokes(text, vni=True)


# ----------------------------------------------------------- tokenisation

_TOK_RE = re.compile(r"[^\W_]+")


_CANON = {}


def canon_syl(tok):
    r = _CANON.get(tok)
    if r is None:
        r = _CANON[tok] = _canon_syl(tok)
    return r


def _canon_syl(tok):
    """Lowercase, NFC, tone placement normalised to the new style (hoà)."""
    t = tok.lower()
    base, tone, pos = _syllable_parts(t)
    if tone:
        m = re.fullmatch("([%s]*)(oa|oe|uy)" % _ONSET, "".join(base))
        if m and not m.group(1).endswith("q") and pos == len(m.group(1)):
            return swap_tone_placement(t)
    return t


def tokens(text):
    return [canon_syl(t) for t in _TOK_RE.findall(unicodedata.normalize("NFC", text))]


_PUNCT_EDGE = "\"'“”‘’()[]{}<>,.;:!?…–—-«»*/"


def chunks(text):
    """Whitespace words with edge punctuation split off.

    Returns list of (word, breaks_before) where breaks_before says the
    previous word ended or this word started with punctuation (so a query
    window must not span it)."""
    res = []
    brk = True
    for raw in text.split():
        lead = len(raw) - len(raw.lstrip(_PUNCT_EDGE))
        w = raw.strip(_PUNCT_EDGE)
        trail = len(raw) - lead - len(w)
        if not w or not _TOK_RE.search(w):
            brk = True
            continue
        res.append((w, brk or lead > 0))
        brk = trail > 0
    return res


# ------------------------------------------------------------ abbreviations

# (abbreviation forms as written, canonical abbreviation for queries,
#  expansion as typed in a query)
ABBREVIATIONS = [
    (["CNTT"], "CNTT", "công nghệ thông tin"),
    (["TT&TT", "TTTT", "TT-TT"], "TT&TT", "Thông tin và Truyền thông"),
    (["UBND"], "UBND", "Ủy ban nhân dân"),
    (["HĐND"], "HĐND", "Hội đồng nhân dân"),
    (["CSDL"], "CSDL", "cơ sở dữ liệu"),
    (["ATTT"], "ATTT", "an toàn thông tin"),
    (["BCVT"], "BCVT", "bưu chính viễn thông"),
    (["TMĐT"], "TMĐT", "thương mại điện tử"),
    (["KH&CN", "KHCN", "KH-CN"], "KH&CN", "khoa học và công nghệ"),
    (["CPĐT"], "CPĐT", "chính phủ điện tử"),
    (["ĐTDĐ"], "ĐTDĐ", "điện thoại di động"),
    (["TP.HCM", "TPHCM", "TP HCM"], "TP.HCM", "TP Hồ Chí Minh"),
    (["THPT"], "THPT", "trung học phổ thông"),
    (["GD&ĐT", "GD-ĐT"], "GD&ĐT", "giáo dục và đào tạo"),
    (["NXB"], "NXB", "nhà xuất bản"),
    (["ĐBSCL"], "ĐBSCL", "đồng bằng sông Cửu Long"),
]


def _abbr_patterns():
    """list of (token tuple, replacement text, kind)."""
    pats = []
    for forms, abbr, exp in ABBREVIATIONS:
        for f in forms:
            pats.append((tuple(tokens(f)), exp, "abbr"))
        pats.append((tuple(tokens(exp)), abbr, "exp"))
    # "thành phố Hồ Chí Minh" also abbreviates to TP.HCM
    pats.append((tuple(tokens("thành phố Hồ Chí Minh")), "TP.HCM", "exp"))
    pats.sort(key=lambda p: -len(p[0]))
    return pats


ABBR_PATTERNS = _abbr_patterns()

STOP = set(tokens(
    "của và các những là được với trong cho một có đã sẽ đang khi này đó thì mà để "
    "từ tại về ở theo bị vào ra lên không nhiều như hay hoặc cũng vẫn rất nên nhưng "
    "sau trước nếu do vì bằng qua trên dưới đến tới còn lại chỉ mới hơn nhất thế nào gì "
    "ai sao đâu hết cả mọi mỗi vừa ngày năm tháng người việc"))
# words that make an awkward end of a query
END_STOP = STOP | set(tokens("thành đều thôi dành chẳng cùng khiến gây sẽ lại rồi nữa luôn"))


# ------------------------------------------------------------------ corpus

def load_corpus(path):
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            docs.append(json.loads(line))
    return docs


_PHRASE_SPLIT = re.compile(r"[,.;:!?()\[\]\"“”‘’'…\n/–—-]+(?:\s|$)|\n|\s[-–—]\s")


class Index:
    def __init__(self, docs):
        self.n = len(docs)
        self.post = {}
        self.fpost = {}
        self.uni = {}
        self.pairs = {}
        for i, d in enumerate(docs):
            text = (d.get("title") or "") + "\n" + d["body"]
            seen = set()
            for phrase in _PHRASE_SPLIT.split(text):
                toks = tokens(phrase)
                for t in toks:
                    self.uni[t] = self.uni.get(t, 0) + 1
                for k in range(len(toks) - 1):
                    p = (toks[k], toks[k + 1])
                    self.pairs[p] = self.pairs.get(p, 0) + 1
                seen.update(toks)
            for t in seen:
                self.post.setdefault(t, []).append(i)
            for t in set(fold(t) for t in seen):
                self.fpost.setdefault(t, []).append(i)
        self.total = sum(self.uni.values())
        self.post = {k: set(v) for k, v in self.post.items()}
        self.fpost = {k: set(v) for k, v in self.fpost.items()}

    def cohesion(self, x, y):
        """How strongly syllables x y form one word (0..1)."""
        c = self.pairs.get((x, y), 0)
        if c < 2:
            return 0.0
        cx, cy = self.uni.get(x, 1), self.uni.get(y, 1)
        if c >= 3 and math.log(c * self.total / (cx * cy)) >= 2.5:
            return 1.0  # strong collocation (PMI): a compound word
        return c / min(cx, cy)

    def df(self, t):
        return len(self.post.get(t, ()))

    def idf(self, t):
        return math.log(self.n / (1 + len(self.post.get(t, ()))))

    def and_count(self, toks, folded=False):
        post = self.fpost if folded else self.post
        toks = sorted(set(fold(t) for t in toks) if folded else set(toks),
                      key=lambda t: len(post.get(t, ())))
        if not toks:
            return self.n
        s = post.get(toks[0], set())
        for t in toks[1:]:
            s = s & post.get(t, set())
            if len(s) <= 1:
                break
        return len(s)


# --------------------------------------------------------- query building

def text_segments(doc):
    """(segment name, chunk list) for the title and the first paragraphs."""
    segs = []
    if doc.get("title"):
        segs.append(("title", chunks(doc["title"])))
    paras = [p for p in doc["body"].split("\n") if p.strip()]
    for k, p in enumerate(paras[:1]):
        segs.append(("p%d" % k, chunks(p)))
    return segs


def find_abbr(chunk_list):
    """Occurrences of abbreviation patterns: list of (start, end, replacement)."""
    toks = [tokens(w) for w, _ in chunk_list]
    res = []
    i = 0
    while i < len(chunk_list):
        hit = None
        for pat, repl, kind in ABBR_PATTERNS:
            # match chunk-aligned: concatenate tokens of successive chunks
            acc, j = [], i
            while j < len(chunk_list) and len(acc) < len(pat):
                if j > i and chunk_list[j][1]:
                    break
                acc.extend(toks[j])
                j += 1
            if tuple(acc) == pat:
                hit = (i, j, repl, kind)
                break
        if hit:
            res.append(hit)
            i = hit[1]
        else:
            i += 1
    return res


def windows(chunk_list, lo, hi):
    n = len(chunk_list)
    for a in range(n):
        for b in range(a + lo, min(n, a + hi) + 1):
            if any(chunk_list[k][1] for k in range(a + 1, b)):
                break
            yield a, b


def make_query(words):
    return " ".join(words)


_BAD_CHUNK = re.compile(r"[/:@=_\\`]|https?|www\.|\.\w+\.|\d[.,]\d")


def words_ok(idx, words):
    """Token quality: no typos/garbage, few numbers, something distinctive."""
    toks = [t for w in words for t in tokens(w)]
    if not toks or len(set(toks)) < len(toks):
        return None
    for w in words:
        if _BAD_CHUNK.search(w) or len(w) > 20:
            return None
        # glued words such as 'hànhAsianux': lowercase followed by uppercase
        # after a Vietnamese letter
        if re.search(r"[^\x00-\x7f][A-Z]", w):
            return None
    if sum(any(c.isdigit() for c in t) for t in toks) > 1 or any(
            len(t) > 6 and any(c.isdigit() for c in t) for t in toks):
        return None
    if any(idx.df(t) < 2 for t in toks):
        return None
    if max(idx.idf(t) for t in toks) < 4.0:
        return None
    return toks


def edge_penalty(idx, cl, a, b):
    """Penalty for windows cutting through a compound (e.g. 'điện | thoại')."""
    pen = 0.0
    if a > 0 and not cl[a][1]:
        pen += idx.cohesion(tokens(cl[a - 1][0])[-1], tokens(cl[a][0])[0])
    if b < len(cl) and not cl[b][1]:
        pen += idx.cohesion(tokens(cl[b - 1][0])[-1], tokens(cl[b][0])[0])
    return pen


def candidate_queries(idx, doc):
    """List of (score, query, words, abbr) for a document; lower score is better."""
    out = []
    for seg, cl in text_segments(doc):
        seg_pen = 0 if seg == "title" else 1.5
        abbrs = find_abbr(cl)
        # plain windows of 2-4 consecutive words (title, or lead paragraph)
        if True:
            for a, b in windows(cl, 2, 4):
                words = [w for w, _ in cl[a:b]]
                if tokens(words[0])[0] in STOP or tokens(words[-1])[-1] in END_STOP:
                    continue
                if any(s < a < e or s < b < e or (a <= s and e <= b) for s, e, _, _ in abbrs):
                    continue
                if words[-1].isdigit() and not re.search(r"[A-Z]", words[-2]):
                    continue
                out.append((seg_pen, edge_penalty(idx, cl, a, b), words, None))
        # keyword combinations: two separate title phrases, in title order
        parts, fparts = [], []
        if True:
            for a, b in windows(cl, 1, 3):
                ws = [w for w, _ in cl[a:b]]
                if tokens(ws[0])[0] in STOP or tokens(ws[-1])[-1] in END_STOP:
                    continue
                if ws[-1].isdigit() and (len(ws) == 1 or not re.search(r"[A-Z]", ws[-2])):
                    continue
                if any(s < a < e or s < b < e or (a <= s and e <= b) for s, e, _, _ in abbrs):
                    continue
                if edge_penalty(idx, cl, a, b) > 0.12:
                    continue
                # a phrase with a spelling-variant syllable (hóa, kỹ ...)
                q = " ".join(ws)
                if (b - a >= 2 or ws[0] in ("Mỹ", "Mĩ")) and (
                        map_syllables(q, lambda x, i: swap_tone_placement(x))[1]
                        or map_syllables(q, lambda x, i: swap_iy(x, False))[1]):
                    fparts.append((a, b, ws))
                # a lone syllable only if it looks like a name/brand/model
                if b - a == 1 and not re.search(r"[A-Z0-9]", ws[0]) and not (
                        ws[0].isascii() and len(ws[0]) > 3):
                    continue
                # name-like: a capital that is not just the sentence start
                named = any(re.search(r"[A-Z]", w[1:]) or (w[0].isupper() and a + k > 0)
                            for k, w in enumerate(ws))
                parts.append((a, b, ws, named))
            for a1, b1, w1 in fparts:
                for a2, b2, w2, named in parts:
                    if (b2 < a1 or a2 > b1) and named and not w2[-1].isdigit() \
                            and len(w1) + len(w2) <= 5:
                        ws = w1 + w2 if a1 < a2 else w2 + w1
                        out.append((seg_pen + 0.5, 0.0, ws, None))
            for a1, b1, w1, _ in parts:
                for a2, b2, w2, _ in parts:
                    if seg == "title" and a2 > b1 and len(w1) + len(w2) <= 4:
                        out.append((seg_pen + 0.3, 0.0, w1 + w2, None))
        # abbreviation/expansion plus 1-3 adjacent words
        for s, e, repl, kind in abbrs:
            for a, b in windows(cl, 1, (e - s) + 3):
                if not (a <= s and e <= b) or (b - a) == (e - s):
                    continue
                words = [w for w, _ in cl[a:b]]
                if (a < s and tokens(words[0])[0] in STOP) or (b > e and tokens(words[-1])[-1] in END_STOP):
                    continue
                if b > e and words[-1].isdigit():
                    continue
                if any(s2 != s and (a < e2 and s2 < b) for s2, e2, _, _ in abbrs):
                    continue
                out.append((seg_pen, edge_penalty(idx, cl, a, b), words, (s - a, e - a, repl)))
            # the term plus a name-like phrase found elsewhere in the segment
            for a2, b2, w2, named in parts:
                if (b2 < s or a2 > e) and len(w2) <= 2 and named and not w2[-1].isdigit():
                    term = [w for w, _ in cl[s:e]]
                    out.append((seg_pen + 0.5, 0.0, term + w2, (0, e - s, repl)))
    res = []
    for seg_pen, pen, words, abbr in out:
        if pen > 0.12:
            continue
        toks = words_ok(idx, words)
        if toks is None:
            continue
        c = idx.and_count(toks)
        if c > 2:
            continue
        fc = idx.and_count(toks, folded=True)
        if fc > 3:
            continue
        n = len(toks)
        length_pen = {3: 0, 4: 0.2, 2: 0.4, 5: 0.4}.get(n, 0.8)
        score = seg_pen + pen + length_pen + (c - 1) * 0.8 + (fc - c) * 0.4 - min(sum(idx.idf(t) for t in toks), 30) / 60.0
        res.append((round(score, 6), make_query(words), words, abbr))
    res.sort(key=lambda r: (r[0], r[1]))
    return res


def variants_for(query, words, abbr, is_title_start):
    v = {}
    v["accented"] = unicodedata.normalize("NFC", query)
    v["unaccented"] = fold(query)
    v["nfd"] = unicodedata.normalize("NFD", query)
    tp, ch = map_syllables(query, lambda s, i: swap_tone_placement(s))
    if ch:
        v["tone_placement"] = tp
    v["telex"] = telex(query)
    v["vni"] = vni(query)
    iy, ch = map_syllables(query, lambda s, i: swap_iy(s, allow_capital=(i == 0 and is_title_start)))
    if ch:
        v["iy"] = iy
    if abbr:
        s, e, repl = abbr
        v["abbreviation"] = " ".join(words[:s] + [repl] + words[e:])
    return v


def abbr_key(v):
    """Which abbreviation an item exercises (its canonical short form)."""
    for forms, abbr, exp in ABBREVIATIONS:
        for f in forms + [abbr]:
            pat = tokens(f)
            for text in (v["accented"], v["abbreviation"]):
                t = tokens(text)
                if any(t[i:i + len(pat)] == pat for i in range(len(t))):
                    return abbr
    return "?"


def build_known_items(docs):
    idx = Index(docs)
    rng = random.Random(SEED)
    pool = {}
    for i, d in enumerate(docs):
        if d["ict"] and d.get("title"):
            pool.setdefault(d["source"], []).append(i)
    for src in pool:
        pool[src].sort(key=lambda i: docs[i]["id"])
        rng.shuffle(pool[src])
    share = dict(SOURCE_SHARE)
    share["VNTC"] = N_ITEMS - sum(SOURCE_SHARE.values())

    # analyse documents lazily in a deterministic interleaved order
    order = []
    iters = {s: iter(pool[s]) for s in sorted(pool)}
    while iters:
        for s in sorted(list(iters)):
            try:
                order.append(next(iters[s]))
            except StopIteration:
                del iters[s]

    need = dict(QUOTA)
    taken = {s: 0 for s in share}
    items = []
    seen_queries = set()
    used = set()
    abbr_used = {}
    # first pass respects the per-source shares, a second one fills up
    for capped, di in [(True, di) for di in order] + [(False, di) for di in order]:
        if len(items) >= N_ITEMS:
            break
        d = docs[di]
        if capped and taken[d["source"]] >= share[d["source"]]:
            continue
        if d["id"] in used:
            continue
        cands = candidate_queries(idx, d)
        if not cands:
            continue
        remaining = N_ITEMS - len(items)
        outstanding = {k: n for k, n in need.items() if n > 0}
        chosen = None
        # prefer a query that fills an outstanding quota
        for kind in sorted(outstanding, key=lambda k: (-outstanding[k], k)):
            for sc, q, words, abbr in cands:
                if sc > 2.6:
                    break
                v = variants_for(q, words, abbr, q == d["title"][:len(q)])
                if kind in v:
                    chosen = (q, v)
                    break
            if chosen:
                break
        if chosen is None:
            # only take quota-less items while enough slots remain for the quotas
            if sum(outstanding.values()) >= remaining:
                continue
            sc, q, words, abbr = cands[0]
            chosen = (q, variants_for(q, words, abbr, q == d["title"][:len(q)]))
        q, v = chosen
        if fold(q) in seen_queries:
            continue
        if "abbreviation" in v:
            key = abbr_key(v)
            if abbr_used.get(key, 0) >= 5:
                continue
            abbr_used[key] = abbr_used.get(key, 0) + 1
        seen_queries.add(fold(q))
        for k in need:
            if k in v:
                need[k] -= 1
        taken[d["source"]] += 1
        used.add(d["id"])
        items.append((d["id"], v))

    lines = []
    for n, (doc_id, v) in enumerate(items, 1):
        qid = "k%03d" % n
        for var in VARIANTS:
            if var in v:
                lines.append(json.dumps({"qid": qid, "variant": var, "query": v[var],
                                         "relevant": [doc_id]}, ensure_ascii=False))
    return lines


# ------------------------------------------------------ topical candidates

def topical_candidates(argv):
    corpus, n, skip, phrases = DEFAULT_CORPUS, 40, 0, []
    it = iter(argv)
    for a in it:
        if a == "--corpus":
            corpus = next(it)
        elif a == "-n":
            n = int(next(it))
        elif a == "--skip":
            skip = int(next(it))
        else:
            phrases.append(a)
    pats = [re.compile(r"(?<![^\W_])" + re.escape(fold(p)) + r"(?![^\W_])") for p in phrases]
    scored = []
    for d in load_corpus(corpus):
        t = fold(d.get("title") or "")
        b = fold(d["body"])
        th = sum(len(p.findall(t)) for p in pats)
        bh = sum(len(p.findall(b)) for p in pats)
        if th + bh == 0:
            continue
        lead = sum(len(p.findall(b[:400])) for p in pats)
        score = 5 * th + 2 * lead + min(bh, 10) + min(bh, 30) / 10.0
        scored.append((-score, d["id"], d))
    scored.sort(key=lambda r: (r[0], r[1]))
    print("# %d matching articles" % len(scored))
    for s, _, d in scored[skip:skip + n]:
        body = d["body"].replace("\n", " / ")
        print("%s [%.1f] %s | %s" % (d["id"], -s, d.get("title") or "-", body[:260]))


def main():
    argv = sys.argv[1:]
    if argv and argv[0] == "topical-candidates":
        topical_candidates(argv[1:])
        return
    corpus = argv[0] if argv else DEFAULT_CORPUS
    docs = load_corpus(corpus)
    lines = build_known_items(docs)
    os.makedirs(OUT_DIR, exist_ok=True)
    out = os.path.join(OUT_DIR, "known_items.jsonl")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    counts = {}
    for line in lines:
        var = json.loads(line)["variant"]
        counts[var] = counts.get(var, 0) + 1
    print("wrote %s: %d lines, %d items" % (out, len(lines), counts.get("accented", 0)))
    for var in VARIANTS:
        print("  %-15s %d" % (var, counts.get(var, 0)))


if __name__ == "__main__":
    main()
