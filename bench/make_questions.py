#!/usr/bin/env python3
"""Build bench/devset/questions.jsonl: Vietnamese questions answered by one article.

    python bench/make_questions.py [--corpus PATH] [--show-rejected]
        writes questions.jsonl (deterministic, seed SEED)
    python bench/make_questions.py check [FILE]
        runs the same best-answer check on hand-written questions (default questions_hand.jsonl)
        and prints, per question, where its answer stands; it never writes anything

How a question is made (all rules in this file; README.md in bench/devset says why):
1. Articles: ICT, with a title, not a known item (known_items.jsonl) and not a numbered forum
   thread (`Lỗi font (2)`). Each source's pool is shuffled with SEED and the pools are
   interleaved (as make_devset.py does).
2. Source sentence: the title, or (for about a third, chosen by the seed) the first sentence of
   the lead when it is 7–22 words long after leading time/attribution phrases are dropped
   (`Hôm nay, tại Hà Nội, …`). Quotes and trailing punctuation go.
3. Rephrasing, on pyvi words and tags: synonyms from SYNONYMS (`tại`→`ở`, `phát hành`→`tung
   ra`, `hãng`→`công ty`), an adverb or determiner dropped (`vừa`, `các`), `của` inserted
   between a noun and a name (`phần mềm Microsoft` → `phần mềm của Microsoft`), a trailing
   place/time phrase moved to the front, a number turned into `bao nhiêu`. At least one of
   these must apply, and no run of more than MAX_COPIED syllables may be copied from the
   article's title or lead.
4. Frame, by the sentence's shape (subject + verb, verb first, noun phrase): `… như thế nào?`,
   `Vì sao …?`, `Tại sao …?`, `… có … không?`, `Khi nào … sẽ …?`, `Hãng nào/Ai …?`,
   `… đã làm gì để …?`, `… bao nhiêu …?`, `Có thể … không?`, `Làm thế nào để …?`, `… là gì?`.
5. Answer check: the question's content syllables (not particles, not question words) weighted
   by idf; the article must hold at least MIN_COVERAGE of that mass, and the content syllables
   it holds must occur all together in no other article (MAX_COOCCUR = 1). No ranking oracle
   is used: requiring the article to win a bag-of-words score would keep exactly the questions
   BM25 answers.
6. Questions are 5–30 words. A third of them (spread evenly, among those whose content
   syllables, folded, occur together in at most MAX_COOCCUR_FOLDED articles) are also written
   without marks, lower case (variant `question_unaccented`, qid + `u`).
EXCLUDE lists questions read and dropped by hand, with the reason.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from devset_corpus import DEFAULT_CORPUS, DEVSET_DIR, PARTICLES, CorpusIndex, is_name, learn_casing, text_syllables  # noqa: E402

from searchkit.text.fold import fold  # noqa: E402
from searchkit.text.normalize import normalize_text  # noqa: E402

SEED = 20240614
N_QUESTIONS = 160
SOURCE_SHARE = {"baomoi-2017": 30, "UNC": 10}  # the rest from VNTC
LEAD_SHARE = 0.2
UNACCENTED_EVERY = 3
MAX_COPIED = 10
MIN_COVERAGE = 0.6
MAX_COOCCUR = 1
MAX_COOCCUR_FOLDED = 4
EXCLUDE: dict[str, str] = {  # article id: why the generated question was dropped after reading it
    "bm17-21478419": "headline without a subject ('So kè giành thị phần…') read as a clause",
    "bm17-22701489": "noun-phrase title ('Top 9 thành tựu…') put in a 'Vì sao' frame",
    "bm17-22710104": "noun-phrase title ('iPhone đời đầu nguyên hộp…') split as a clause",
    "bm17-22596404": "'Choáng ngợp với…' turned into a 'Có thể … không' question that means something else",
    "vntc-test-VT-VNE-271": "a list page ('Danh mục các định dạng file'), nothing to ask",
    "vntc-test-VT-VNE-346": "a list page ('Danh mục các định dạng file'), nothing to ask",
    "vntc-test-VT-VNE-2605": "'Fifa Street - bóng đá phủi…' makes no sense with 'là gì'",
    "vntc-test-VT-TT-5814": "noun-phrase title ('Hội chứng nghiện ĐTDĐ') put in a 'Vì sao' frame",
    "vntc-test-VT-VNE-3610": "'là gì' glued to a clause ('Amazon kỷ niệm 10 năm…')",
    "vntc-test-VT-VNE-2913": "'Thiếu nhân lực CNTT - những dấu hiệu…' put in a how-to frame",
    "vntc-train-VT-VNE-114": "'Muôn mặt hacker…' put in a how-to frame",
    "vntc-test-VT-VNE-4821": "'Mai táng cùng ĐTDĐ - mốt mới…' makes no sense with 'là gì'",
    "vntc-test-VT-VNE-1644": "'Chuyển sang mạng 3G - con đường…' put in a how-to frame",
    "vntc-test-VT-VNE-4875": "'khả năng ứng dụng EDGE' garbled",
    "vntc-test-VT-VNE-2215": "'công bố về công nghệ I/O AT' garbled",
    "vntc-test-VT-VNE-2650": "'Weblog - kho chứa…' split as a clause",
    "vntc-test-VT-VNE-2885": "'Hệ điều hành Tiger…' split inside the word",
    "vntc-test-VT-VNE-5187": "noun-phrase title put in a 'Vì sao' frame",
    "vntc-test-VT-VNE-2988": "noun-phrase title ('Lỗ thủng ở…') put in a 'Vì sao' frame",
    "vntc-test-VT-VNE-4081": "'thề sẽ đánh bại' became 'thề đã đánh bại': the meaning changed",
    "vntc-test-VT-VNE-4218": "'hợp tác' the noun replaced as if it were the verb",
    "vntc-test-VT-VNE-2997": "'Netscape mới' garbled",
    "vntc-test-VT-VNE-5271": "'Mở cửa hàng trực tuyến…' with 'Điều gì đáng chú ý về' reads badly",
    "vntc-test-VT-VNE-4117": "'eBay - thần đồng 10 tuổi của TMĐT' asked as 'bao nhiêu tuổi' reads badly",
    "vntc-train-VT-VNE-46": "'Dự án Cityweb … còn nhiều thiếu sót' lost 'còn' and got 'là gì'",
    "vntc-test-VT-TT-5790": "'Mouse và keyboard của Microsoft là gì?' asks nothing the article answers",
    "bm17-22459758": "'Xét xử bao nhiêu Giám đốc MB24 hành vi…' garbled",
    "bm17-21491219": "'VNPT đồng loạt ra quân…' split inside the predicate",
    "bm17-22264730": "a book title ('Thế giới phẳng') put in a 'Có thể … không' frame",
    "vntc-test-VT-VNE-2574": "noun-phrase title ('Hai nguy cơ đột nhập…') put in a 'Vì sao' frame",
    "vntc-test-VT-VNE-2905": "noun-phrase title ('Mối đe dọa từ…') put in a 'Vì sao' frame",
    "vntc-test-VT-VNE-3443": "'Họ calculator có siêu máy tính' garbled",
    "vntc-test-VT-VNE-432": "'lại' put inside 'kế hoạch tìm kiếm'",
    "vntc-test-VT-VNE-4965": "a stray period in the question",
    "vntc-test-VT-VNE-826": "'là gì' glued to a clause",
    "vntc-train-VT-TT-2004": "'là gì' glued to a clause",
    "vntc-train-VT-TT-2165": "a news clause ('Ra đời biến thể Sober…') put in a how-to frame",
    "vntc-train-VT-VNE-167": "noun-phrase title ('Cuộc đối đầu…') put in a 'Vì sao' frame",
    "vntc-train-VT-VNE-342": "'Lướt Internet trên chiến đấu cơ…' garbled",
    "vntc-train-VT-VNE-412": "'Bảo tàng ảo…' put in a how-to frame",
    "vntc-train-VT-VNE-609": "noun-phrase title ('Cơ hội và thách thức…') put in a 'Vì sao' frame",
    "vntc-train-VT-VNE-619": "'có' put inside 'quan tâm dự luật'",
    "vntc-test-VT-TT-5869": "'Virus tấn công mạnh mẽ nhất' is an award name read as a clause",
    "vntc-train-VT-VNE-953": "'kích thích phần cứng xuất hiện' reads badly",
    "vntc-test-VT-VNE-1759": "noun-phrase title ('Ngân hàng online - yếu tố…') put in a 'Vì sao' frame",
}

#: Words a question adds or keeps that say nothing about the topic.
QUESTION_WORDS = frozenset(text_syllables(
    "như thế nào vì sao tại sao có không phải khi nào ai hãng công ty nước gì làm để bao nhiêu "
    "tiền thể là đâu những điều đáng chú ý mới về thời điểm sự việc ra"))

#: Rephrasings used by step 3: word (lower case, as pyvi segments it) → replacement.
SYNONYMS = {
    "tại": "ở", "ở": "tại", "phát hành": "tung ra", "tung ra": "phát hành", "ra mắt": "giới thiệu",
    "trình làng": "ra mắt", "giới thiệu": "ra mắt", "công bố": "thông báo", "hãng": "công ty",
    "công ty": "hãng", "người dùng": "người sử dụng", "người sử dụng": "người dùng",
    "tin tặc": "hacker", "hacker": "tin tặc", "website": "trang web", "trang web": "website",
    "thư điện tử": "email", "email": "thư điện tử", "e-mail": "thư điện tử", "trực tuyến": "online",
    "online": "trực tuyến", "miễn phí": "không mất tiền", "cấm": "ngăn cấm", "chống": "ngăn chặn",
    "diệt": "tiêu diệt", "hợp tác": "bắt tay", "sản xuất": "chế tạo", "lỗ hổng": "lỗi",
    "triển khai": "áp dụng", "sử dụng": "dùng", "dùng": "sử dụng", "mua lại": "thâu tóm",
    "kiện": "khởi kiện", "bắt giữ": "bắt", "phạt": "xử phạt", "cảnh báo": "khuyến cáo",
    "thử nghiệm": "thí điểm", "ký": "ký kết", "ký kết": "ký", "ra đời": "xuất hiện",
    "xuất hiện": "ra đời", "ngừng": "dừng", "tìm kiếm": "tra cứu", "ĐTDĐ": "điện thoại di động",
    "điện thoại di động": "ĐTDĐ", "laptop": "máy tính xách tay", "máy tính xách tay": "laptop",
    "download": "tải về", "Mỹ": "Hoa Kỳ", "VN": "Việt Nam", "giảm": "cắt giảm", "nâng cấp": "cải tiến",
    "khách hàng": "người tiêu dùng", "kế hoạch": "dự định", "lớn nhất": "hàng đầu",
    "chương trình": "phần mềm", "đầu tư": "rót vốn", "tiết lộ": "hé lộ", "lừa đảo": "gian lận",
    "phát hiện": "tìm ra", "tìm ra": "phát hiện", "thông báo": "cho biết", "cho biết": "thông báo",
    "lây nhiễm": "lây lan", "nhiễm": "lây nhiễm", "cài": "cài đặt", "cài đặt": "cài", "tải": "tải về",
    "hỗ trợ": "trợ giúp", "cải thiện": "nâng cao", "nâng cao": "cải thiện", "đóng cửa": "ngừng hoạt động",
    "thu hồi": "triệu hồi", "triệu hồi": "thu hồi", "chặn": "ngăn chặn", "ngăn chặn": "chặn",
    "xâm nhập": "đột nhập", "đột nhập": "xâm nhập", "đánh cắp": "lấy cắp", "lấy cắp": "đánh cắp",
    "ăn cắp": "đánh cắp", "giả mạo": "mạo danh", "mạo danh": "giả mạo", "kết hợp": "phối hợp",
    "phối hợp": "kết hợp", "thành lập": "lập ra", "khai trương": "mở cửa", "đoạt": "giành",
    "giành": "đoạt", "chiến thắng": "thắng", "thắng": "chiến thắng", "phổ biến": "thông dụng",
    "mạnh": "mạnh mẽ", "nhanh chóng": "mau chóng", "tăng mạnh": "tăng vọt", "giảm giá": "hạ giá",
    "hạ giá": "giảm giá", "khắc phục": "sửa", "sửa": "khắc phục",
    "sửa lỗi": "vá lỗi", "vá lỗi": "sửa lỗi", "trẻ em": "trẻ nhỏ", "hướng dẫn": "chỉ dẫn",
    "cuộc thi": "hội thi", "hội thi": "cuộc thi", "bảo vệ": "giữ an toàn", "tiêu thụ": "dùng",
    "lợi nhuận": "tiền lãi",
}
LOOSE_ADJECTIVES = frozenset(["mới", "mạnh", "nặng", "khủng", "lớn", "độc đáo", "hấp dẫn", "đặc biệt"])
VERBS = frozenset([  # the SYNONYMS keys that are verbs
    "phát hành", "tung ra", "ra mắt", "trình làng", "giới thiệu", "công bố", "chống", "diệt", "hợp tác",
    "sản xuất", "triển khai", "sử dụng", "dùng", "mua lại", "kiện", "bắt", "bắt giữ", "phạt", "cảnh báo",
    "thử nghiệm", "ký", "ký kết", "ra đời", "xuất hiện", "ngừng", "tìm kiếm", "download", "giảm",
    "nâng cấp", "đầu tư", "tiết lộ", "lừa đảo", "phát hiện", "tìm ra", "thông báo", "cho biết", "lây nhiễm",
    "nhiễm", "cài", "cài đặt", "tải", "hỗ trợ", "cải thiện", "nâng cao", "đóng cửa", "thu hồi", "triệu hồi",
    "chặn", "ngăn chặn", "xâm nhập", "đột nhập", "đánh cắp", "lấy cắp", "ăn cắp", "giả mạo", "mạo danh",
    "kết hợp", "phối hợp", "thành lập", "khai trương", "đoạt", "giành", "chiến thắng", "thắng", "tăng mạnh",
    "giảm giá", "hạ giá", "khắc phục", "sửa", "sửa lỗi", "vá lỗi", "hướng dẫn", "bảo vệ",
    "tiêu thụ", "cấm"])
DROPPABLE = frozenset(["vừa", "mới", "đã", "sẽ", "đang", "các", "những", "cũng", "rất", "chính thức", "hiện",
                       "cùng", "còn", "chỉ", "hơn", "gần", "khoảng", "nhiều", "một", "hàng loạt", "loạt"])
ASPECT = frozenset(["vừa", "đã", "sẽ", "đang", "mới", "có thể", "vẫn", "cũng", "chính thức", "sắp", "lại",
                    "còn", "luôn", "đều"])  # never 'chưa', 'không': dropping them would turn the meaning
MONEY = frozenset(["usd", "đồng", "đô la", "đôla", "euro", "yên", "bảng"])
OWNED = frozenset(["phần mềm", "sản phẩm", "điện thoại", "máy tính", "dịch vụ", "hệ thống", "chip",
                   "trình duyệt", "website", "trang web", "công nghệ", "thiết bị", "máy chiếu", "ứng dụng",
                   "laptop", "smartphone", "máy", "game", "nhân viên", "giám đốc", "chủ tịch", "dự án",
                   "máy chủ", "bộ vi xử lý", "hệ điều hành", "công cụ", "máy in", "máy ảnh", "ổ cứng",
                   "phiên bản", "chiến lược", "kế hoạch", "doanh thu", "lợi nhuận", "cổ phiếu", "đối thủ"])
COUNTRIES = frozenset(text_syllables(" ".join([
    "Mỹ", "Trung Quốc", "Nhật Bản", "Nhật", "Hàn Quốc", "Anh", "Pháp", "Đức", "Ấn Độ", "Singapore", "Nga",
    "Úc", "Thái Lan", "Malaysia", "Indonesia", "Việt Nam", "VN", "Campuchia", "Lào", "Italy", "Việt",
    "Đài Loan", "Hong Kong", "Philippines", "Israel", "Canada", "Brazil"])))
NAMEISH = frozenset(["N", "Np", "Ny", "Nb", "M", "Nu"])
SUBJECT_TAGS = frozenset(["N", "Np", "Nc", "Ny", "Nb", "M"])
ANAPHORA = frozenset("đó đây này nếu khi theo những các với sau trước trong tuy nhưng và còn vì do".split())
_FORUM = re.compile(r"\(\d+\)\s*$")
_QUOTES = str.maketrans({c: " " for c in "\"'“”‘’«»"})
_LEADING = re.compile(r"^(?:(?:theo|hôm|sáng|chiều|tối|ngày|tuần|tháng|năm|mới đây|vừa qua|hiện nay|"
                      r"trong|tại|ở|cuối|đầu|giữa)\b[^,]{0,40},\s*)+", re.IGNORECASE)


@dataclass
class Word:
    text: str  # as written ('Chữ ký số' keeps its case)
    tag: str
    start: int = -1  # offsets in the source sentence; -1 for words the rephrasing put in
    end: int = -1

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass
class Draft:
    words: list[Word]
    edits: list[str] = field(default_factory=list)
    prefix: str = ""  # a place or time phrase put before the question ('Tại Việt Nam, …')


# --------------------------------------------------------------------------- source sentences


def clean(sentence: str) -> str:
    text = normalize_text(sentence).translate(_QUOTES)
    text = re.sub(r"\s+", " ", text).strip(" .!?…;:-–—")
    return text


def _marked(text: str) -> bool:
    """Written with marks: at least 30% of its syllables carry one (not 'toi da cach gui')."""
    syls = text_syllables(text)
    return bool(syls) and sum(fold(x) != x for x in syls) >= 0.3 * len(syls)


def lead_sentence(body: str) -> str | None:
    """The lead's first sentence, without leading time/attribution phrases, if 7–22 words."""
    first = re.split(r"(?<=[.!?])\s+|\n", body.strip(), maxsplit=1)[0]
    text = _LEADING.sub("", clean(first))
    if not text or ":" in text or re.search(r"www|http|\.com|\bbạn\b", text, re.IGNORECASE):
        return None
    if text.split()[0].lower() in ANAPHORA:  # 'Đó là …', 'Nếu …': needs the previous sentence
        return None
    text = text[0].upper() + text[1:]
    return text if 7 <= len(text.split()) <= 18 else None


