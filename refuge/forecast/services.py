"""Setting the expected population: the one path for the API, the command and the pages."""

import uuid as uuidlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from refuge.forecast.flow import Expected
from refuge.forecast.models import ExpectedPopulation
from refuge.lib.errors import Conflict, Problems
from refuge.registry.services import body_hash, parse_uuid

# Ten times the largest exodus of a single week on record is still a plausible typo.
MOST_EXPECTED = 10_000_000


def clean_count(value, where: str, problems: Problems) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(where, _("must be a whole number of people"))
        return None
    if not 1 <= value <= MOST_EXPECTED:
        problems.add(where, _("must be from 1 to %(most)s") % {"most": f"{MOST_EXPECTED:,}"})
        return None
    return value


def clean_range(low, likely, high, problems: Problems) -> Expected | None:
    """The range as given; a low or high left out is the likely value (the forecast widens
    every range by a fifth either way)."""
    likely = clean_count(likely, "likely", problems)
    if likely is None and not any(e.field == "likely" for e in problems.errors):
        problems.add("likely", _("is required"))
    low_value = clean_count(low, "low", problems)
    high_value = clean_count(high, "high", problems)
    if likely is None:
        return None
    low_value = likely if low_value is None and low in (None, "") else low_value
    high_value = likely if high_value is None and high in (None, "") else high_value
    if low_value is None or high_value is None:
        return None
    if low_value > likely:
        problems.add("low", _("must be at most the likely value (%(likely)s)")
                     % {"likely": f"{likely:,}"})
    if high_value < likely:
        problems.add("high", _("must be at least the likely value (%(likely)s)")
                     % {"likely": f"{likely:,}"})
    return Expected(low_value, likely, high_value)


def set_expected(payload: dict, *, user) -> tuple[ExpectedPopulation, bool]:
    """Set the range of people expected to cross in all, as a new row (the old ones are
    the history). Idempotent on the client's UUID: the same body again returns the row
    already saved, a different body under the same UUID is a Conflict."""
    problems = Problems()
    client_uuid = parse_uuid(payload.get("uuid") or uuidlib.uuid4(), "uuid")
    digest = body_hash({k: payload.get(k) for k in ("low", "likely", "high", "note")})
    earlier = ExpectedPopulation.objects.filter(uuid=client_uuid).first()
    if earlier:
        if earlier.body_hash != digest:
            raise Conflict("uuid", _("this UUID was already used for a different range"))
        return earlier, False
    expected = clean_range(payload.get("low"), payload.get("likely"), payload.get("high"),
                           problems)
    note = payload.get("note") or ""
    if not isinstance(note, str):
        problems.add("note", _("must be text"))
    elif len(note.strip()) > 200:
        problems.add("note", _("is too long (200 characters at most)"))
    problems.raise_if_any()
    try:
        with transaction.atomic():
            row = ExpectedPopulation.objects.create(
                uuid=client_uuid, low=expected.low, likely=expected.likely,
                high=expected.high, note=note.strip(), set_by=user, body_hash=digest)
    except IntegrityError:  # the same UUID arrived twice at once: the first one stands
        return set_expected(payload, user=user)
    return row, True
