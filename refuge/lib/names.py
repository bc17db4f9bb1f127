"""Names in any script: detect the script, check the characters, read them in Latin
letters, and derive the search key that makes Հովհաննիսյան, Оганесян and
Hovhannisyan findable from one another.

Names are always stored exactly as typed; everything here derives from them.
"""

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext as _

ARMENIAN = "armenian"
CYRILLIC = "cyrillic"
LATIN = "latin"
MIXED = "mixed"
OTHER = "other"
NONE = ""

MAX_NAME_LENGTH = 100
# Characters people put inside names: spaces, hyphens, apostrophes, dots.
NAME_PUNCTUATION = set(" -'’.ʼ‘`")
# Unicode categories that never belong in a name: controls, invisible format
# characters (zero-width space, joiners, direction marks), private use,
# surrogates, unassigned code points, line and paragraph separators.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


@lru_cache(maxsize=8192)
def script_of_char(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    for script in (ARMENIAN, CYRILLIC, LATIN):
        if name.startswith(script.upper()):
            return script
    return OTHER


def detect_script(text: str) -> str:
    scripts = {s for s in map(script_of_char, text) if s}
    if not scripts:
        return NONE
    if len(scripts) == 1:
        return scripts.pop()
    return MIXED


def combine_scripts(texts: list[str]) -> str:
    return detect_script(" ".join(texts))


def forbidden_char(text: str) -> str | None:
    """The first control or invisible character in text, if any."""
    if text.isprintable():  # C-speed: every forbidden category is unprintable
        return None
    for char in text:
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            return char
    return None


def name_problem(text: str) -> str | None:
    """Why a name cannot be stored, or None. Messages are shown next to the field."""
    if len(text) > MAX_NAME_LENGTH:
        return _("is longer than %(max)s characters") % {"max": MAX_NAME_LENGTH}
    if (char := forbidden_char(text)) is not None:
        return _("contains an invisible or control character (U+%(code)s)") % {
            "code": f"{ord(char):04X}"
        }
    for char in text:
        category = unicodedata.category(char)
        if category.startswith(("S", "N")) or (
            category.startswith("P") and char not in NAME_PUNCTUATION
        ):
            return _("contains “%(char)s”, which does not belong in a name") % {"char": char}
    if not any(ch.isalpha() for ch in text):
        return _("has no letters")
    return None


# Armenian to Latin, after the passport (BGN/PCGN 1981) readings registrars see.
ARMENIAN_TO_LATIN = {
    "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "y",
    "թ": "t", "ժ": "zh", "ի": "i", "լ": "l", "խ": "kh", "ծ": "ts", "կ": "k", "հ": "h",
    "ձ": "dz", "ղ": "gh", "ճ": "ch", "մ": "m", "յ": "y", "ն": "n", "շ": "sh", "ո": "o",
    "չ": "ch", "պ": "p", "ջ": "j", "ռ": "r", "ս": "s", "վ": "v", "տ": "t", "ր": "r",
    "ց": "ts", "ւ": "v", "փ": "p", "ք": "k", "օ": "o", "ֆ": "f", "և": "ev",
}
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}


def _armenian_word_to_latin(word: str) -> str:
    out = []
    i = 0
    while i < len(word):
        char = word[i]
        lower = char.lower()
        nxt = word[i + 1].lower() if i + 1 < len(word) else ""
        at_start = i == 0
        if lower == "ո" and nxt == "ւ":
            piece, i = "u", i + 2
        elif lower == "ե" and at_start:
            piece, i = "ye", i + 1
        elif lower == "ո" and at_start and nxt != "ւ":
            piece, i = "vo", i + 1
        elif lower == "և":
            piece, i = ("yev" if at_start else "ev"), i + 1
        else:
            piece, i = ARMENIAN_TO_LATIN.get(lower, lower), i + 1
        out.append(piece.capitalize() if char != lower and piece else piece)
    return "".join(out)


def _cyrillic_word_to_latin(word: str) -> str:
    out = []
    for char in word:
        lower = char.lower()
        piece = CYRILLIC_TO_LATIN.get(lower, lower)
        out.append(piece.capitalize() if char != lower and piece else piece)
    return "".join(out)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def to_latin(text: str) -> str:
    """A readable Latin rendering of a name in any script (a hint, not a key)."""

    def convert(match: re.Match) -> str:
        word = match.group(0)
        script = detect_script(word)
        if script == ARMENIAN:
            return _armenian_word_to_latin(word)
        if script == CYRILLIC:
            return _cyrillic_word_to_latin(word)
        if script in (LATIN, MIXED):
            return _strip_accents(_cyrillic_word_to_latin(_armenian_word_to_latin(word)))
        return word

    return WORD.sub(convert, unicodedata.normalize("NFC", text))


# Russian patronymics add -ович/-евич (sons) or -овна/-евна (daughters) to the father's
# name; Armenian puts it in the genitive, -ի (Latin -i).
PATRONYMIC_ENDINGS = ("овна", "евна", "ична", "ович", "евич", "ovna", "evna", "ichna",
                      "ovich", "evich", "ovic", "evic", "ի")


def patronymic_stem(patronymic: str) -> str:
    """The father's name in a patronymic: Самвелович, Սամվելի and Samvel all give Samvel."""
    text = patronymic.strip()
    lowered = text.lower()
    for ending in PATRONYMIC_ENDINGS:
        if lowered.endswith(ending) and len(text) > len(ending) + 1:
            return text[: -len(ending)]
    if lowered.endswith("i") and detect_script(text) == LATIN and len(text) > 3:
        return text[:-1]
    return text


