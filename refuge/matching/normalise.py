"""Comparable forms of names, places and birth dates, whatever the script they were typed in.

Three forms of a name serve three purposes:
- `names.to_latin` gives the passport-style Latin a reviewer reads;
- `fold` gives a Latin spelling with the variants desks produce made equal (a dropped h,
  ղ as gh/g/k, -yan/-ian/-jan, Russified stems, b/p and d/t), still with its vowels,
  so string similarity can tell a typo from another name;
- `names.search_key` gives the coarse consonant skeleton used for blocking.
A name in a script no rule knows (Georgian, Arabic) keeps its own letters: it is still
compared on what is there, and never raises.
"""

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from refuge.lib import names

# The folded spelling: one source with the search key, in refuge.lib.names.
fold = names.fold


# Russian writes the Armenian h as г: Ваган, Шаген, Заруги for Vahan, Shahen, Zaruhi. It
# writes գ (g) as г too (Григорян), so both readings are kept. Only inside a word: an
# initial г is read as g, or Гагик would be Айк (and Галина Алина).
RUSSIAN_H = re.compile(r"(?<=\w)[гГ]")
# Matching reads it so in Latin too, since older Latin forms were made from the Russian
# ones (Vage, Vagan, Shagen, Oganes), but only after a vowel or a first consonant (Mger):
# after another Latin consonant it is g (Inga is not Inna, nor Olga Ola). The gh of ղ is
# not a g.
WRITTEN_H = re.compile(r"(?<=\w)[гГ]|(?:(?<=[aeiouy])|(?<=\b[^\W\d_aeiouy]))g(?!h)",
                       re.IGNORECASE)


@lru_cache(maxsize=200_000)
def fold_h(text: str) -> str:
    """`fold` with a г (or the Latin g made from it) inside a word read as the Armenian h,
    and so dropped: Ваган and Vagan → van, like Vahan; a name without one folds as `fold`
    does."""
    return fold(WRITTEN_H.sub("h", text)) if text else ""


@lru_cache(maxsize=200_000)
def key_h(text: str) -> str:
    """The search key of a Cyrillic г read as h: a second key the desk and tracing look
    stored keys up by (Ваган finds Vahan)."""
    return key(RUSSIAN_H.sub("h", text)) if text else ""


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """The consonant skeleton from `names.search_key`, as the registry stores it."""
    return names.search_key(text) if text else ""


@lru_cache(maxsize=200_000)
def variant_key(text: str) -> str:
    """The blocking key of matching: `names.variant_key`, the search key with the
    fold's variant spellings (Tomasyan and Tovmasyan share it)."""
    return names.variant_key(text) if text else ""


@lru_cache(maxsize=200_000)
def variant_key_h(text: str) -> str:
    """`variant_key` of the h reading of `fold_h`: Vage and Ваге meet Vahe."""
    return names.variant_key(WRITTEN_H.sub("h", text)) if text else ""


@lru_cache(maxsize=200_000)
def father(patronymic: str) -> str:
    """The father's given name in a patronymic, folded: Самвелович, Սամվելի, Samveli → samvel."""
    return fold(names.patronymic_stem(patronymic)) if patronymic else ""


def father_h(patronymic: str) -> str:
    """`father` with the Russian г read as h (Вагановна → van)."""
    return fold_h(names.patronymic_stem(patronymic)) if patronymic else ""


@lru_cache(maxsize=50_000)
def place(text: str) -> str:
    """A place of origin or an address: folded words, in their order."""
    return " ".join(fold(w) for w in names.WORD.findall(text)) if text else ""


class BirthParts(NamedTuple):
    """What is known of a birth date; 0 for an unknown part. A tuple, hashed in C: a
    million of them are coded on every `refuge dedupe`."""

    year: int = 0
    month: int = 0
    day: int = 0


def birth_from_text(text: str) -> BirthParts:
    """YYYY, YYYY-MM, YYYY-MM-DD or empty; anything else counts as unknown."""
    parts = (text or "").strip().split("-")
    try:
        numbers = [int(p) for p in parts if p]
    except ValueError:
        return BirthParts()
    if not numbers or not 1850 <= numbers[0] <= 2200:
        return BirthParts()
    year, month, day = (numbers + [0, 0])[:3]
    return BirthParts(year, month if 1 <= month <= 12 else 0, day if 1 <= day <= 31 else 0)


@lru_cache(maxsize=100_000)  # a registry has some tens of thousands of birth dates
def birth_from_stored(text: str | None, precision: str) -> BirthParts:
    """`birth_from_date` of a date as the database writes it, YYYY-MM-DD."""
    if not text or precision in ("unknown", ""):
        return BirthParts()
    return birth_from_date(date(int(text[:4]), int(text[5:7]), int(text[8:10])), precision)


@lru_cache(maxsize=100_000)
def birth_from_date(value: date | None, precision: str) -> BirthParts:
    """A stored birth date read back to what was known: estimated ages keep only a year."""
    if value is None or precision in ("unknown", ""):
        return BirthParts()
    if precision == "day":
        return BirthParts(value.year, value.month, value.day)
    if precision == "month":
        return BirthParts(value.year, value.month)
    return BirthParts(value.year)