def tag_words(sentence: str) -> list[Word]:
    """pyvi words with their tags, each spelled as in the sentence; punctuation dropped."""
    from pyvi import ViPosTagger, ViTokenizer

    tokens, tags = ViPosTagger.postagging(ViTokenizer.tokenize(sentence))
    out, pos = [], 0
    for token, tag in zip(tokens, tags):
        tag = usual_tag(token, tag)
        plain, start = token.replace("_", " "), -1
        at = sentence.find(plain, pos)
        if at >= 0 and not sentence[pos:at].strip(" ,;-–&/.'"):
            start, pos = at, at + len(plain)
        if plain == "%" and out and re.fullmatch(r"[\d.,]+", out[-1].text):
            out[-1] = Word(out[-1].text + "%", "M", out[-1].start, out[-1].end + 1)
            continue
        if tag == "F" or not re.search(r"\w", plain):
            continue
        glued = out and start >= 0 and out[-1].end >= 0 and sentence[out[-1].end:start] in ("", "-", "&", "/", "'")
        if glued:  # 'i-RAM', 'TT&TT', '300USD': one word, as written
            last = out.pop()
            plain, start, tag = sentence[last.start:start + len(plain)], last.start, last.tag
        out.append(Word(plain, tag, start, start + len(plain) if start >= 0 else -1))
    return out