# Folding: the spellings desks use interchangeably are made equal. The search key
# (`search_key`, coarse, for finding candidates) and the folded spelling (`fold`, with its
# vowels, for comparing) take the same steps with the same tables; where the fold differs,
# it says so below. Matching's `variant_key` is the search key with the fold's
# VARIANT_SPELLINGS too.
ENDINGS = re.compile(r"(?:ian|jan|yan|ean|ants|yants|iants|yanc)$")
DIGRAPHS = [
    ("dzh", "j"), ("shch", "s"), ("sh", "s"), ("ch", "c"), ("zh", "z"), ("kh", "k"), ("gh", "g"),
    ("ts", "c"), ("tz", "c"), ("dz", "z"), ("ph", "p"), ("th", "t"), ("ck", "k"),
]
# Russian forms write the Armenian h inside a name as g: Оганес for Hovhannes.
RUSSIFIED_STEMS = [("oganes", "ovanes"), ("oganis", "ovanis"), ("ogan", "ovan")]
SOUND_CLASSES = str.maketrans(
    {"q": "k", "x": "k", "w": "v", "j": "y", "g": "k", "h": "", "y": "",
     "p": "b", "t": "d"}
)
# The fold keeps a surname's ending as one -ian (Азгелдын's -yn too, in words of five
# letters or more), reads ղ (gh) as k at once, and keeps j, y and i as one vowel, i.
FOLD_ENDINGS = re.compile(r"(?:ian|jan|yan|ean|ants|yants|iants|yanc|yn)$")
FOLD_DIGRAPHS = [(digraph, "k" if digraph == "gh" else single) for digraph, single in DIGRAPHS]
FOLD_CLASSES = {**SOUND_CLASSES, ord("j"): "i", ord("y"): "i"}
DOUBLED = re.compile(r"(.)\1+")
# Spellings that Russian and older Latin forms vary, for matching only (`fold`,
# `variant_key`): the stored search key keeps without them, so the keys already stored for
# the registry and for tracing requests stay right. Each is a rule of how a sound is
# written, never a list of names:
# - ձ (dz) as ц/ts, as ծ and ց are written (Амбарцумян, Hambardzumyan): the voiced and
#   voiceless affricate are one, as b/p, d/t and g/k already are; z and s stay apart;
# - the v of ov before a consonant dropped (Товмасян, Tomasyan for Թովմասյան; Осипян for
#   Հովսեփյան), not before a vowel or an h (Hovhannes keeps it), nor at the end (Khosrov);
# - u before a or e after a consonant written as v or w (Eduard, Edvard, Edward; Samuel,
#   Samvel); not after a vowel or h (Huik, a typo of Husik), nor before i or o
#   (Luiza), where the u is a vowel of its own.
VARIANT_SPELLINGS = [
    (re.compile(r"dz(?!h)"), "ts"),
    (re.compile(r"(?<=o)v(?=h*[bcdfgjklmnpqrstvwxz])"), ""),
    (re.compile(r"(?<=[bcdfgjklmnpqrstvwxz])u(?=[ae])"), "v"),
]


@lru_cache(maxsize=65536)
def search_key(text: str) -> str:
    """A key equal for the spellings of one name that desks produce.

    Transliterate to Latin, fold surname endings and digraphs, drop h (often
    dropped in Russian forms) and vowels after the first letter, and merge
    g/k/gh (ղ is written all three ways). Coarse on purpose: it finds
    candidates; matching decides whether they are the same person.
    """
    return _key(text, variants=False)


@lru_cache(maxsize=200_000)
def variant_key(text: str) -> str:
    """`search_key` with the VARIANT_SPELLINGS made equal, as `fold` makes them: the key
    matching blocks on (Tomasyan and Tovmasyan, Eduard and Edward share it)."""
    return _key(text, variants=True)


def _key(text: str, *, variants: bool) -> str:
    words = WORD.findall(to_latin(text).lower())
    return " ".join(filter(None, (_word_key(word, variants) for word in words)))


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """The variant-free Latin spelling of a name, vowels kept, for comparing: Оганесян,
    Hovhannisyan → ovanesian, ovanisian. A word in a script without rules (Georgian,
    Arabic) is compared as it is."""
    if not text:
        return ""
    latin = to_latin(text).lower()
    return " ".join(filter(None, (_fold_word(w) for w in WORD.findall(latin))))


def _armenian_stem(word: str) -> str:
    for russified, armenian in RUSSIFIED_STEMS:
        if word.startswith(russified):
            return armenian + word[len(russified):]
    return word


def _single_letters(word: str, digraphs: list[tuple[str, str]]) -> str:
    for digraph, single in digraphs:
        word = word.replace(digraph, single)
    return word


def _variant_spelling(word: str) -> str:
    for pattern, written in VARIANT_SPELLINGS:
        word = pattern.sub(written, word)
    return word


def _word_key(word: str, variants: bool = False) -> str:
    word = _armenian_stem(_strip_accents(word))
    if variants:
        word = _variant_spelling(word)
    had_ending = bool(ENDINGS.search(word))
    word = ENDINGS.sub("", word)
    word = _single_letters(word, DIGRAPHS).translate(SOUND_CLASSES)
    if not word:
        return ""
    head, rest = word[0], word[1:]
    if head in "aeiou":
        head = "a"
    skeleton = head + "".join(ch for ch in rest if ch not in "aeiou")
    skeleton = DOUBLED.sub(r"\1", skeleton)
    return skeleton + ("~" if had_ending else "")


def _fold_word(word: str) -> str:
    word = _strip_accents(word)
    if not word.isascii():
        return word
    word = _variant_spelling(_armenian_stem(word))
    word = FOLD_ENDINGS.sub("ian", word) if len(word) > 4 else word
    word = _single_letters(word, FOLD_DIGRAPHS).translate(FOLD_CLASSES)
    return DOUBLED.sub(r"\1", word)
