"""Small helpers the aid tests share: a programme, its cycle generated and approved."""

import re
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


def open_point(page, base_url: str, username: str) -> None:
    """Sign in at /aid/ with the keyboard, take the one reception centre, desk 1, and wait
    for the distribution point."""
    page.goto(f"{base_url}/aid/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/post/"))
    page.wait_for_function("document.activeElement && document.activeElement.name === 'post'")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/aid/")