_TAGS: dict[str, Counter] = {}
_COMPANIES: set[str] = set()
NOT_COMPANIES = frozenset("cntt tnhh vn internet linux computer network national first time strategy america "
                          "silicon electronic bc-vt abc".split())


def learn_companies(docs: list[dict]) -> None:
    """Brand names (ASCII, capitalised where they stand) written after 'hãng', 'công ty' or
    'tập đoàn' in at least 3 articles: the companies 'của' may be put before."""
    after = re.compile(r"\b(?:hãng|công ty|tập đoàn) ([A-Z][A-Za-z0-9&-]+)\b(?![.\w])")
    counts: Counter = Counter()
    for d in docs:
        counts.update({m.group(1) for m in after.finditer(d["body"])})
    _COMPANIES.update(name.lower() for name, n in counts.items()
                      if n >= 3 and is_name(name) and name.lower() not in NOT_COMPANIES)


def learn_tags(docs: list[dict]) -> None:
    """pyvi's tag counts per word over the ICT titles: one title's tag is noisy ('tính năng'
    tagged as a verb next to 'Yahoo'), the word's usual tag much less so."""
    from pyvi import ViPosTagger, ViTokenizer

    for d in docs:
        if d["ict"] and d.get("title"):
            for token, tag in zip(*ViPosTagger.postagging(ViTokenizer.tokenize(normalize_text(d["title"])))):
                _TAGS.setdefault(token.lower(), Counter())[tag] += 1


