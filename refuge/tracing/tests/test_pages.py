"""Tracing pages: an enquiry typed and saved, a registrar who sees no results, a case
whose whereabouts show only after consent, and an analyst who sees no name."""

import uuid

from refuge.conftest import make_household, member
from refuge.tracing.models import SoughtPerson
from refuge.tracing.tests.helpers import age_of, enquiry, sought


def test_an_officer_records_an_enquiry_and_sees_its_candidates(client, personas, reception):
    make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14"))
    client.force_login(personas["tracing_officer"])
    response = client.post("/tracing/new/", {
        "uuid": str(uuid.uuid4()), "given_name": "Анаит", "family_name": "Оганесян",
        "sex": "F", "age": age_of(1972), "enquirer_given_name": "Самвел"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Անահիտ Հովհաննիսյան" in page
    assert 'data-testid="withheld"' not in page  # nobody confirmed yet


def test_a_bad_enquiry_names_the_field_and_saves_nothing(client, personas):
    client.force_login(personas["tracing_officer"])
    response = client.post("/tracing/new/", {"uuid": str(uuid.uuid4()), "given_name": "Анаит",
                                             "birth_date": "2090"})
    assert response.status_code == 422
    assert "2090 is in the future" in response.content.decode()
    assert not SoughtPerson.objects.exists()


def test_a_registrar_takes_an_enquiry_and_is_shown_no_result(client, personas, reception):
    make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14"))
    client.force_login(personas["registrar"])
    response = client.post("/tracing/new/", {
        "uuid": str(uuid.uuid4()), "given_name": "Анаит", "family_name": "Оганесян",
        "sex": "F", "age": age_of(1972)}, follow=True)
    page = response.content.decode()
    assert "Enquiry recorded" in page
    assert "Անահիտ" not in page
    case = SoughtPerson.objects.get()
    assert client.get(f"/tracing/sought/{case.uuid}/").status_code == 403
    assert client.get("/tracing/").status_code == 403


def test_an_analyst_sees_no_name_anywhere_in_tracing(client, personas, reception):
    case = enquiry(personas["tracing_officer"], sought("Анаит", "Оганесян")).sought.get()
    client.force_login(personas["analyst"])
    for path in ("/tracing/", "/tracing/new/", f"/tracing/sought/{case.uuid}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Анаит" not in response.content.decode()


def test_children_come_first_in_the_open_requests(client, personas):
    officer = personas["tracing_officer"]
    enquiry(officer, sought("Aram", "Sargsyan"))
    enquiry(officer, sought("Davit", "Sargsyan", needs="UAC", age=9))
    client.force_login(officer)
    page = client.get("/tracing/").content.decode()
    assert page.index("Davit") < page.index("Aram")


def test_the_site_shows_only_after_consent(client, personas, reception):
    household = make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14"))
    officer = personas["tracing_officer"]
    case = enquiry(officer, sought("Анаит", "Оганесян", sex="F", age=age_of(1972))).sought.get()
    client.force_login(officer)
    candidate = case.candidates.get()
    client.post(f"/tracing/candidates/{candidate.uuid}/confirm/")
    page = client.get(f"/tracing/sought/{case.uuid}/").content.decode()
    assert 'data-testid="withheld"' in page
    assert household.registration_number not in page
    client.post(f"/tracing/sought/{case.uuid}/consent/")
    page = client.get(f"/tracing/sought/{case.uuid}/").content.decode()
    assert household.registration_number in page
