"""The audit log says in words what each event's details mean, in the reader's language."""

import uuid

import pytest
from django.test import Client
from django.utils import translation

from refuge.audit import services as audit
from refuge.audit import wording
from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member
from refuge.shelter.models import Site

pytestmark = pytest.mark.django_db


def described(**detail) -> str:
    event = AuditEvent(action=AuditEvent.VIEW, object_type=detail.pop("object_type", "person"),
                       detail=detail)
    wording.describe([event])
    return event.detail_text


def test_where_a_record_was_seen_is_said_in_words():
    assert described(via="api") == "through the API"
    assert described(via="household page") == "on the household page"
    assert described(via="somewhere new") == "somewhere new"


def test_field_names_are_the_labels_the_screens_show():
    assert described(fields=["given_name", "patronymic"]) == \
        "changed: given name, father's name"
    assert described(object_type="tally", fields=["people_aboard"]) == \
        "changed: people aboard"
    assert described(object_type="household", conflicts=["status"]) == \
        "kept for review, edited on another device: status"


def test_households_and_sites_are_named_by_number_and_name(reception, registrar):
    household = make_household(reception, registrar, member("Anahit"))
    other = make_household(reception, registrar, member("Karine"))
    hotel = Site.objects.create(name="Goris hotel", province="Syunik", beds=5)
    text = described(object_type="placement", household=str(household.uuid),
                     site=str(hotel.uuid), status="reserved")
    assert text == f"household {household.registration_number}; site Goris hotel; now reserved"
    moved = described(from_household=str(household.uuid), to_household=str(other.uuid))
    assert moved == f"from {household.registration_number}; to {other.registration_number}"
    assert described(object_type="household", linked=[str(other.uuid)]) == \
        f"with {other.registration_number}"


def test_counts_and_unknown_details_read_plainly():
    assert described(results=1) == "1 found"
    assert described(members=3, post="GOR") == "3 members; at GOR"
    # In one order however they are stored (PostgreSQL's jsonb keeps no order).
    assert described(post="GOR", members=3) == "3 members; at GOR"
    gone = str(uuid.uuid4())
    assert described(merged=gone) == f"the record {gone[:8]}… merged into this one"
    assert described(new_thing=True, pairs=[1, 2]) == "New thing: yes; Pairs: 1, 2"


def test_the_audit_page_shows_words_not_raw_details(reception, personas):
    household = make_household(reception, personas["registrar"], member("Anahit"))
    audit.record(personas["registrar"], AuditEvent.VIEW, "person", uuid.uuid4(), via="api")
    client = Client()
    client.force_login(personas["administrator"])
    page = client.get("/audit/").content.decode()
    assert "through the API" in page
    assert "{&#x27;via&#x27;" not in page and "{'via'" not in page
    assert f">{household.registration_number}</a>" in page  # the created household
    assert "1 member; at GOR" in page

    client.post("/i18n/setlang/", {"language": "ru"})
    page = client.get("/audit/").content.decode()
    with translation.override("ru"):
        assert str(wording.VIA["api"]) in page
        assert str(wording.VIA["api"]) != "through the API"