def usual_tag(token: str, tag: str) -> str:
    """The word's most common tag when it is seen at least 5 times; words with digits or inner
    capitals ('r11', 'iPhone') are names."""
    if re.search(r"\d", token) and re.search(r"[^\W\d_]", token) or re.search(r"[a-zđ][A-Z]", token):
        return "Np"
    counts = _TAGS.get(token.lower())
    if counts and sum(counts.values()) >= 5 and tag not in ("Np", "Ny", "F"):
        return counts.most_common(1)[0][0]
    return tag


# --------------------------------------------------------------------------- rephrasing


def synonyms(draft: Draft, rng: random.Random, at_most: int = 2) -> None:
    """Replace up to `at_most` words by a synonym; a verb's synonym only where pyvi tags a verb
    ('hợp tác' the verb, not 'hợp tác' the noun), and never next to the same word."""
    def fits(i: int, w: Word) -> bool:
        key = w.text if w.text in SYNONYMS else w.low
        if key not in SYNONYMS or (key in VERBS) != (w.tag == "V"):
            return False
        new = SYNONYMS[key].lower().split()
        before = draft.words[i - 1].low.split()[-1] if i else ""
        after = draft.words[i + 1].low.split()[0] if i + 1 < len(draft.words) else ""
        compound = before in ("tổng", "vi")  # 'tổng công ty', 'bộ vi xử lý'
        return new[0] != before and new[-1] != after and not compound  # not 'tìm ra ra
    spots = [i for i, w in enumerate(draft.words) if fits(i, w)]
    rng.shuffle(spots)
    for i in sorted(spots[:at_most]):
        w = draft.words[i]
        new = SYNONYMS[w.text if w.text in SYNONYMS else w.low]
        if i == 0 and w.text[:1].isupper() and w.tag not in ("Np", "Ny"):
            new = new[0].upper() + new[1:]
        draft.words[i] = Word(new, w.tag)
        draft.edits.append(f"synonym {w.text}→{new}")


