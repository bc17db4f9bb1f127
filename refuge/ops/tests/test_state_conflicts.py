"""A request that is valid but conflicts with the record's current state is a 409 naming
the field, as STYLE.md says, and the operation documents it: accepting a proposal already
rejected, checking in a household that left, confirming a trace already closed, handing
over what is not due yet. Before, these were 422s, the status of a wrong value, so a
client could not tell "fix what you sent" from "the record moved on"."""

import json
from uuid import uuid4

import pytest
from django.test import Client

from refuge.accounts import roles
from refuge.aid import eligibility
from refuge.aid.models import Distribution
from refuge.aid.tests.helpers import hand_over_body, make_programme
from refuge.conftest import make_household, member, queued_pair
from refuge.matching import services as matching
from refuge.matching.models import CandidatePair, HouseholdMatch
from refuge.registry.models import Household
from refuge.shelter import services as shelter
from refuge.shelter.models import Placement, Proposal, Site
from refuge.tracing import services as tracing
from refuge.tracing.models import Candidate, SoughtPerson
from refuge.tracing.tests.helpers import enquiry, sought

pytestmark = pytest.mark.django_db


def send(client: Client, method: str, url: str, body: dict | None = None):
    return getattr(client, method)(url, json.dumps(body or {}),
                                   content_type="application/json")


