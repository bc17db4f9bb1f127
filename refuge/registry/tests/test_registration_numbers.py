"""A registration number is found however it is typed, and a wrong one says why."""

import pytest
from django.test import Client

from refuge.conftest import bearer, make_household, member
from refuge.registry.numbers import parse_registration_number, registration_number
from refuge.registry.queries import look_up_number, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(reception, registrar):
    return make_household(reception, registrar, member("Anahit"),
                          member("Armen", relationship="spouse"))


def digits_of(household) -> str:
    return household.registration_number.split("-")[1]


def wrong_check(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize("typed", [
    "{number}", "{lower}", "{code}{digits}", "{lower_code}{digits}", " {code} {digits} ",
    "{code} {digits_spaced}", "{code}–{digits}", "{code}.{digits}", "ГОР-{digits}",
    "ԳՕՐ{digits}", "ПЩК-{digits}",
])
def test_every_way_of_typing_the_number_finds_the_household(family, typed):
    digits = digits_of(family)
    text = typed.format(number=family.registration_number,
                        lower=family.registration_number.lower(), code="GOR",
                        lower_code="gor", digits=digits,
                        digits_spaced=f"{digits[:3]} {digits[3:]}")
    assert look_up_number(text).household == family
    result = search(text)
    assert result.understood_as == "registration number"
    assert result.households == [family]


def test_a_wrong_check_digit_is_named_with_the_number_as_it_should_be_read(family):
    wrong = wrong_check(family.registration_number)
    found = look_up_number(wrong.lower().replace("-", ""))
    assert found.household is None
    assert found.problem == f"{wrong}: the check digit is wrong; check the number on the card"
    result = search(wrong.lower())
    assert result.people == [] and result.problem == found.problem


def test_a_well_formed_number_of_no_household_says_so(family):
    number = registration_number("GOR", family.pk + 1000)
    assert look_up_number(number).problem == f"{number}: no household has this number"
    assert search(number).problem == f"{number}: no household has this number"


def test_the_code_must_be_the_households_own(family, registrar):
    from refuge.accounts.models import Post

    Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk", province="Vayots Dzor")
    number = f"VAY-{digits_of(family)}"
    assert look_up_number(number).household is None
    assert "no household has this number" in look_up_number(number).problem


def test_a_passport_number_that_looks_like_a_number_is_still_found_as_a_document(
        reception, registrar):
    passport = make_household(reception, registrar, member(
        "Karine", documents=[{"kind": "passport", "number": "AN1234567"}]))
    result = search("AN 123 4567")
    assert result.understood_as == "document" and result.households == [passport]
    assert result.problem == ""


def test_a_name_with_digits_is_not_reported_as_a_number(family):
    assert search("Anahit 1972").problem == ""


def test_what_is_not_a_number_is_not_read_as_one():
    for text in ("Anahit", "+374 77 123456", "12345", "GOR-", "GOR-1", "VERYLONGCODE-0000123"):
        assert parse_registration_number(text) is None, text


def test_linking_and_moving_accept_the_variants_and_say_what_is_wrong(
        reception, registrar, family):
    other = make_household(reception, registrar, member("Karine", "Hakobyan"))
    client = Client()
    client.force_login(registrar)
    typed = f"gor {digits_of(other)}"
    client.post(f"/households/{family.uuid}/link/", {"other": typed})
    other.refresh_from_db()
    assert other.group == family.group

    wrong = wrong_check(other.registration_number)
    page = client.post(f"/households/{family.uuid}/link/", {"other": wrong.lower()},
                       follow=True).content.decode()
    assert f"{wrong}: the check digit is wrong; check the number on the card" in page

    armen = family.members.get(given_name="Armen")
    page = client.post(f"/people/{armen.uuid}/move/", {"household": wrong},
                       follow=True).content.decode()
    assert "the check digit is wrong" in page
    armen.refresh_from_db()
    assert armen.household == family
    client.post(f"/people/{armen.uuid}/move/", {"household": typed.upper().replace(" ", ""),
                                                "confirm": "1"})
    armen.refresh_from_db()
    assert armen.household == other


def test_the_search_page_says_when_the_check_digit_is_wrong(family, registrar):
    client = Client()
    client.force_login(registrar)
    wrong = wrong_check(family.registration_number)
    page = client.post("/search/", {"q": wrong.lower()}).content.decode()
    assert f"{wrong}: the check digit is wrong; check the number on the card" in page
    page = client.post("/search/", {"q": family.registration_number.lower()}).content.decode()
    assert "Anahit" in page and "check digit" not in page


def test_the_api_finds_a_household_by_number_in_any_form(family, registrar):
    client = Client(**bearer(registrar))
    found = client.get(f"/api/households/by-number/gor{digits_of(family)}")
    assert found.status_code == 200
    assert found.json()["uuid"] == str(family.uuid)
    wrong = client.get(f"/api/households/by-number/{wrong_check(family.registration_number)}")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "number"
    assert "the check digit is wrong" in wrong.json()["errors"][0]["message"]
    missing = client.get(f"/api/households/by-number/{registration_number('GOR', 999)}")
    assert missing.status_code == 404
    assert "no household has this number" in missing.json()["errors"][0]["message"]
    nonsense = client.get("/api/households/by-number/hello")
    assert nonsense.status_code == 422


def test_the_api_search_says_when_the_check_digit_is_wrong(family, registrar):
    client = Client(**bearer(registrar))
    body = client.post("/api/search", {"q": wrong_check(family.registration_number)},
                       content_type="application/json").json()
    assert body["people"] == [] and "the check digit is wrong" in body["problem"]
    body = client.post("/api/search", {"q": family.registration_number.lower()},
                       content_type="application/json").json()
    assert len(body["people"]) == 2 and body["problem"] == ""