def drop_one(draft: Draft, rng: random.Random) -> None:
    """Drop an adverb or determiner ('vừa', 'các'), or a loose adjective after a noun ('lỗi mới'),
    not at the edges and not in 'mới nhất', 'một trong'."""
    w = draft.words
    spots = [i for i in range(1, len(w) - 1) if w[i + 1].low not in ("nhất", "hơn", "trong", "phát triển")
             and (w[i].low in DROPPABLE or (w[i].low in LOOSE_ADJECTIVES and w[i - 1].tag == "N"))]
    if spots:
        i = rng.choice(spots)
        draft.edits.append(f"drop {draft.words[i].text}")
        del draft.words[i]


def insert_cua(draft: Draft) -> None:
    """'phần mềm Microsoft' → 'phần mềm của Microsoft' (a thing a company owns, then a company;
    not 'siêu máy tính Blue Gene/L', where the name is the thing's own)."""
    for i in range(len(draft.words) - 1):
        a, b = draft.words[i], draft.words[i + 1]
        if a.low in OWNED and b.text.lower() in _COMPANIES:
            draft.words.insert(i + 1, Word("của", "E"))
            draft.edits.append("insert của")
            return


def swap_conjuncts(draft: Draft) -> None:
    """'Microsoft và Intel' → 'Intel và Microsoft' (two names, nothing name-like around)."""
    w = draft.words
    for i in range(1, len(w) - 1):
        if w[i].low == "và" and w[i - 1].tag == "Np" and w[i + 1].tag == "Np" \
                and (i < 2 or w[i - 2].tag not in NAMEISH) and (i + 2 >= len(w) or w[i + 2].tag not in NAMEISH):
            a, b = w[i - 1], w[i + 1]
            if i - 1 == 0:
                a, b = Word(a.text if a.tag == "Np" else a.text.lower(), a.tag), Word(_cap(b.text), b.tag)
            w[i - 1], w[i + 1] = b, a
            draft.edits.append("swap conjuncts")
            return


def front_place(draft: Draft) -> None:
    """Take a trailing 'tại/ở/trong/trên + nouns' phrase off, to put it before the question:
    'Ở Singapore, …'."""
    words = draft.words
    for i in range(len(words) - 1, max(len(words) - 5, 0), -1):
        if words[i].low in ("tại", "ở", "trong", "trên") and len(words) - i <= 4 and i >= 3 \
                and all(w.tag in ("Np", "N", "M", "Ny", "Nc") for w in words[i + 1:]):
            draft.prefix = _cap(join(words[i:]))
            draft.words = words[:i]
            draft.edits.append("place to front")
            return


def _decap(words: list[Word]) -> list[Word]:
    """Lower the capital that only started the sentence ('Ngân hàng' → 'ngân hàng'), not a
    name's ('Nokia', 'Đài Loan': the next word capitalised too)."""
    next_capital = len(words) > 1 and words[1].text[:1].isupper() and words[0].tag != "V"
    if words and words[0].tag not in ("Np", "Ny") and words[0].text[1:2].islower() and not is_name(words[0].text) \
            and not next_capital:
        words = [Word(words[0].text[0].lower() + words[0].text[1:], words[0].tag)] + words[1:]
    return words


