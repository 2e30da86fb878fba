"""Decode and repair legacy Vietnamese text: TCVN3 (ABC), VNI-Windows, Windows-1258, mojibake.

Pure functions, standard library only, no I/O; of searchkit, only the spelling rules of `text`.

* :func:`decode_bytes` detects the encoding of a whole file and returns NFC text: the decoding
  under which it reads as Vietnamese syllables; European Latin-1 text stays as written.
* :func:`repair_text` repairs, word by word, TCVN3 fragments (``lµnh m¹nh`` -> ``lành mạnh``) and
  UTF-8 read as Windows-1252/1258 or Latin-1 (``Viá»‡t`` -> ``Việt``) inside good Unicode text.
  A word is changed only when it is not a Vietnamese syllable and its repair is one.
* :func:`encode_tcvn3` / :func:`encode_vni` / :func:`encode_windows_1258` are the inverse tables.
* :func:`is_vietnamese_syllable` tells whether one word is a well-formed Vietnamese syllable
  (`spelling.is_valid_syllable`) in one of the cases text is written in.

TCVN3 has codes for the lower-case letters and for Ă Â Ê Ô Ơ Ư Đ only; capitals with a tone were
written with the same codes in an upper-case font (.VnTimeH), so they decode as lower case. Words
whose ASCII letters are all capitals are upper-cased after decoding (``NéI`` -> ``NỘI``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from searchkit.text.normalize import TONE_MARKS, TONES
from searchkit.text.spelling import LETTERS, WORD, is_valid_syllable

__all__ = [
    "decode_bytes",
    "repair_text",
    "encode_tcvn3",
    "encode_vni",
    "encode_windows_1258",
    "is_vietnamese_syllable",
]

_NFC = unicodedata.normalize

# ---------------------------------------------------------------------------------------------
# Syllables
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=200_000)
def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is one well-formed Vietnamese syllable (`spelling.is_valid_syllable`)
    in lower case, Capitalised or UPPER CASE; either tone placement (hoà / hòa) is accepted.

    >>> [is_vietnamese_syllable(w) for w in ("Việt", "NGHIÊNG", "gìn", "thuở", "quốc")]
    [True, True, True, True, True]
    >>> [is_vietnamese_syllable(w) for w in ("lµnh", "Viá»‡t", "àm", "hát", "hạt", "hàt", "ca")]
    [False, False, True, True, True, False, True]
    >>> [is_vietnamese_syllable(w) for w in ("Café", "ViệT", "ce", "kem", "ke", "ghi", "gha")]
    [False, False, False, True, True, True, False]
    """
    word = _NFC("NFC", word)
    lower = word.lower()
    if word != lower and word != word.upper() and word != lower[:1].upper() + lower[1:]:
        return False  # TCVN3 read in its capitals font: `ViệT`
    return is_valid_syllable(word)


# ---------------------------------------------------------------------------------------------
# Code tables
# ---------------------------------------------------------------------------------------------

# Tone order used in the tables below: none, sắc, huyền, hỏi, ngã, nặng.
_TONE_ORDER = (0, 1, 2, 3, 4, 5)

