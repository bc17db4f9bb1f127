"""Small helpers for tracing's tests: an enquiry as an officer records it."""

import uuid
from datetime import date

from refuge.tracing import services


def sought(given: str, family: str = "", **fields) -> dict:
    return {"given_name": given, "family_name": family, **fields}


def age_of(year: int) -> int:
    return date.today().year - year


def enquiry(user, *people: dict, **fields):
    payload = {"uuid": str(uuid.uuid4()), "sought": list(people), **fields}
    return services.record_enquiry(payload, user=user)[0]