def _cap(text: str) -> str:
    """Capitalise the first letter, unless the first word is written like 'eBay', 'iPhone'."""
    if not text or re.match(r"\w*[a-zđ][A-Z]", text.split()[0]):
        return text
    return text[0].upper() + text[1:]


def join(words: list[Word]) -> str:
    return re.sub(r"\s+,", ",", " ".join(w.text for w in words))


# --------------------------------------------------------------------------- frames


def split_subject(words: list[Word]) -> int | None:
    """Where the predicate starts, when the split is clear: a subject of 1–3 nouns or names
    ('Microsoft', 'Ngân hàng New Zealand'), then a verb, maybe after aspect words ('sẽ phát
    hành'), and the subject holds a name. pyvi's tags are noisy, so anything less clear gets
    the frames that wrap the whole sentence instead of the ones that put words between subject
    and predicate."""
    for i, w in enumerate(words):
        if w.tag in ("V", "R") or w.low in ASPECT:
            subject = words[:i]
            if not 1 <= len(subject) <= 3 or any(x.tag not in SUBJECT_TAGS for x in subject):
                return None
            if subject[-1].tag not in ("N", "Np", "Ny") or subject[0].low in PARTICLES:
                return None
            if not any(x.tag in ("Np", "Ny") or is_name(x.text) for x in subject):
                return None  # 'Người kinh doanh…', 'Pin hữu cơ…': noun/verb compounds pyvi often misreads
            verbs = [x for x in words[i:] if x.low not in ASPECT]
            return i if verbs and verbs[0].tag == "V" else None
    return None


def _strip_aspect(pred: list[Word]) -> tuple[list[Word], str | None]:
    aspect = None
    while pred and pred[0].low in ASPECT:
        aspect = aspect or pred[0].low
        pred = pred[1:]
    return pred, aspect


def frames_for(words: list[Word]) -> list[tuple[str, str]]:
    """Every (frame name, question) that fits the sentence's shape."""
    out: list[tuple[str, str]] = []
    number = _number_question(words)
    if number:
        out.append(("bao nhiêu", number))
    cut = split_subject(words)
    if cut is not None:
        subj, (pred, aspect) = words[:cut], _strip_aspect(words[cut:])
        if not pred:
            return out
        s, p = join(subj), join(pred)
        passive = pred[0].low in ("bị", "được")
        copula = pred[0].low in ("là", "có", "không", "chưa")
        if not copula:
            out.append(("như thế nào", f"{_cap(s)} {'' if passive else 'đã '}{p} như thế nào?"))
        out.append(("vì sao", f"Vì sao {_lower_first(subj)} {p}?"))
        out.append(("tại sao", f"Tại sao {_lower_first(subj)} {'lại ' if not passive else ''}{p}?"))
        out.append(("có … không", f"{_cap(s)} có {p} không?" if not (passive or copula)
                    else f"Có phải {_lower_first(subj)} {p} không?"))
        if aspect == "sẽ":
            out.append(("khi nào", f"Khi nào {_lower_first(subj)} sẽ {p}?"))
        who = _who(subj)
        if who and not (passive or copula):
            out.append(("ai/hãng nào", f"{who} đã {p}?"))
        for k, w in enumerate(pred):
            if w.low == "để" and 1 < k < len(pred) - 1:
                out.append(("làm gì để", f"{_cap(s)} đã làm gì để {join(pred[k + 1:])}?"))
    elif words and words[0].tag == "V" and not is_name(words[0].text) and len(words) >= 3:
        body = _lower_first(words)
        out += [("có thể … không", f"Có thể {body} không?"), ("làm thế nào", f"Làm thế nào để {body}?")]
    elif any(w.tag == "V" for w in words[1:]):  # a clause whose subject is unclear: wrap it whole
        out += [("vì sao", f"Vì sao {_lower_first(words)}?"), ("như thế nào", f"{_cap(join(words))} như thế nào?")]
    elif len(words) <= 8:
        np_ = join(words)
        out += [("là gì", f"{_cap(np_)} là gì?"), ("điều gì", f"Điều gì đáng chú ý về {_lower_first(words)}?")]
    return out


def _lower_first(words: list[Word]) -> str:
    return join(_decap(list(words)))


def _who(subj: list[Word]) -> str | None:
    """'Hãng nào' for a company name, 'Nước nào' for a country, None otherwise."""
    if len(subj) != 1 or subj[0].tag not in ("Np", "N") or not subj[0].text[:1].isupper():
        return None
    if tuple(text_syllables(subj[0].text)) and set(text_syllables(subj[0].text)) <= COUNTRIES:
        return "Nước nào"
    return "Hãng nào" if subj[0].tag == "Np" and len(subj[0].text.split()) == 1 else None


