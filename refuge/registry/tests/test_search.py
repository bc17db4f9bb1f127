import pytest

from refuge.conftest import make_household, member
from refuge.registry.queries import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(reception, registrar):
    return make_household(
        reception, registrar,
        member("Անահիտ", "Հովհաննիսյան", patronymic="Սամվելի", sex="F", birth_date="1972",
               documents=[{"kind": "passport", "number": "AN1234567"}]),
        member("Armen", "Hovhannisyan", relationship="spouse", sex="M"),
        phone="+37477123456",
    )


@pytest.fixture
def other_family(reception, registrar):
    return make_household(reception, registrar, member("Anahit", "Grigoryan"))


@pytest.mark.parametrize("query", ["Оганесян Анаит", "Hovhannisyan Anahit", "Anahit Ovanesyan",
                                   "Հովհաննիսյան Անահիտ", "анаит самвеловна оганесян",
                                   "Anahit Samvelovna", "Оганесян Самвеловна"])
def test_it_finds_a_person_by_name_in_any_script(family, other_family, query):
    result = search(query)
    assert [p.given_name for p in result.people] == ["Անահիտ"]
    assert result.understood_as == "name"


def test_a_surname_finds_the_whole_family(family, other_family):
    assert {p.given_name for p in search("Oganesyan").people} == {"Անահիտ", "Armen"}


def test_it_finds_by_document_number_however_it_is_spaced(family):
    result = search("an 123 4567")
    assert result.understood_as == "document"
    assert [p.given_name for p in result.people] == ["Անահիտ"]


def test_it_finds_by_phone_in_local_or_international_form(family):
    for query in ("077 12 34 56", "+374 77 123456"):
        result = search(query)
        assert result.understood_as == "phone"
        assert [p.given_name for p in result.people] == ["Անահիտ"]


def test_it_finds_by_registration_number(family, other_family):
    result = search(family.registration_number.lower())
    assert result.understood_as == "registration number"
    assert result.households == [family]
    assert len(result.people) == 2


def test_a_mistyped_registration_number_finds_nobody(family):
    number = family.registration_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert search(wrong).people == []


def test_nothing_found_is_an_empty_answer(family):
    assert search("Zzyzx").people == []
    assert search("   ").people == []
