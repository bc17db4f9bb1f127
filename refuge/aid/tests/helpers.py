"""Small helpers the aid tests share: a programme, its cycle generated and approved."""

import uuid
from datetime import date

from refuge.aid import eligibility, services
from refuge.aid.models import Cycle


def make_programme(user, **fields):
    payload = {"uuid": str(uuid.uuid4()), "name": "One-off support", "kind": "cash",
               "unit": "AMD", "per_person": 100_000, "starts_on": date(2023, 10, 1), **fields}
    return services.create_programme(payload, user=user)[0]


def approved_cycle(user, **fields) -> Cycle:
    cycle = make_programme(user, **fields).rounds.get(number=1)
    eligibility.generate(cycle)
    return services.approve(cycle, user=user)


def hand_over_body(entitlements, received_by, **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "entitlements": [str(e.uuid) for e in entitlements],
            "received_by": str(received_by.uuid), **fields}
