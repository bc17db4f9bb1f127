"""Legal basis per purpose, and consent per person where it is an extra layer."""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, make_household, member
from refuge.lib.errors import Conflict, Invalid
from refuge.registry import consent
from refuge.registry.models import Consent, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def anahit(reception, registrar):
    return make_household(reception, registrar, member("Anahit"),
                          member("Armen", relationship="spouse")).members.first()


def test_a_purpose_has_the_basis_from_settings_until_one_is_recorded(personas, settings):
    settings.REFUGE_LEGAL_BASIS = {**settings.REFUGE_LEGAL_BASIS, "tracing": "vital_interest"}
    assert consent.legal_basis("tracing") == "vital_interest"
    consent.record_legal_basis("tracing", "consent", user=personas["administrator"],
                               note="ICRC RFL: the sought person decides")
    assert consent.legal_basis("tracing") == "consent"
    consent.record_legal_basis("tracing", "public_interest", user=personas["administrator"])
    assert consent.legal_basis("tracing") == "public_interest"
    row = LegalBasis.objects.get(purpose="tracing")
    assert [h.basis for h in row.history.order_by("history_id")] == ["consent", "public_interest"]
    assert AuditEvent.objects.filter(object_type="legal_basis").count() == 2


def test_registration_and_payments_cannot_rest_on_consent(personas):
    for purpose in ("registration", "payments"):
        with pytest.raises(Invalid) as refused:
            consent.record_legal_basis(purpose, "consent", user=personas["administrator"])
        assert refused.value.errors[0].field == "basis"
    assert not LegalBasis.objects.exists()


def test_an_unknown_purpose_or_basis_is_refused_naming_the_field(personas):
    with pytest.raises(Invalid) as refused:
        consent.record_legal_basis("marketing", "consent", user=personas["administrator"])
    assert refused.value.errors[0].field == "purpose"
    with pytest.raises(Invalid) as refused:
        consent.record_legal_basis("tracing", "whim", user=personas["administrator"])
    assert refused.value.errors[0].field == "basis"


def test_no_answer_counts_as_no(anahit):
    assert consent.consent_given(anahit, "tracing_disclosure") is False
    assert consent.consent_given(anahit, "publication") is False


def test_the_latest_answer_holds_and_the_earlier_ones_stay(anahit, registrar):
    consent.record_consent(anahit, "tracing_disclosure", True, user=registrar)
    assert consent.consent_given(anahit, "tracing_disclosure") is True
    assert consent.consent_given(anahit, "publication") is False
    consent.record_consent(anahit, "tracing_disclosure", False, user=registrar)
    assert consent.consent_given(anahit, "tracing_disclosure") is False
    assert Consent.objects.filter(person=anahit).count() == 2
    events = AuditEvent.objects.filter(action=AuditEvent.CONSENT, object_uuid=anahit.uuid)
    assert [e.detail["given"] for e in events.order_by("id")] == [True, False]


def test_another_members_answer_is_not_theirs(anahit, registrar):
    armen = anahit.household.members.exclude(pk=anahit.pk).get()
    consent.record_consent(armen, "publication", True, user=registrar)
    assert consent.consent_given(anahit, "publication") is False


def test_a_retry_with_the_same_uuid_returns_the_saved_answer(anahit, registrar):
    client_uuid = uuid.uuid4()
    first, created = consent.record_consent(anahit, "publication", True, user=registrar,
                                            uuid=client_uuid)
    again, created_again = consent.record_consent(anahit, "publication", True, user=registrar,
                                                  uuid=client_uuid)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    with pytest.raises(Conflict):
        consent.record_consent(anahit, "publication", False, user=registrar, uuid=client_uuid)


def test_consent_is_only_asked_for_uses_on_top_of_the_basis(anahit, registrar):
    with pytest.raises(Invalid) as refused:
        consent.record_consent(anahit, "registration", True, user=registrar)
    assert refused.value.errors[0].field == "purpose"


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_answer_at_once_save_one(reception, personas):
    person = make_household(reception, personas["registrar"], member("Nare")).members.get()
    client_uuid = uuid.uuid4()
    results, errors = [], []

    def send():
        try:
            results.append(consent.record_consent(person, "publication", True,
                                                  user=personas["registrar"],
                                                  uuid=client_uuid)[0].pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Consent.objects.filter(uuid=client_uuid).count() == 1


def test_the_api_records_and_shows_consent(anahit, personas):
    client = Client()
    body = {"uuid": str(uuid.uuid4()), "purpose": "tracing_disclosure", "given": True}
    url = f"/api/people/{anahit.uuid}/consents"
    headers = bearer(personas["tracing_officer"])
    created = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert created.status_code == 201
    again = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert again.status_code == 200
    assert again.json()["uuid"] == created.json()["uuid"]
    shown = client.get(url, **headers).json()
    assert shown["current"] == {"tracing_disclosure": True, "publication": None}
    assert len(shown["history"]) == 1


def test_the_api_names_the_field_of_a_wrong_purpose(anahit, personas):
    body = {"uuid": str(uuid.uuid4()), "purpose": "marketing", "given": True}
    response = Client().post(f"/api/people/{anahit.uuid}/consents", json.dumps(body),
                             content_type="application/json", **bearer(personas["registrar"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "purpose"


def test_the_api_lists_and_records_legal_bases(personas):
    client = Client()
    listed = client.get("/api/legal-bases", **bearer(personas["analyst"])).json()
    assert {b["purpose"] for b in listed} == {"registration", "tracing", "payments", "audit"}
    saved = client.put("/api/legal-bases/tracing", json.dumps({"basis": "public_interest"}),
                       content_type="application/json", **bearer(personas["administrator"]))
    assert saved.status_code == 200
    assert saved.json()["basis"] == "public_interest"
    refused = client.put("/api/legal-bases/payments", json.dumps({"basis": "consent"}),
                         content_type="application/json", **bearer(personas["administrator"]))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "basis"


def test_the_household_page_records_a_members_consent(anahit, registrar):
    client = Client()
    client.force_login(registrar)
    household = anahit.household
    page = client.get(f"/households/{household.uuid}/")
    assert b'data-testid="consent-form"' in page.content
    response = client.post(f"/households/{household.uuid}/consent/", {
        "uuid": str(uuid.uuid4()), "person": str(anahit.uuid), "purpose": "publication",
        "given": "yes", "form": "written"})
    assert response.status_code == 302
    assert consent.consent_given(anahit, "publication") is True
    assert Consent.objects.get(person=anahit).form == "written"
    page = client.get(f"/households/{household.uuid}/")
    assert b'data-purpose="publication">yes' in page.content


def test_the_household_page_refuses_a_person_of_another_household(anahit, reception,
                                                                  registrar):
    other = make_household(reception, registrar, member("Lilit"))
    client = Client()
    client.force_login(registrar)
    response = client.post(f"/households/{other.uuid}/consent/", {
        "person": str(anahit.uuid), "purpose": "publication", "given": "yes"})
    assert response.status_code == 404
    assert not Consent.objects.exists()


def test_a_shelter_manager_cannot_record_consent(anahit, personas):
    client = Client()
    client.force_login(personas["shelter_manager"])
    response = client.post(f"/households/{anahit.household.uuid}/consent/", {
        "person": str(anahit.uuid), "purpose": "publication", "given": "yes"})
    assert response.status_code == 403