def _number_question(words: list[Word]) -> str | None:
    """The sentence with its first number (and unit) asked: '63 tỉnh' → 'bao nhiêu tỉnh'."""
    for i, w in enumerate(words):
        after_name = i and (words[i - 1].tag in ("Np", "Ny") or words[i - 1].low in ("thứ", "top", "số")
                            or re.search(r"[A-Z]", words[i - 1].text[1:]))
        year = re.fullmatch(r"(19|20)\d\d", w.text)
        if re.fullmatch(r"[\d.,]+%", w.text) and not after_name:
            return _cap(join(words[:i] + [Word("bao nhiêu phần trăm", "M")] + words[i + 1:])) + "?"
        if w.tag == "M" and re.fullmatch(r"[\d.,]+", w.text) and i + 1 < len(words) and not after_name \
                and not year:
            j = i + 1
            while j < len(words) and words[j].low in ("triệu", "tỷ", "tỉ", "nghìn", "ngàn", "trăm"):
                j += 1
            if j < len(words) and words[j].low in MONEY:
                rest = words[:i] + [Word("bao nhiêu tiền", "M")] + words[j + 1:]
            elif j < len(words) and words[j].tag in ("N", "Nu", "Nc"):
                rest = words[:i] + [Word("bao nhiêu", "M")] + words[j:]
            else:
                return None
            return _cap(join(rest)) + "?"
    return None


# --------------------------------------------------------------------------- checks


def copied_run(question: str, sources: list[str]) -> int:
    """Longest run of consecutive syllables of the question found consecutively in a source."""
    q = text_syllables(question)
    best = 0
    for source in sources:
        s = text_syllables(source)
        grams = {tuple(s[k:k + n]) for n in range(1, min(len(s), 40) + 1) for k in range(len(s) - n + 1)} \
            if len(s) < 60 else None
        for a in range(len(q)):
            for b in range(len(q), a + best, -1):
                piece = tuple(q[a:b])
                if (piece in grams) if grams is not None else _contains(s, piece):
                    best = max(best, b - a)
                    break
    return best


def _contains(seq: list[str], piece: tuple[str, ...]) -> bool:
    n = len(piece)
    return any(tuple(seq[k:k + n]) == piece for k in range(len(seq) - n + 1))


def content_syllables(question: str) -> list[str]:
    seen = []
    for s in text_syllables(question):
        if s not in PARTICLES and s not in QUESTION_WORDS and not s.isdigit() and s not in seen:
            seen.append(s)
    return seen


def best_answer(index: CorpusIndex, question: str, target: int) -> tuple[bool, dict]:
    """Does `target` answer the question alone? It must hold MIN_COVERAGE of the idf mass of
    the question's content syllables, and no other article may hold all of those it holds.
    (Which article a bag-of-words score puts first, and by what margin over the runner-up, is
    recorded in the info but not required: that would pick the questions BM25 gets right.)"""
    content = content_syllables(question)
    weights = {s: index.idf(s) for s in content if index.df(s)}
    total = sum(weights.values()) or 1.0
    scores: Counter = Counter()
    for s, w in weights.items():
        for i in index.postings[s]:
            scores[i] += w
    ranked = scores.most_common(2)
    top, target_score = (ranked[0][0] if ranked else None), scores.get(target, 0.0)
    runner_up = max((sc for i, sc in ranked if i != target), default=0.0)
    held = tuple(s for s in weights if target in index.postings[s])
    cooccur = len(index.with_all(held)) if held else 0
    cooccur_folded = len(index.with_all(held, folded=True)) if held else 0
    info = {"coverage": round(target_score / total, 2), "margin": round(target_score / (runner_up or 1e-9), 2),
            "cooccur": cooccur, "cooccur_folded": cooccur_folded, "rank1": top == target}
    ok = target_score >= MIN_COVERAGE * total and cooccur <= MAX_COOCCUR
    return ok, info


# --------------------------------------------------------------------------- building


def article_order(index: CorpusIndex, excluded: set[str]) -> list[int]:
    """ICT articles with titles, each source shuffled with the seed, interleaved. Exclusions are
    applied after the shuffle, so excluding one article never reorders the others."""
    rng = random.Random(SEED)
    pools: dict[str, list[int]] = {}
    for i, d in enumerate(index.docs):
        if d["ict"] and d.get("title") and not _FORUM.search(d["title"]):
            pools.setdefault(d["source"], []).append(i)
    for source in sorted(pools):
        rng.shuffle(pools[source])
        pools[source] = [i for i in pools[source] if index.docs[i]["id"] not in excluded]
    order, iters = [], {s: iter(pools[s]) for s in sorted(pools)}
    while iters:
        for s in sorted(list(iters)):
            i = next(iters[s], None)
            if i is None:
                del iters[s]
            else:
                order.append(i)
    return order


def source_sentences(d: dict, from_lead: bool) -> list[str]:
    """The preferred sentence first (title or lead), the other as a fallback. Not used: titles
    that are already questions or that a colon splits, text mostly typed without marks, and a
    lead whose subject is unclear (split_subject)."""
    title = clean(d["title"])
    title_ok = 4 <= len(title.split()) <= 22 and not re.search(r"[:?]", d["title"]) and _marked(title)
    lead = lead_sentence(d["body"])
    if lead and not (_marked(lead) and split_subject(tag_words(lead)) is not None):
        lead = None
    ordered = [(lead, "lead"), (title if title_ok else None, "title")]
    return [(text, kind) for text, kind in (ordered if from_lead else ordered[::-1]) if text]


