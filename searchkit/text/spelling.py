"""How Vietnamese is written: the word pattern, and whether a word is one syllable.

The one syllable validator of searchkit: the legacy-encoding repair asks it whether a word
reads as Vietnamese (`Việt`, not `Viá»‡t`), the keystroke decoder whether a decode is a word
(`truyeenf` → `truyền`, not `news` → anything), the search whether a plain word may stand for
marked ones. A syllable is an onset, a rhyme and a tone, with the spelling rules of the
orthography (`k`, `gh`, `ngh` before e, ê, i; `qu`, not `co`, for the rounded medial) and the
forms the corpus writes beyond the textbook ones: the `k` finals of Central Highlands names
(`Đắk Lắk`, `Đăk Hà`, `Krông Búk`) and loanwords (`tuýp`, `gioăng`, `Gioan`).

Pure functions over the standard library and `normalize`'s letters and tone marks.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from searchkit.text.normalize import ACUTE, DOT, TONE_MARKS, VOWELS

#: A word: a run of letters and digits (`Sở`, `TT`, `4G`); `_` and punctuation end it.
WORD = re.compile(r"[^\W_]+")
#: A run of letters only (`Sở`, `TT`; the `G` of `4G`): what a name or a legacy-encoded word is made of.
LETTERS = re.compile(r"[^\W\d_]+")
#: No syllable has more letters (`nghiêng`); a longer word is none, nor has variants.
MAX_SYLLABLE_LETTERS = 7

_ALPHABET = VOWELS | frozenset("bcdđghklmnpqrstvx")
_ONSETS = sorted("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split() + [""],
                 key=len, reverse=True)  # the longest first: `ngh` before `ng`, `gi` before `g`
#: Rhymes (vowels and final) after any onset the spelling rules allow.
_PLAIN_RHYMES = frozenset(
    """
    a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oc oi om on ong op ot ooc oong ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu y
    ak ăk uk
    """.split()  # ưn: chưn (Southern); the k finals of names: Đắk Lắk, Đăk Hà, Krông Búk
)
#: Rhymes written with yê: only with no onset (`yên`, `yêu`); after one it is iê (`tiên`).
_ALONE_RHYMES = frozenset("yêm yên yêt yêu".split())
#: Rhymes that start with the rounded medial, written o or u: never after c or k (the medial
#: makes them qu: `quan`, not `coan`).
_O_MEDIAL_RHYMES = frozenset(
    "oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet".split()
)
_U_MEDIAL_RHYMES = frozenset(
    "uân uâng uât uây uê uêch uênh uơ uy uya uych uynh uyp uyt uyu uyên uyêt".split()  # tuýp
)
_MEDIAL_RHYMES = _O_MEDIAL_RHYMES | _U_MEDIAL_RHYMES
#: After qu the u is the medial: quan, quăng, quân, quê, quốc, quơ, quy, quýt (quít), quỳnh, quyết.
_QU_RHYMES = frozenset(r for r in _PLAIN_RHYMES if r[0] in "aăâeêôơ") | frozenset(
    "i it y ych ynh yt yên yêt".split()
)
#: Onset spelling: k, gh, ngh only before front vowels; c, g, ng never before them.
_FRONT_ONLY = {"k": "eêiy", "gh": "eêi", "ngh": "eêi"}
_NEVER_FRONT = {"c": "eêiy", "g": "eê", "ng": "eêi"}
#: Finals after which a syllable takes only sắc or nặng (tốt, hạt; not tôt, hàt). Not k: the
#: names write Đăk and Lăk as well as Đắk and Lắk.
_STOP_CODAS = ("c", "ch", "p", "t")
_STOP_TONES = frozenset((ACUTE, DOT))


@lru_cache(maxsize=200_000)
def is_valid_syllable(word: str) -> bool:
    """Whether a word is one well-formed Vietnamese syllable: any case, NFC or NFD, either
    tone placement (`hoà`, `hòa`), one tone mark on a vowel.

    >>> [is_valid_syllable(w) for w in ("nghiêng", "Quốc", "tốt", "gìn", "Đăk", "lăk", "quýt", "tuýp")]
    [True, True, True, True, True, True, True, True]
    >>> [is_valid_syllable(w) for w in ("news", "tôt", "ghà", "coa", "tyên", "ưk", "lµnh", "Viá»‡t")]
    [False, False, False, False, False, False, False, False]
    """
    word = unicodedata.normalize("NFC", word)
    if not word or len(word) > MAX_SYLLABLE_LETTERS:
        return False
    split = _split_tone(word.lower())
    if split is None:
        return False
    letters, tone = split
    if not letters or not set(letters) <= _ALPHABET:
        return False
    if letters.endswith(_STOP_CODAS) and tone not in _STOP_TONES:
        return False
    return any(letters.startswith(onset) and _rhyme_fits(onset, letters[len(onset):]) for onset in _ONSETS)


def _split_tone(word: str) -> tuple[str, str] | None:
    """An NFC word → (its letters without tone, NFC; its tone mark or ''); None for two tone
    marks, or one that follows no vowel."""
    tone, letters, last = "", [], ""
    for char in unicodedata.normalize("NFD", word):
        if char in TONE_MARKS:
            if tone or last not in VOWELS:
                return None
            tone = char
        else:
            if not unicodedata.combining(char):
                last = char
            letters.append(char)
    return unicodedata.normalize("NFC", "".join(letters)), tone


def _rhyme_fits(onset: str, rhyme: str) -> bool:
    """Whether a rhyme may follow an onset: quốc yes, coa no, ghe yes, ge no."""
    if onset == "qu":
        return rhyme in _QU_RHYMES
    if rhyme in _ALONE_RHYMES:
        return onset == ""
    if onset == "gi":  # the i of gi absorbs the rhyme's own i (giêng = gi + iêng); gioăng, Gioan
        return rhyme in _PLAIN_RHYMES or "i" + rhyme in _PLAIN_RHYMES or rhyme in _O_MEDIAL_RHYMES
    if rhyme not in _PLAIN_RHYMES and rhyme not in _MEDIAL_RHYMES:
        return False
    if onset in ("c", "k") and rhyme in _MEDIAL_RHYMES:
        return False
    if onset in _FRONT_ONLY:
        return rhyme[0] in _FRONT_ONLY[onset]
    return rhyme[0] not in _NEVER_FRONT.get(onset, "")
