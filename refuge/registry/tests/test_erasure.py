"""Erasure: a person's personal data gone from every copy, figures and audit trail intact."""

import json
import uuid
from base64 import b64encode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.collect.tests.test_openrosa import filled, submit
from refuge.conftest import bearer, make_household, member, queued_pair
from refuge.lib.errors import Invalid
from refuge.matching import services as matching
from refuge.matching.models import CandidatePair, Merge
from refuge.registry import corrections, counting, erasure, events
from refuge.registry.models import Erasure, Person

pytestmark = pytest.mark.django_db

GIVEN, FAMILY, PHONE, PASSPORT = "Zarmandukht", "Quagliaryan", "+37491765432", "ZQ7654321"
SECRETS = [GIVEN, FAMILY, PHONE.removeprefix("+374"), PASSPORT, "Vardenisashen"]


def every_text_holding(needles: list[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a needle is found, in every column of every
    table, read as text (JSON columns included, as stored)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(
                cursor, table)]
            for column in columns:
                quoted = f"CAST({connection.ops.quote_name(column)} AS TEXT)"
                for needle in needles:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "
                                   f"WHERE {quoted} LIKE %s", [f"%{needle}%"])
                    if cursor.fetchone()[0]:
                        found.append((table, column, needle))
    return found


@pytest.fixture
def everywhere(reception, personas):
    """The person registered at a desk, again through ODK Collect, corrected, held in an
    edit conflict, paired with and merged into the ODK record, and exported."""
    registrar, admin = personas["registrar"], personas["administrator"]
    first = make_household(reception, registrar, member(
        GIVEN, FAMILY, sex="F", birth_date="1961-04-02", phone=PHONE, origin="Vardenisashen",
        documents=[{"kind": "passport", "number": PASSPORT}])).members.get()
    corrections.update_person(first, {"destination": "Vardenisashen relatives"}, user=registrar)
    corrections.update_person(first, {"needs": ["MED"]}, user=registrar, base_version=1)
    corrections.update_person(first, {"given_name": GIVEN + "a"}, user=registrar, base_version=2)
    corrections.update_person(first, {"given_name": GIVEN + "e"}, user=registrar, base_version=2)
    assert first.conflicts.exists()
    token = b64encode(b"registrar:registrar-pass-1").decode()
    phone = Client(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_OPENROSA_VERSION="1.0")
    xml = filled([{"given_name": GIVEN, "family_name": FAMILY, "sex": "F",
                   "birth_date": "1961", "relationship": "focal_point",
                   "document_kind": "passport", "document_number": PASSPORT + "0"}],
                 uuid.uuid4(), phone=PHONE)
    assert submit(phone, xml).status_code == 201
    again = Person.objects.exclude(pk=first.pk).get(family_name=FAMILY)
    pair = queued_pair(first, again, probability=0.97, levels={"given": 3})
    merge = matching.merge_pair(pair, user=admin)
    other = make_household(reception, registrar, member("Karine", "Petrosyan")).members.get()
    queued_pair(other, merge.kept, probability=0.4, levels={"given": 0})
    client = Client()
    client.force_login(admin)
    client.post("/exports/people.csv", {"purpose": "reconcile with the ministry list"})
    return {"kept": merge.kept, "merged": merge.merged, "merge": merge, "other": other}


def test_no_copy_of_an_erased_name_remains_anywhere_in_the_database(everywhere, personas):
    assert every_text_holding(SECRETS)  # the search finds them before
    erasure.erase_person(everywhere["kept"], reason="person_asked",
                         user=personas["administrator"])
    assert every_text_holding(SECRETS) == []


def test_the_figures_stay_as_they_were_and_recount_the_same(everywhere, personas):
    before = sorted(counting.RegistrationFigure.objects.values_list(
        "hour", "post", "sex", "age_band", "need", "people"))
    erasure.erase_person(everywhere["kept"], reason="person_asked",
                         user=personas["administrator"])
    after = sorted(counting.RegistrationFigure.objects.values_list(
        "hour", "post", "sex", "age_band", "need", "people"))
    assert after == before
    counting.recount()
    recounted = sorted(counting.RegistrationFigure.objects.filter(people__gt=0).values_list(
        "hour", "post", "sex", "age_band", "need", "people"))
    assert recounted == [row for row in before if row[-1] > 0]


def test_a_pseudonymous_stub_keeps_the_audit_trail(everywhere, personas):
    kept = everywhere["kept"]
    made, created = erasure.erase_person(kept, reason="protection_risk",
                                         note="ticket 1187", user=personas["administrator"])
    stub = Person.objects.get(pk=kept.pk)
    assert created and stub.uuid == kept.uuid and stub.household_id == kept.household_id
    assert (stub.given_name, stub.family_name, stub.phone) == ("", "", "")
    assert stub.documents.count() == 0
    assert made.pseudonym.startswith("ERASED-")
    assert AuditEvent.objects.filter(object_uuid=kept.uuid, action=AuditEvent.UPDATE).count() >= 3
    assert AuditEvent.objects.get(action=AuditEvent.ERASE, object_uuid=kept.uuid).detail == {
        "reason": "protection_risk"}
    assert made.exports_since == 1
    assert made.copies["matching.erase_match_copies"] > 0
    assert made.copies["registry.history"] > 0


