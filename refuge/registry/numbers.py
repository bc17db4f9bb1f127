"""Registration numbers: the number on a household's card, with its check digit, and
the reading of a number however a registrar typed it."""

import re
from dataclasses import dataclass

from refuge.lib import names


def luhn_digit(number: int) -> int:
    total = 0
    for position, digit in enumerate(reversed(str(number))):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def registration_number(post_code: str, household_id: int) -> str:
    """The number on the card: centre code, the household's id and a check digit.

    The check digit turns a mistyped number into "not found" rather than
    somebody else's household.
    """
    return f"{post_code}-{household_id:06d}{luhn_digit(household_id)}"


# A Russian keyboard layout left on: the keys of G, O, R type П, Щ, К.
RUSSIAN_KEYS = str.maketrans("ЙЦУКЕНГШЩЗФЫВАПРОЛДЯЧСМИТЬ", "QWERTYUIOPASDFGHJKLZXCVBNM")
# Spaces, and every dash and dot people type between the centre code and the digits.
NUMBER_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_./]+")


@dataclass(frozen=True)
class TypedNumber:
    """A registration number as a registrar typed it, read.

    `codes` holds the centre code as typed in Latin capitals, and the same keys read from
    another script (ГОР, ԳՕՐ, or ПЩК from a Russian layout), so that the household's own
    code decides. `check_ok` says whether the check digit fits."""

    codes: tuple[str, ...]
    household_id: int
    digits: str
    check_ok: bool

    def __str__(self) -> str:
        return f"{self.codes[0]}-{self.digits}"


def parse_registration_number(text: str) -> TypedNumber | None:
    """Read a registration number however it was typed: `gor-0000123`, `GOR0000123`,
    `GOR 000 0123`, `ГОР-0000123`. None when the text is not shaped like one (a name, a
    phone or a document number is then looked for instead)."""
    tokens = [t for t in NUMBER_SEPARATORS.split((text or "").strip().upper()) if t]
    digit_tokens = 0
    while digit_tokens < len(tokens) - 1 and tokens[-1 - digit_tokens].isdigit():
        digit_tokens += 1
    if digit_tokens:
        typed_code = "".join(tokens[:-digit_tokens])
        digits = "".join(tokens[-digit_tokens:])
    else:  # GOR0000123: the code is the letters before the digits
        typed_code, digits = re.match(r"^(\D*)(.*)$", "".join(tokens)).groups()
    codes = _code_readings(typed_code)
    if not codes or not digits.isdigit() or len(digits) < 2:
        return None
    shaped = [c for c in codes if len(c) <= 8 and c[0].isalpha()]
    if not shaped:
        return None
    household_id, check = int(digits[:-1]), int(digits[-1])
    return TypedNumber(tuple(shaped), household_id, digits,
                       check_ok=luhn_digit(household_id) == check)


def _code_readings(typed: str) -> list[str]:
    """The centre code in Latin capitals: as typed, transliterated, and from the keys."""
    if not typed:
        return []
    if all("A" <= ch <= "Z" or ch.isdigit() for ch in typed):
        return [typed]
    readings = [names.to_latin(typed).upper(), typed.translate(RUSSIAN_KEYS)]
    return list(dict.fromkeys(r for r in readings if r.isascii() and r.isalnum()))
