"""One source for reading birth dates: the desk is sent the registry's own rules
(/rules.js, from refuge.lib.dates.RULES), and the registry's parser reads every date by
those same published rules, so the desk and the server cannot drift apart."""

import json
import re
from datetime import date

import pytest
from django.test import Client

from refuge.lib import dates
from refuge.registry.tests.test_reading_browser import BIRTH_DATES, DAYS, python_reads

pytestmark = pytest.mark.django_db


def published() -> dict:
    """RefugeRules, as the desk's browser receives it."""
    script = Client().get("/rules.js").content.decode()
    assert script.startswith("var RefugeRules = ") and script.endswith(";\n")
    return json.loads(script.removeprefix("var RefugeRules = ").removesuffix(";\n"))


def read_by_published_rules(text: str, rules: dict) -> dict:
    """What the published rules say of a text: unknown, an age, the parts of a date, or
    not a date (no pattern fits)."""
    raw = text.strip()
    if raw.lower() in rules["unknown"]:
        return {"unknown": True}
    for pattern in rules["patterns"]:
        if match := re.match(pattern["regex"], raw, re.IGNORECASE):
            return {name: int(g) if g else None
                    for name, g in zip(pattern["parts"], match.groups(), strict=True)}
    return {}


def test_the_desk_is_sent_the_registrys_own_date_rules():
    assert published()["dates"] == json.loads(json.dumps(dates.RULES))


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_registry_reads_every_date_by_the_published_rules(today):
    rules = published()["dates"]
    for text in BIRTH_DATES:
        parts, server = read_by_published_rules(text, rules), python_reads(text, today)
        if not parts:
            assert server == {"error": "not_a_date"}, text
        elif "unknown" in parts:
            assert server == {"value": None, "precision": "unknown"}, text
        elif "age" in parts:
            assert server.get("precision") == "estimated" or (
                server == {"error": "too_old"} and parts["age"] > rules["max_age"]), text
        elif "value" in server:
            value = date.fromisoformat(server["value"])
            assert (value.year, value.month if parts.get("month") else None,
                    value.day if parts.get("day") else None) == (
                parts["year"], parts.get("month"), parts.get("day")), text
        else:  # a date the rules read, refused for what it is
            assert server["error"] in {"not_real", "future", "too_old"}, text