# TCVN3 (TCVN 5712:1993 VN3, the ABC fonts): byte of each lower-case vowel in each tone.
# None = the plain ASCII letter.
_TCVN3_VOWELS = {
    #     none  sắc   huyền hỏi   ngã   nặng
    "a": (None, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),
    "e": (None, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),
    "i": (None, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (None, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),
    "u": (None, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),
    "y": (None, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
_TCVN3_OTHER = {"đ": 0xAE, "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}

# VNI-Windows: base letter + diacritic byte (shown as the Windows-1252 character).
# Lower-case and upper-case spellings of each vowel in tone order none, sắc, huyền, hỏi, ngã, nặng.
_VNI_VOWELS = {
    "a": (("a", "aù", "aø", "aû", "aõ", "aï"), ("A", "AÙ", "AØ", "AÛ", "AÕ", "AÏ")),
    "ă": (("aê", "aé", "aè", "aú", "aü", "aë"), ("AÊ", "AÉ", "AÈ", "AÚ", "AÜ", "AË")),
    "â": (("aâ", "aá", "aà", "aå", "aã", "aä"), ("AÂ", "AÁ", "AÀ", "AÅ", "AÃ", "AÄ")),
    "e": (("e", "eù", "eø", "eû", "eõ", "eï"), ("E", "EÙ", "EØ", "EÛ", "EÕ", "EÏ")),
    "ê": (("eâ", "eá", "eà", "eå", "eã", "eä"), ("EÂ", "EÁ", "EÀ", "EÅ", "EÃ", "EÄ")),
    "i": (("i", "í", "ì", "æ", "ó", "ò"), ("I", "Í", "Ì", "Æ", "Ó", "Ò")),
    "o": (("o", "où", "oø", "oû", "oõ", "oï"), ("O", "OÙ", "OØ", "OÛ", "OÕ", "OÏ")),
    "ô": (("oâ", "oá", "oà", "oå", "oã", "oä"), ("OÂ", "OÁ", "OÀ", "OÅ", "OÃ", "OÄ")),
    "ơ": (("ô", "ôù", "ôø", "ôû", "ôõ", "ôï"), ("Ô", "ÔÙ", "ÔØ", "ÔÛ", "ÔÕ", "ÔÏ")),
    "u": (("u", "uù", "uø", "uû", "uõ", "uï"), ("U", "UÙ", "UØ", "UÛ", "UÕ", "UÏ")),
    "ư": (("ö", "öù", "öø", "öû", "öõ", "öï"), ("Ö", "ÖÙ", "ÖØ", "ÖÛ", "ÖÕ", "ÖÏ")),
    "y": (("y", "yù", "yø", "yû", "yõ", "î"), ("Y", "YÙ", "YØ", "YÛ", "YÕ", "Î")),
}
_VNI_OTHER = {"đ": "ñ", "Đ": "Ñ"}


def _toned(vowel: str, tone: int) -> str:
    return _NFC("NFC", vowel + TONES[tone - 1]) if tone else vowel  # tone 1-5: sắc … nặng


def _build_tables():
    tcvn3_decode: dict[int, str] = {}
    tcvn3_encode: dict[str, int] = {}
    for vowel, codes in _TCVN3_VOWELS.items():
        for tone, code in zip(_TONE_ORDER, codes):
            char = _toned(vowel, tone)
            if code is None:
                continue
            tcvn3_decode[code] = char
            tcvn3_encode[char] = code
            upper = char.upper()
            if upper not in _TCVN3_OTHER:  # font-based capitals share the lower-case code
                tcvn3_encode[upper] = code
    for char, code in _TCVN3_OTHER.items():
        tcvn3_decode[code] = char
        tcvn3_encode[char] = code

    vni_encode: dict[str, str] = dict(_VNI_OTHER)
    for vowel, (lower_codes, upper_codes) in _VNI_VOWELS.items():
        for tone, lo, up in zip(_TONE_ORDER, lower_codes, upper_codes):
            char = _toned(vowel, tone)
            vni_encode[char] = lo
            vni_encode[char.upper()] = up
    vni_decode: dict[str, str] = {}
    for char, code in vni_encode.items():
        if code == char:
            continue
        vni_decode[code] = char
        if len(code) == 2:  # tolerate a diacritic byte in the other case than its base letter
            other = code[0] + (code[1].lower() if code[1].isupper() else code[1].upper())
            vni_decode.setdefault(other, char)
    return tcvn3_decode, tcvn3_encode, vni_encode, vni_decode


_TCVN3_DECODE, _TCVN3_ENCODE, _VNI_ENCODE, _VNI_DECODE = _build_tables()


def _cp1252_char(byte: int) -> str:
    """The Windows-1252 character of a byte; the Latin-1 one where 1252 has a hole."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


# Byte -> text as a Windows program showing a TCVN3 / VNI file in a Western font would show it.
_CP1252_TABLE = "".join(_cp1252_char(b) for b in range(256))
# Byte -> TCVN3 character (the holes in TCVN3 fall back to Windows-1252).
_TCVN3_TABLE = "".join(_TCVN3_DECODE.get(b, _CP1252_TABLE[b]) for b in range(256))
_CP1252_BYTE = {ch: b for b, ch in enumerate(_CP1252_TABLE) if b >= 0x80}
_VNI_CODE_CHARS = frozenset("".join(code for code in _VNI_ENCODE.values() if not code.isascii()))
_TCVN3_TRANSLATE = {b: _TCVN3_TABLE[b] for b in range(0x80, 0x100)}
# TCVN3 uses only bytes 0xA1.., where Windows-1252 and Latin-1 agree: one map serves both.
_LATIN1_TO_TCVN3 = {b: ch for b, ch in _TCVN3_DECODE.items()}

_VNI_SEQ = re.compile(
    "|".join(re.escape(code) for code in sorted(_VNI_DECODE, key=len, reverse=True))
)


def encode_tcvn3(text: str) -> bytes:
    """Encode text in TCVN3 (ABC); Windows-1252 punctuation in the bytes TCVN3 leaves free.

    Capitals with a tone have no code of their own: they get the lower-case code (the way an
    upper-case .VnTimeH font stores them), so they come back in lower case.

    >>> encode_tcvn3("lành mạnh Đà Nẵng")
    b'l\\xb5nh m\\xb9nh \\xa7\\xb5 N\\xbdng'

    Raises ValueError for a character TCVN3 cannot encode.
    """
    out = bytearray()
    for i, ch in enumerate(_NFC("NFC", text)):
        if ord(ch) < 0x80:
            out.append(ord(ch))
            continue
        code = _TCVN3_ENCODE.get(ch)
        if code is None:
            code = _CP1252_BYTE.get(ch)  # punctuation in a byte that TCVN3 leaves free
            if code is None or code in _TCVN3_DECODE:
                raise ValueError(f"character {ch!r} at {i} cannot be encoded in TCVN3")
        out.append(code)
    return bytes(out)


def encode_vni(text: str) -> bytes:
    """Encode text in VNI-Windows (base letter + diacritic byte); other Windows-1252 as is.

    >>> encode_vni("Việt Nam, đường")
    b'Vie\\xe4t Nam, \\xf1\\xf6\\xf4\\xf8ng'

    Raises ValueError for a character VNI cannot encode.
    """
    parts = []
    for i, ch in enumerate(_NFC("NFC", text)):
        if ord(ch) < 0x80:
            parts.append(ch)
            continue
        code = _VNI_ENCODE.get(ch)
        if code is None:
            if ch not in _CP1252_BYTE or ch in _VNI_CODE_CHARS:
                raise ValueError(f"character {ch!r} at {i} cannot be encoded in VNI")
            code = ch  # punctuation in a byte that VNI leaves free
        parts.append(code)
    return "".join(parts).encode("cp1252")


def encode_windows_1258(text: str) -> bytes:
    """Encode text in Windows-1258: base letters with a separate combining tone byte.

    >>> encode_windows_1258("Việt")
    b'Vi\\xea\\xf2t'
    """
    out = []
    for ch in _NFC("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = _NFC("NFD", ch)
        tone = "".join(c for c in decomposed if c in TONE_MARKS)
        base = _NFC("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        try:
            out.append(base.encode("cp1258") + tone.encode("cp1258"))
        except UnicodeEncodeError:
            raise ValueError(f"character {ch!r} cannot be encoded in Windows-1258") from None
    return b"".join(out)


def _decode_tcvn3(data: bytes) -> str:
    return _fix_font_case(data.decode("latin-1").translate(_TCVN3_TRANSLATE))


def _decode_vni(data: bytes) -> str:
    text = data.decode("latin-1").translate({b: _CP1252_TABLE[b] for b in range(0x80, 0xA0)})
    return _NFC("NFC", _VNI_SEQ.sub(lambda m: _VNI_DECODE[m.group()], text))


def _decode_cp1258(data: bytes) -> str:
    return _NFC("NFC", data.decode("cp1258"))


# A word typed in capitals in an upper-case TCVN3 font: ASCII capitals, lower-case Vietnamese.
_FONT_CASE_WORD = re.compile(r"[^\W\d_]*[A-Z][^\W\d_]*")


_ASCII_LOWER = re.compile(r"[a-z]")


def _fix_font_case(text: str) -> str:
    """Upper-case what was typed in an upper-case TCVN3 font.

    A word with two or more ASCII letters, all capitals, is upper-cased ('NéI' -> 'NỘI'); if
    there is one and the line has no small ASCII letter, the whole line ('Hµ NéI' -> 'HÀ NỘI').
    """

    def fix_word(m: re.Match[str]) -> str:
        word = m.group()
        return word.upper() if _needs_upper(word) else word

    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        fixed = _FONT_CASE_WORD.sub(fix_word, line)
        lines[i] = line.upper() if fixed != line and not _ASCII_LOWER.search(line) else fixed
    return "\n".join(lines)


def _needs_upper(word: str) -> bool:
    """'NéI' / 'NộI' -> True: two or more ASCII letters, all capitals, plus lower-case others."""
    ascii_letters = [c for c in word if c < "\x80" and c.isalpha()]
    return (
        len(ascii_letters) >= 2
        and all(c.isupper() for c in ascii_letters)
        and any(c.islower() for c in word if c >= "\x80")
    )


# ---------------------------------------------------------------------------------------------
# Whole-file detection
# ---------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _score(text: str) -> tuple[int, int]:
    """(valid, invalid) counts of the non-ASCII words of text."""
    valid = invalid = 0
    for word in LETTERS.findall(text):
        if word.isascii():
            continue
        if is_vietnamese_syllable(word):
            valid += 1
        else:
            invalid += 1
    return valid, invalid


def _plausibility(text: str) -> tuple[float, int]:
    """How well a decoding reads as Vietnamese: the share of its words (ASCII ones too, all-caps
    acronyms left out) that are Vietnamese syllables, then valid minus invalid non-ASCII words.

    >>> _plausibility("Hà Nội, café") > _plausibility("Hµ Néi, cafÐ")
    True
    """
    words = [w for w in LETTERS.findall(text) if not (len(w) > 1 and w.isupper())]
    share = sum(map(is_vietnamese_syllable, words)) / len(words) if words else 0.0
    valid, invalid = _score(text)
    return share, valid - invalid


def _repaired(text: str, repair: bool) -> str:
    return repair_text(text) if repair else text


def _decode_western(data: bytes) -> str | None:
    """Windows-1252 (Latin-1 plus curly quotes), or None when the bytes are not such text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else _NFC("NFC", text)


def decode_bytes(data: bytes, repair: bool = True) -> tuple[str, str]:
    """Detect the encoding of a whole file and decode it to repaired NFC text (`repair=False`:
    not repaired, for JSON, whose string values are repaired once parsed: a JSON escape such
    as `\\nÝ` must not read as a TCVN3 fragment `nÝ`).

    Returns ``(text, encoding)`` with ``encoding`` one of ``utf-8``, ``utf-8-sig``, ``utf-16``,
    ``windows-1258``, ``tcvn3``, ``vni-windows``, ``windows-1252``. Order: byte-order marks,
    strict UTF-8, then the decoding under which the text reads most as Vietnamese syllables:
    the legacy code page with the most valid syllables, unless the text reads at least as well
    as written in Windows-1252 (Latin-1) — European text stays as it is (é is not TCVN3's ộ).

    >>> decode_bytes(b"H\\xb5 N\\xe9i")
    ('Hà Nội', 'tcvn3')
    >>> decode_bytes(b"Vie\\xe4t Nam")
    ('Việt Nam', 'vni-windows')
    >>> decode_bytes("L'élève a été à Genève".encode("latin-1"))
    ("L'élève a été à Genève", 'windows-1252')

    Raises ValueError (with the reason) for binary data or text that fits no encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _repaired(_NFC("NFC", data[3:].decode("utf-8")), repair), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ValueError(f"UTF-8 byte-order mark but invalid UTF-8 at byte {exc.start + 3}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValueError(f"UTF-16 byte-order mark but invalid UTF-16 at byte {exc.start}")
        return _repaired(_NFC("NFC", text), repair), "utf-16"
    if b"\x00" in data:
        raise ValueError("binary content (NUL bytes)")
    try:
        return _repaired(_NFC("NFC", data.decode("utf-8")), repair), "utf-8"
    except UnicodeDecodeError:
        pass

    best: tuple[int, float, str, str] | None = None
    for name, decode in (("tcvn3", _decode_tcvn3), ("vni-windows", _decode_vni),
                         ("windows-1258", _decode_cp1258)):
        try:
            text = decode(data)
        except UnicodeDecodeError:
            continue
        valid, invalid = _score(text)
        key = (valid - invalid, valid / (valid + invalid) if valid + invalid else 0.0)
        if best is None or key > best[:2]:
            best = (*key, name, text)
    western = _decode_western(data)
    if best is not None and best[1] >= 0.5 and best[0] > 0:
        if western is None or _plausibility(western) < _plausibility(best[3]):
            return _repaired(best[3], repair), best[2]
    if western is not None:
        return western, "windows-1252"
    if _CONTROL.search(data.decode("latin-1")):
        raise ValueError("binary content (control bytes)")
    raise ValueError("not decodable as UTF-8, UTF-16, Windows-1258, TCVN3, VNI or Windows-1252")


# ---------------------------------------------------------------------------------------------
# Repair inside Unicode text
# ---------------------------------------------------------------------------------------------

# -- TCVN3 fragments: TCVN3 bytes shown as Windows-1252 / Latin-1 characters. --
_TCVN3_CHARS = "".join(sorted(chr(c) for c in _LATIN1_TO_TCVN3))
# Characters that a correct Vietnamese word never contains (symbols and non-Vietnamese letters).
# A text without any of them is not scanned for TCVN3 at all.
_TCVN3_STRONG = "".join(
    c for c in _TCVN3_CHARS
    if not any(is_vietnamese_syllable(w) for w in (c, "t" + c + "n", "t" + c + "t"))
)  # i.e. all but the letters of correct Vietnamese (á â ã è é ê ...), which are 'weak' evidence
_TCVN3_STRONG_RE = re.compile("[" + re.escape(_TCVN3_STRONG) + "]")
# Pre-screen: a text is scanned for TCVN3 only if it has a strong character or a TCVN3 capital
# code after a small letter ('nhÊt', 'chuyÓn').
# (Separate searches that each start with a character class are fast; an alternation is not.)
_TCVN3_ODD_CASE_RE = re.compile("[\xc0-\xd6\xd8-\xde](?<=[a-z\xdf-\xff].)")
_TCVN3_CLASS = "A-Za-z" + re.escape(_TCVN3_CHARS)
_TCVN3_TOKEN = re.compile(
    rf"(?<![\w{_TCVN3_CLASS}])[A-Za-z]*[{re.escape(_TCVN3_CHARS)}][{_TCVN3_CLASS}]*(?![\w{_TCVN3_CLASS}])"
)
_CONSONANT_START = frozenset("bcdđghklmnpqrstvx")
_ETH_AS_D = str.maketrans("Ðð", "Đđ")
_ABBREVIATION = re.compile(r"[A-ZĐ]{2,8}")
# Signs that correct text puts next to letters: 'µm', '©A', '®x', '×y', '£p' ...
_SYMBOL_RE = re.compile("[µ×÷·¶§©®ª«»¹¼½¾¢£¤¥]")

# How much a candidate repair can stand on its own (see _apply).
_ALONE, _NEXT_TO_ONE, _BETWEEN_TWO, _SIGN = 3, 2, 1, 0


def _tcvn3_token(token: str) -> tuple[str, int] | None:
    """(repair, level) for a token that may be TCVN3 shown as Latin-1; None to leave it alone.

    Level _ALONE: clear evidence ('lµnh', 'm¹nh', '®Êt', '¨n'). _NEXT_TO_ONE: the word holds
    only letters of correct Vietnamese ('Néi'; 'môt' is more likely a typo of 'một' than
    TCVN3 'mụt'). _BETWEEN_TWO: the word is itself correct Vietnamese ('cã' -> 'có').
    _SIGN: a sign alone or with one letter and no initial consonant ('µm' -> 'àm', '×' -> 'ì'):
    only between two repairs, never by the line rule. A lone letter ('ë' -> 'ở'): _BETWEEN_TWO.
    """
    eth_as_d = token.translate(_ETH_AS_D)
    if eth_as_d != token and is_vietnamese_syllable(eth_as_d):
        return None  # 'Ðà' written with the Icelandic eth for Đ
    fixed = token.translate(_LATIN1_TO_TCVN3)
    if _needs_upper(fixed):
        fixed = fixed.upper()
    if fixed == token:
        return None
    if not is_vietnamese_syllable(fixed):
        if "§" in token and _ABBREVIATION.fullmatch(fixed):
            return fixed, _NEXT_TO_ONE  # 'NL§' -> 'NLĐ'
        return None
    if is_vietnamese_syllable(token):
        return fixed, _BETWEEN_TWO
    lower = fixed.lower()
    if _SYMBOL_RE.search(token) and (
        len(lower) == 1 or (len(lower) == 2 and lower[0] not in _CONSONANT_START)
    ):
        return fixed, _SIGN
    if len(lower) == 1:  # 'ë' -> 'ở'
        return fixed, _BETWEEN_TWO
    if not (_TCVN3_STRONG_RE.search(token) or _odd_case(token)):
        return fixed, _NEXT_TO_ONE
    return fixed, _ALONE


def _odd_case(word: str) -> bool:
    """'nhÊt', 'chuyÓn': a non-ASCII capital after a small letter, as TCVN3 shows Ê Ó Ý ..."""
    seen_lower = False
    for ch in word:
        if ch.islower():
            seen_lower = True
        elif seen_lower and ch >= "\x80" and ch.isupper():
            return True
    return False


# -- Mojibake: UTF-8 bytes shown as Windows-1252 / Windows-1258 / Latin-1 characters. --
def _mojibake_bytes() -> dict[str, int]:
    byte_of: dict[str, int] = {}
    for b in range(0x80, 0x100):
        byte_of.setdefault(_CP1252_TABLE[b], b)
    for b in range(0x80, 0x100):
        byte_of.setdefault(chr(b), b)
        try:
            ch = bytes([b]).decode("cp1258")
        except UnicodeDecodeError:
            continue
        if not unicodedata.combining(ch):
            byte_of.setdefault(ch, b)
    return byte_of


_BYTE_OF = _mojibake_bytes()


def _chars_for(lo: int, hi: int) -> str:
    return re.escape("".join(sorted(c for c, b in _BYTE_OF.items() if lo <= b <= hi)))


_MOJI_CONT = f"[{_chars_for(0x80, 0xBF)}]"
# A UTF-8 sequence shown byte by byte; 'Ã' + space is 'à' (C3 A0) whose no-break space was lost.
_MOJI_SEQ_NO_SPACE = re.compile(
    f"[{_chars_for(0xC2, 0xDF)}]{_MOJI_CONT}|[{_chars_for(0xE0, 0xEF)}]{_MOJI_CONT}{{2}}"
)
_MOJI_SEQ = re.compile(f"{_MOJI_SEQ_NO_SPACE.pattern}|[ÃĂ] ")
_MOJI_SCAN = (re.compile(f"{_MOJI_CONT}(?<=[{_chars_for(0xC2, 0xEF)}].)"), re.compile("[ÃĂ] "))
#: Every character the scans of `repair_text` begin with, in one class: one scan of clean
#: text instead of four (a fifth of their time; most corpus texts hold none of them).
_SUSPECT = re.compile("[%s%s%s\xc0-\xd6\xd8-\xde]" % (_chars_for(0x80, 0xBF), "ÃĂ", re.escape(_TCVN3_STRONG)))
_TOKEN_CHAR = r"(?:[^\s]|(?<=[ÃĂ])[\xa0 ])"
_MOJI_TOKEN = re.compile(rf"(?<!\S){_TOKEN_CHAR}*?(?:{_MOJI_SEQ.pattern}){_TOKEN_CHAR}*")
_ASCII_PUNCT = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum())
_CLOSING = frozenset("\xa0”’»›…–—•")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_LETTER_RUNS = re.compile(r"[^\W\d_]+(?:[-./&'][^\W\d_]+)*")


def _undo_mojibake(m: re.Match[str]) -> str:
    seq = m.group()
    try:
        return bytes(_BYTE_OF.get(c, 0xA0) for c in seq).decode("utf-8")  # ' ' only after Ã/Ă
    except UnicodeDecodeError:
        return seq


def _words_ok(fixed: str) -> bool | None:
    """Whether every word of a repaired token is Vietnamese (or ASCII, or an abbreviation).

    None if the token holds no non-ASCII word at all.
    """
    seen = False
    for piece in fixed.split():
        core = _EDGES.sub("", piece)
        if core.isascii():
            if any(ch.isalnum() for ch in piece if ch >= "\x80"):
                return False
            continue
        if not _LETTER_RUNS.fullmatch(core):
            return False  # left-overs inside a word: 'ngưá»i'
        for word in LETTERS.findall(core):
            if not (word.isascii() or is_vietnamese_syllable(word) or word in ("đ", "Đ")
                    or _ABBREVIATION.fullmatch(word)):
                return False
        seen = True
    return True if seen else None


def _looks_correct(piece: str) -> bool:
    """'MÃ”', 'HÃ' + no-break space: a correct word and a closing sign, as well as mojibake."""
    core = piece.strip(_ASCII_PUNCT)
    if core and core[-1] in _CLOSING:
        core = core[:-1]
    return is_vietnamese_syllable(core)


def _mojibake_token(token: str) -> tuple[str, int] | None:
    """(repair, level) for a token with UTF-8-as-cp1252 sequences; None to leave it alone.

    Level _ALONE unless every piece of the token also reads as a correct word followed by a
    closing sign ('MÃ”' is 'MÃ' + '”' as well as 'MÔ'): then _NEXT_TO_ONE. Tokens that repair
    to punctuation only ('â€œ' -> '“') are _NEXT_TO_ONE too. 'Ã' + space is tried as 'à' inside
    a word ('bÃ n' -> 'bàn'), then as 'à' + space ('HÃ Ná»™i' -> 'Hà Nội'), then as itself.
    """
    variants = [(_MOJI_SEQ, token)]
    if "Ã " in token or "Ă " in token:
        if token.isupper():  # 'ĐÃ XONG': a capital Ã, not 'à' that lost its no-break space
            variants = [(_MOJI_SEQ_NO_SPACE, token)]
        else:
            variants = [
                (_MOJI_SEQ, token),
                (_MOJI_SEQ, re.sub("([ÃĂ]) ", "\\1\xa0 ", token)),
                (_MOJI_SEQ_NO_SPACE, token),
            ]
    for seq_re, variant in variants:
        fixed = _NFC("NFC", seq_re.sub(_undo_mojibake, variant))
        if fixed == variant or fixed == token:
            continue
        ok = _words_ok(fixed)
        if ok is False:
            continue
        if ok is None:
            if any(ch.isalnum() for ch in fixed if ch >= "\x80"):
                continue
            return fixed, _NEXT_TO_ONE
        if all(_looks_correct(piece) for piece in token.split()):
            return fixed, _NEXT_TO_ONE
        return fixed, _ALONE
    return None


# Letters that only Unicode text has (ă đ ơ ư ĩ ũ, ạ ả ấ ... ỹ): they mark correct text.
_UNICODE_LETTER = re.compile(r"[\u0100-\u024f\u1e00-\u1eff]")


_AFTER_NUMBER = re.compile(r"\d\s?$")


def _near(text: str, end: int, start: int) -> bool:
    """Whether two candidates belong to one broken stretch: same line, <= 2 words between,
    none of them a word of correct Unicode Vietnamese."""
    gap = text[end:start]
    return (
        len(gap) <= 40
        and "\n" not in gap
        and len(WORD.findall(gap)) <= 2
        and not _UNICODE_LETTER.search(gap)
    )


def _apply(text: str, candidates: list[tuple[int, int, str, int]],
           changes: list[tuple[str, str]] | None, correct_at: list[int] = ()) -> str:
    """Apply the candidates that stand alone, then those that their neighbours vouch for.

    Candidates a few words apart form a stretch. In a stretch with a clear repair, a
    _NEXT_TO_ONE candidate is applied next to an applied one, a _BETWEEN_TWO candidate when
    applied ones lie on both sides. A line where at least half of the candidates are clear
    repairs, with no Unicode-only letter and no correct word that the broken encoding cannot
    explain (offsets in ``correct_at``: 'Bình' is no TCVN3), is broken throughout: all its
    candidates are applied.
    """
    if not candidates:
        return text
    n = len(candidates)
    accepted = [level == _ALONE for *_, level in candidates]
    if not any(accepted):
        return text
    runs = [[0]]
    for i in range(1, n):
        if _near(text, candidates[i - 1][1], candidates[i][0]):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        if len(run) == 1 or not any(accepted[i] for i in run):
            continue
        changed = True
        while changed:
            changed = False
            for k, i in enumerate(run):
                if accepted[i]:
                    continue
                level = candidates[i][3]
                if level == _NEXT_TO_ONE:
                    ok = (k > 0 and accepted[run[k - 1]]) or (
                        k + 1 < len(run) and accepted[run[k + 1]])
                elif level == _SIGN and _AFTER_NUMBER.search(
                    text, max(0, candidates[i][0] - 2), candidates[i][0]):
                    ok = False  # '5 µm', '2 × 3': a unit or an operator
                else:
                    ok = any(accepted[j] for j in run[:k]) and any(
                        accepted[j] for j in run[k + 1:])
                if ok:
                    accepted[i] = changed = True
    if not all(accepted):
        lines: dict[int, list[int]] = {}
        for i, (start, *_rest) in enumerate(candidates):
            lines.setdefault(text.rfind("\n", 0, start) + 1, []).append(i)
        for line_start, members in lines.items():
            alone = sum(candidates[i][3] == _ALONE for i in members)
            if all(accepted[i] for i in members) or 2 * alone < len(members):
                continue
            line_end = text.find("\n", line_start)
            if line_end < 0:
                line_end = len(text)
            if any(line_start <= pos < line_end for pos in correct_at):
                continue
            if not _UNICODE_LETTER.search(text, line_start, line_end):
                for i in members:
                    if candidates[i][3] != _SIGN:
                        accepted[i] = True
    out = []
    pos = 0
    for (start, end, fixed, _), ok in zip(candidates, accepted):
        if not ok:
            continue
        out.append(text[pos:start])
        out.append(fixed)
        if changes is not None:
            changes.append((text[start:end], fixed))
        pos = end
    out.append(text[pos:])
    return "".join(out)


_token_cache: dict[tuple[int, str], tuple[str, int] | None] = {}


def _cached(kind: int, token: str, fn) -> tuple[str, int] | None:
    key = (kind, token)
    try:
        return _token_cache[key]
    except KeyError:
        if len(_token_cache) > 100_000:
            _token_cache.clear()
        result = _token_cache[key] = fn(token)
        return result


def repair_text(text: str, changes: list[tuple[str, str]] | None = None) -> str:
    """Repair TCVN3 fragments and UTF-8 mojibake word by word; return NFC text.

    A word is replaced only if it holds characters typical of the broken encoding, is not a
    Vietnamese syllable, and its repair is one. Correct text comes back unchanged (as NFC).
    If ``changes`` is a list, the (before, after) pairs are appended to it.

    >>> repair_text("bình đẳng và lµnh m¹nh")
    'bình đẳng và lành mạnh'
    >>> repair_text("Viá»‡t Nam, kích thước 5 µm, ±5%, © 2009")
    'Việt Nam, kích thước 5 µm, ±5%, © 2009'
    """
    text = _NFC("NFC", text)
    if not _SUSPECT.search(text):  # most text: no character any scan below begins with
        return text
    if _MOJI_SCAN[0].search(text) or _MOJI_SCAN[1].search(text):
        candidates = []
        for m in _MOJI_TOKEN.finditer(text):
            result = _cached(0, m.group(), _mojibake_token)
            if result is not None:
                candidates.append((m.start(), m.end(), *result))
        text = _apply(text, candidates, changes)
    if _TCVN3_STRONG_RE.search(text) or _TCVN3_ODD_CASE_RE.search(text):
        candidates = []
        correct_at = []
        for m in _TCVN3_TOKEN.finditer(text):
            result = _cached(1, m.group(), _tcvn3_token)
            if result is not None:
                candidates.append((m.start(), m.end(), *result))
            elif is_vietnamese_syllable(m.group()):
                correct_at.append(m.start())
        text = _apply(text, candidates, changes, correct_at)
    return _NFC("NFC", text)