@pytest.fixture
def records(personas, reception) -> dict:
    """One record in each state that forbids the next act."""
    admin = personas[roles.ADMINISTRATOR]
    officer = personas[roles.TRACING_OFFICER]

    def household(given: str, year: str):
        return make_household(reception, admin, member(given, "Grigoryan", sex="F",
                                                       birth_date=year))

    site = Site.objects.create(name="School 4", province="Syunik", beds=40)
    closed = Site.objects.create(name="School 5", province="Syunik", beds=40, is_open=False)
    left = shelter.check_out(shelter.reserve(household("Lilit", "1995"), site, user=admin),
                             user=admin)
    staying = shelter.place(make_household(reception, admin, *(
        member(given, "Sargsyan", sex="F", birth_date="1990") for given in ("Ani", "Gayane",
                                                                           "Nare"))),
        site, user=admin)
    waiting = household("Siranush", "1950")

    def proposal(status: str) -> Proposal:
        return Proposal.objects.create(household=household("Mariam", "1980"), site=site,
                                       proposed_site=site, adults=1, children=0,
                                       status=status)

    gone = household("Anush", "1960")
    gone.status = Household.CLOSED
    gone.save(update_fields=["status"])
    samvel = household("Samvel", "1970").members.get()
    anahit = make_household(reception, admin, member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14")).members.get()
    case = enquiry(officer, sought("Анаит", "Оганесян", sex="F", birth_date="1972-03-14"),
                   enquirer=str(samvel.uuid)).sought.get()
    candidate = case.candidates.get(person=anahit)
    tracing.confirm(candidate, user=officer)
    unconfirmed = enquiry(officer, sought("Armen", "Petrosyan", age=36)).sought.get()
    rejected = Candidate.objects.update_or_create(
        sought=unconfirmed, person=samvel,
        defaults={"probability": 0.5, "status": Candidate.REJECTED})[0]
    closed_case = enquiry(officer, sought("Ani", "Grigoryan", age=40)).sought.get()
    tracing.record_fate(closed_case, SoughtPerson.DECEASED, user=officer)
    open_on_closed = Candidate.objects.update_or_create(
        sought=closed_case, person=samvel,
        defaults={"probability": 0.5, "status": Candidate.OPEN})[0]
    cycle = make_programme(admin).rounds.get(number=1)
    eligibility.generate(cycle)  # not approved
    due = cycle.entitlements.filter(household=waiting)
    person = waiting.members.get()
    erased = household("Hasmik", "1985").members.get()
    from refuge.registry import erasure

    erasure.erase_person(erased, reason="in_error", user=admin)
    twice = household("Nune", "1991").members.get()
    apart = matching.reject_pair(queued_pair(twice, household("Nune", "1991").members.get(),
                                             probability=0.9, levels={"given": 4}), user=admin)
    kept_apart = HouseholdMatch.objects.create(
        household_a=household("Lusine", "1988"), household_b=household("Lusine", "1988"),
        people=1, status=HouseholdMatch.REJECTED)
    return locals()


def conflicts(r: dict) -> list[tuple[str, str, str, dict | None, str]]:
    """(method, the schema's path, URL, body, the field named)."""
    left = r["left"].uuid
    return [
        ("post", "/api/shelter/placements", "/api/shelter/placements",
         {"household": str(r["waiting"].uuid), "site": str(r["closed"].uuid)}, "site"),
        ("post", "/api/shelter/placements/{uuid}/check-in",
         f"/api/shelter/placements/{left}/check-in", None, "status"),
        ("post", "/api/shelter/placements/{uuid}/check-out",
         f"/api/shelter/placements/{left}/check-out", None, "status"),
        ("post", "/api/shelter/placements/{uuid}/move", f"/api/shelter/placements/{left}/move",
         {"site": str(r["site"].uuid)}, "status"),
        ("patch", "/api/shelter/sites/{uuid}", f"/api/shelter/sites/{r['site'].uuid}",
         {"beds": 2}, "beds"),
        ("post", "/api/shelter/proposals/{uuid}/accept",
         f"/api/shelter/proposals/{r['proposal'](Proposal.REJECTED).uuid}/accept", {},
         "status"),
        ("post", "/api/shelter/proposals/{uuid}/reject",
         f"/api/shelter/proposals/{r['proposal'](Proposal.ACCEPTED).uuid}/reject", None,
         "status"),
        ("post", "/api/households", "/api/households",
         {"uuid": str(uuid4()), "post": "GOR", "household": str(r["gone"].uuid),
          "members": [member("Tatev", "Grigoryan", sex="F", birth_date="2001")]},
         "household"),
        ("patch", "/api/people/{uuid}", f"/api/people/{r['erased'].uuid}",
         {"phone": "+37491000000"}, "person"),
        ("post", "/api/tracing/candidates/{uuid}/reject",
         f"/api/tracing/candidates/{r['candidate'].uuid}/reject", None, "status"),
        ("post", "/api/tracing/candidates/{uuid}/confirm",
         f"/api/tracing/candidates/{r['rejected'].uuid}/confirm", None, "status"),
        ("post", "/api/tracing/candidates/{uuid}/confirm",
         f"/api/tracing/candidates/{r['open_on_closed'].uuid}/confirm", None, "status"),
        ("post", "/api/tracing/sought/{uuid}/consent",
         f"/api/tracing/sought/{r['unconfirmed'].uuid}/consent", None, "consent"),
        ("post", "/api/tracing/sought/{uuid}/exception",
         f"/api/tracing/sought/{r['unconfirmed'].uuid}/exception", {"reason": "alone, aged 9"},
         "reason"),
        ("post", "/api/tracing/sought/{uuid}/reunify",
         f"/api/tracing/sought/{r['unconfirmed'].uuid}/reunify", {"how": "link"}, "how"),
        ("post", "/api/matching/pairs/{uuid}/merge",
         f"/api/matching/pairs/{r['apart'].uuid}/merge", None, "pair"),
        ("post", "/api/matching/households/{uuid}/link",
         f"/api/matching/households/{r['kept_apart'].uuid}/link", None, "match"),
        ("post", "/api/aid/distributions", "/api/aid/distributions",
         {**hand_over_body(r["due"], r["person"]), "point": "GOR"}, "entitlements[0]"),
    ]


def test_a_valid_request_the_records_state_forbids_is_a_documented_409(admin, records):
    schema = admin.get("/api/openapi.json").json()
    wrong = []
    for method, path, url, body, field in conflicts(records):
        response = send(admin, method, url, body)
        answered = (response.status_code,
                    [e["field"] for e in response.json().get("errors", [])])
        if answered != (409, [field]):
            wrong.append(f"{method} {path} ({field}): {answered}")
        if "409" not in schema["paths"][path][method]["responses"]:
            wrong.append(f"{method} {path}: 409 undocumented")
    assert not wrong
    # Nothing of what was refused was done.
    assert Placement.objects.get(uuid=records["left"].uuid).status == Placement.CANCELLED
    assert Site.objects.get(pk=records["site"].pk).beds == 40
    assert not Distribution.objects.exists()
    assert SoughtPerson.objects.get(pk=records["unconfirmed"].pk).status == SoughtPerson.OPEN
    assert CandidatePair.objects.get(pk=records["apart"].pk).status == CandidatePair.REJECTED


def test_a_wrong_value_is_still_a_422_where_the_state_would_also_refuse(admin, records):
    """A 409 says "the record moved on", so it is only given once what was sent is valid:
    a reason left out, or a way of reunifying that does not exist, stay 422."""
    unconfirmed = records["unconfirmed"].uuid
    for url, body, field in [(f"/api/tracing/sought/{unconfirmed}/exception", {"reason": ""},
                              "reason"),
                             (f"/api/tracing/sought/{unconfirmed}/reunify", {"how": "merge"},
                              "how")]:
        response = send(admin, "post", url, body)
        assert response.status_code == 422, url
        assert [e["field"] for e in response.json()["errors"]] == [field]
