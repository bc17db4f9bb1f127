"""The rules the desk reads what is typed by, shipped to its JavaScript as data, so a
name, a date or a sex letter reads the same on the screen as in the registry: one source,
read by Python (refuge.lib.names, refuge.lib.dates, validation) and by reading.js."""

import json
from functools import lru_cache

from django.utils.dates import MONTHS, MONTHS_ALT

from refuge.lib import dates, names
from refuge.registry.validation import SEX_LETTERS


@lru_cache
def shared_rules() -> dict:
    """Rules that read the same in every language (served as /rules.js)."""
    return {
        "dates": dates.RULES,
        "sex_letters": SEX_LETTERS,
        "names": {
            "armenian": names.ARMENIAN_TO_LATIN,
            "cyrillic": names.CYRILLIC_TO_LATIN,
            "endings": names.ENDINGS.pattern,
            "digraphs": names.DIGRAPHS,
            "russified_stems": names.RUSSIFIED_STEMS,
            "sounds": {chr(code): value for code, value in names.SOUND_CLASSES.items()},
        },
    }


def shared_rules_script() -> str:
    return "var RefugeRules = " + json.dumps(shared_rules(), ensure_ascii=False) + ";\n"


def desk_rules() -> dict:
    """What the desk needs in the page's language: how it reads a date back."""
    return {
        "months": [str(MONTHS[m]) for m in range(1, 13)],
        "months_in_dates": [str(MONTHS_ALT[m]) for m in range(1, 13)],
        "readings": {precision: str(text) for precision, text in dates.READINGS.items()},
        "unknown": str(dates.describe(None, dates.UNKNOWN)),
    }