def make_question(index: CorpusIndex, i: int, rng: random.Random, from_lead: bool) -> tuple[str, dict] | str:
    """One question for article i, or the reasons there is none."""
    d = index.docs[i]
    reasons = []
    for source, kind in source_sentences(d, from_lead):
        draft = rephrase(source, rng)
        frames = frames_for(draft.words)
        if draft.prefix:
            frames = [(name, f"{draft.prefix}, {q[0].lower() + q[1:] if not _starts_with_name(q) else q}")
                      for name, q in frames]
        rng.shuffle(frames)
        limit = min(MAX_COPIED, max(4, int(0.7 * len(text_syllables(source)))))
        for name, question in frames:
            n_words = len(question.split())
            copied = copied_run(question, [d["title"], d["body"][:600]])
            if not (5 <= n_words <= 30) or (not draft.edits and name != "bao nhiêu") or copied > limit:
                reasons.append(f"{kind}/{name}: {n_words} words, {len(draft.edits)} edits, copied {copied}")
                continue
            ok, info = best_answer(index, question, i)
            if not ok:
                reasons.append(f"{kind}/{name}: {info}")
                continue
            return question, {"frame": name, "edits": draft.edits + [f"frame {name}"], "from": kind, **info}
        if not frames:
            reasons.append(f"{kind}: no frame fits")
    return "; ".join(reasons) or "no usable sentence"


def _starts_with_name(question: str) -> bool:
    first = question.split()[0]
    return is_name(first) or bool(re.search(r"[A-Z\d]", first[1:]))


def rephrase(source: str, rng: random.Random) -> Draft:
    """Step 3: synonyms, a dropped adverb, an inserted 'của', swapped conjuncts, a moved place."""
    draft = Draft(tag_words(source))
    synonyms(draft, rng, at_most=rng.choice([1, 2]))
    if rng.random() < 0.5:
        drop_one(draft, rng)
    if rng.random() < 0.5:
        insert_cua(draft)
    if rng.random() < 0.5:
        swap_conjuncts(draft)
    if rng.random() < 0.3:
        front_place(draft)
    return draft


def build(index: CorpusIndex, show_rejected: bool) -> list[dict]:
    """Questions in article order: a first pass keeps to the source shares, a second one fills
    up from any source if a share could not be met."""
    known = {row["relevant"][0] for row in _jsonl(DEVSET_DIR / "known_items.jsonl")}
    hand = {row["relevant"][0] for row in _jsonl(DEVSET_DIR / "questions_hand.jsonl")}
    learn_casing(index.docs)
    learn_tags(index.docs)
    learn_companies(index.docs)
    items, taken, tried = [], Counter(), {}
    share = dict(SOURCE_SHARE, VNTC=N_QUESTIONS - sum(SOURCE_SHARE.values()))
    order = article_order(index, known | hand | set(EXCLUDE))
    for capped in (True, False):
        for i in order:
            d = index.docs[i]
            if len(items) >= N_QUESTIONS:
                return items
            if i in tried or (capped and taken[d["source"]] >= share.get(d["source"], 0)):
                continue
            rng = random.Random(f"{SEED}:{d['id']}")  # each article's own draws: one change stays local
            tried[i] = made = make_question(index, i, rng, from_lead=rng.random() < LEAD_SHARE)
            if isinstance(made, str):
                if show_rejected:
                    print(f"  - {d['id']} {d['title']!r}: {made}", file=sys.stderr)
                continue
            question, info = made
            taken[d["source"]] += 1
            items.append({"id": d["id"], "query": question, **info})
    return items


def lines_for(items: list[dict]) -> list[dict]:
    """One line per question; a share (1/UNACCENTED_EVERY, spread evenly) also unaccented, among
    the questions whose folded content syllables stay rare (MAX_COOCCUR_FOLDED)."""
    out, unaccented = [], 0
    for n, it in enumerate(items, 1):
        qid = f"q{n:03d}"
        meta = {k: it[k] for k in ("from", "frame", "edits")}
        out.append({"qid": qid, "variant": "question", "query": it["query"], "relevant": [it["id"]], **meta})
        if it["cooccur_folded"] <= MAX_COOCCUR_FOLDED and unaccented < n / UNACCENTED_EVERY:
            unaccented += 1
            out.append({"qid": qid + "u", "variant": "question_unaccented", "query": fold(it["query"]).lower(),
                        "relevant": [it["id"]], **meta})
    return out


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check_hand(index: CorpusIndex, path: Path) -> None:
    """Print the best-answer check for hand-written questions (they are kept whatever it says)."""
    ids = {d["id"]: i for i, d in enumerate(index.docs)}
    for row in _jsonl(path):
        target = ids.get(row["relevant"][0])
        if target is None:
            print(f"{row['qid']}: unknown id {row['relevant'][0]}")
            continue
        ok, info = best_answer(index, row["query"], target)
        print(f"{row['qid']} {'ok ' if ok else 'LOW'} {info} {row['query']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["build", "check"], default="build")
    parser.add_argument("file", nargs="?", type=Path, default=DEVSET_DIR / "questions_hand.jsonl")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show-rejected", action="store_true", help="say why each skipped article was skipped")
    args = parser.parse_args()
    index = CorpusIndex.load(args.corpus)
    if args.command == "check":
        check_hand(index, args.file)
        return
    items = build(index, args.show_rejected)
    lines = lines_for(items)
    out = DEVSET_DIR / "questions.jsonl"
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    frames = Counter(it["frame"] for it in items)
    print(f"wrote {out}: {len(items)} questions ({sum(1 for it in items if it['from'] == 'lead')} from the lead), "
          f"{len(lines)} lines; frames {dict(sorted(frames.items()))}")


if __name__ == "__main__":
    main()
