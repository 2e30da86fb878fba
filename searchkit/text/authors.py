"""The author of an article, from its signature lines at the end. Pure functions.

Provincial sites sign articles on the last lines, before the rating trailer::

    Kim Oanh - Sở TT&TT Nghệ An        → 'Kim Oanh'
    Nguyễn Phượng                      → 'Nguyễn Phượng'
    Minh Đức                           → 'Minh Đức'
    Sở TT&TT Điện Biên                    (an organisation line, passed over)
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from searchkit.text.spelling import LETTERS

#: A signature is at most this long; longer lines are body text.
MAX_SIGNATURE_CHARS = 80
#: How many organisation or source lines may follow the name.
MAX_TRAILING_LINES = 2
_SIGNATURE = re.compile(r"(?P<name>[^\-–—(),]+?)\s*(?:[-–—,]\s*(?P<org>.+)|\((?P<paren>.+)\))?")
#: First words of lines that name an organisation or a source, not a person.
_NOT_A_PERSON = {
    "sở", "bộ", "ban", "phòng", "trung", "báo", "đài", "theo", "nguồn", "tỉnh", "huyện", "thành",
    "tp", "ubnd", "văn", "cổng", "hội", "viện", "trường", "công", "tập", "bưu", "ảnh", "tin",
}


def is_person_name(text: str) -> bool:
    """True for 2–4 capitalised syllables that could be a person's name.

    >>> is_person_name("Kim Oanh"), is_person_name("Toàn cảnh hội nghị"), is_person_name("Sở Nội Vụ")
    (True, False, False)
    """
    words = text.split()
    if not 2 <= len(words) <= 4 or words[0].lower() in _NOT_A_PERSON:
        return False
    shouting = all(word.isupper() for word in words)
    return all(
        LETTERS.fullmatch(word) and word[0].isupper() and (shouting or word[1:].islower() or len(word) == 1)
        for word in words
    )


def signature_author(
    lines: Sequence[str], is_place: Callable[[str], bool] = lambda name: False
) -> str | None:
    """The author named on the last lines of an article, or None.

    `lines` are the article's non-empty lines, trailer removed; `is_place` rejects names that
    are places ('Hà Nội' alone on a line is a dateline, not an author).

    >>> signature_author(["Nội dung bài.", "Kim Oanh - Sở TT&TT Nghệ An"])
    'Kim Oanh'
    >>> signature_author(["Nội dung bài.", "Minh Đức", "Sở TT&TT Điện Biên"])
    'Minh Đức'
    >>> signature_author(["Nội dung bài, dòng cuối cùng là văn bản dài chứ không phải là chữ ký."])
    """
    for back, line in enumerate(reversed(lines)):
        if back > MAX_TRAILING_LINES or len(line) > MAX_SIGNATURE_CHARS:
            return None
        match = _SIGNATURE.fullmatch(line.strip())
        name = match.group("name").strip() if match else ""
        if match and is_person_name(name) and not is_place(name):
            return name
        if not _is_organisation(line):
            return None
    return None


def _is_organisation(line: str) -> bool:
    words = line.strip(" ()").split()
    return bool(words) and words[0].lower() in _NOT_A_PERSON