def test_the_record_merged_into_the_erased_one_is_erased_too(everywhere, personas):
    erasure.erase_person(everywhere["kept"], reason="person_asked",
                         user=personas["administrator"])
    assert Erasure.objects.filter(person=everywhere["merged"]).exists()
    assert not CandidatePair.objects.filter(person_a=everywhere["other"]).exists()
    with pytest.raises(Invalid):
        matching.unmerge(Merge.objects.get(pk=everywhere["merge"].pk),
                         user=personas["administrator"])


def test_erasing_twice_returns_the_first_erasure(everywhere, personas):
    first, _created = erasure.erase_person(everywhere["kept"], reason="person_asked",
                                           user=personas["administrator"])
    again, created = erasure.erase_person(everywhere["kept"], reason="in_error",
                                          user=personas["administrator"])
    assert (again.pk, created) == (first.pk, False)


def test_an_erased_person_cannot_be_edited_back(everywhere, personas):
    erasure.erase_person(everywhere["kept"], reason="person_asked",
                         user=personas["administrator"])
    with pytest.raises(Invalid) as refused:
        corrections.update_person(everywhere["kept"], {"given_name": GIVEN},
                               user=personas["registrar"])
    assert refused.value.errors[0].field == "person"


def test_a_reason_is_required_and_the_note_may_not_name_the_person(everywhere, personas):
    with pytest.raises(Invalid) as refused:
        erasure.erase_person(everywhere["kept"], reason="", user=personas["administrator"])
    assert refused.value.errors[0].field == "reason"
    with pytest.raises(Invalid) as refused:
        erasure.erase_person(everywhere["kept"], reason="person_asked",
                             note=f"asked by {FAMILY}", user=personas["administrator"])
    assert refused.value.errors[0].field == "note"
    assert not Erasure.objects.exists()


def test_later_apps_erase_their_copies_through_the_hook(everywhere, personas):
    seen = []

    def tracing_copies(sender, *, person, erasure, user, **kwargs):
        seen.append(person.family_name)  # the names can still be read to find copies
        return 3

    events.erasing_person.connect(tracing_copies)
    try:
        made, _created = erasure.erase_person(everywhere["kept"], reason="person_asked",
                                              user=personas["administrator"])
    finally:
        events.erasing_person.disconnect(tracing_copies)
    assert seen[0] == FAMILY
    assert made.copies["registry.tracing_copies"] == 3


def test_a_failing_hook_erases_nothing(everywhere, personas):
    def broken(sender, **kwargs):
        raise RuntimeError("payment list unreachable")

    events.erasing_person.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            erasure.erase_person(everywhere["kept"], reason="person_asked",
                                 user=personas["administrator"])
    finally:
        events.erasing_person.disconnect(broken)
    assert Person.objects.get(pk=everywhere["kept"].pk).family_name == FAMILY
    assert not Erasure.objects.exists()


def test_only_an_administrator_erases_through_the_api(everywhere, personas):
    url = f"/api/people/{everywhere['kept'].uuid}/erase"
    body = json.dumps({"reason": "person_asked"})
    refused = Client().post(url, body, content_type="application/json",
                            **bearer(personas["registrar"]))
    assert refused.status_code == 403
    done = Client().post(url, body, content_type="application/json",
                         **bearer(personas["administrator"]))
    assert done.status_code == 201
    assert done.json()["person"] == str(everywhere["kept"].uuid)
    again = Client().post(url, body, content_type="application/json",
                          **bearer(personas["administrator"]))
    assert again.status_code == 200


def test_the_person_page_erases_after_a_confirmation(everywhere, personas):
    client = Client()
    client.force_login(personas["administrator"])
    kept = everywhere["kept"]
    page = client.get(f"/people/{kept.uuid}/")
    assert b'data-testid="erase-form"' in page.content
    client.post(f"/people/{kept.uuid}/erase/", {"reason": "person_asked"})
    assert not Erasure.objects.filter(person=kept).exists()
    client.post(f"/people/{kept.uuid}/erase/", {"reason": "person_asked", "confirm": "1"})
    assert Erasure.objects.filter(person=kept).exists()
    page = client.get(f"/people/{kept.uuid}/")
    assert b'data-testid="erased"' in page.content
    assert FAMILY.encode() not in page.content


def test_the_command_erases_and_says_what_went(everywhere, personas, capsys):
    with pytest.raises(CommandError, match="--by"):
        call_command("erase", str(everywhere["kept"].uuid), reason="person_asked",
                     by="registrar")
    call_command("erase", str(everywhere["kept"].uuid), reason="person_asked",
                 by="administrator")
    out = capsys.readouterr().out
    assert "Erased" in out and "ERASED-" in out
    assert Person.objects.get(pk=everywhere["kept"].pk).family_name == ""
