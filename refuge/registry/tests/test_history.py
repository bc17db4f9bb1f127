import pytest
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member
from refuge.lib.errors import Invalid
from refuge.registry import corrections, queries
from refuge.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_a_correction_keeps_the_old_value_with_who_and_when(reception, personas):
    registrar, admin = personas["registrar"], personas["administrator"]
    person = make_household(reception, registrar, member("Anahit")).members.get()
    corrections.update_person(person, {"given_name": "Անահիտ", "birth_date": "1972-04"}, user=admin)
    person.refresh_from_db()
    assert person.given_name == "Անահիտ" and person.name_script == "mixed"
    history = list(person.history.order_by("history_date"))
    assert [h.given_name for h in history] == ["Anahit", "Անահիտ"]
    assert history[-1].history_user == admin
    changes = queries.person_changes(person)
    assert changes[0]["user"] == "administrator"
    assert changes[0]["fields"] == ["birth_date", "birth_precision", "given_name", "name_script"]
    assert AuditEvent.objects.filter(action="update", object_uuid=person.uuid).exists()


def test_a_person_loaded_without_history_still_has_a_page(reception, registrar):
    """The demo and imports bulk-insert people, with no history rows."""
    person = make_household(reception, registrar, member("Anahit")).members.get()
    person.history.all().delete()
    assert queries.person_changes(person) == []
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(registrar)
    assert client.get(f"/people/{person.uuid}/").status_code == 200


def test_a_bad_correction_changes_nothing(reception, registrar):
    person = make_household(reception, registrar, member("Anahit")).members.get()
    with pytest.raises(Invalid):
        corrections.update_person(person, {"given_name": "Anna", "birth_date": "2090"},
                               user=registrar)
    person.refresh_from_db()
    assert person.given_name == "Anahit" and person.history.count() == 1


def test_removing_every_name_is_refused(reception, registrar):
    person = make_household(reception, registrar, member("Anahit", "Hakobyan")).members.get()
    with pytest.raises(Invalid):
        corrections.update_person(person, {"given_name": "", "family_name": ""}, user=registrar)


def test_a_person_moves_to_another_household_with_history(reception, registrar):
    first = make_household(reception, registrar, member("Anahit"), member("Armen",
                           relationship="spouse"))
    second = make_household(reception, registrar, member("Karine"))
    armen = first.members.get(given_name="Armen")
    corrections.move_person(armen, second, user=registrar, relationship="sibling")
    armen.refresh_from_db()
    assert armen.household == second and armen.relationship == "sibling"
    assert armen.history.first().household_id == second.pk
    assert armen.history.last().household_id == first.pk


def test_moving_the_focal_point_hands_the_role_to_the_eldest(reception, registrar):
    first = make_household(reception, registrar, member("Anahit", birth_date="1972"),
                           member("Mariam", relationship="parent", birth_date="1940"),
                           member("Hayk", relationship="child", birth_date="2010"))
    second = make_household(reception, registrar, member("Karine"))
    corrections.move_person(first.members.get(given_name="Anahit"), second, user=registrar)
    assert first.members.get(relationship=Person.FOCAL_POINT).given_name == "Mariam"


def test_an_emptied_household_is_closed(reception, registrar):
    first = make_household(reception, registrar, member("Anahit"))
    second = make_household(reception, registrar, member("Karine"))
    corrections.move_person(first.members.get(), second, user=registrar)
    first.refresh_from_db()
    assert first.status == Household.CLOSED


def test_linked_households_become_parts_of_one_family(reception, registrar):
    a = make_household(reception, registrar, member("Anahit"))
    b = make_household(reception, registrar, member("Armen"))
    c = make_household(reception, registrar, member("Hayk"))
    corrections.link_households(b, c, user=registrar)
    corrections.link_households(a, b, user=registrar)
    groups = set(Household.objects.values_list("group", flat=True))
    assert groups == {a.group}
    c.refresh_from_db()
    assert c.history.count() == 3  # created, linked to b, then to a
    assert AuditEvent.objects.filter(action="link").count() == 2


def test_a_household_keeps_one_focal_point_through_corrections(reception, registrar):
    household = make_household(reception, registrar, member("Anahit"),
                               member("Armen", relationship="spouse"))
    anahit, armen = household.members.order_by("id")
    with pytest.raises(Invalid, match="make another member the focal point"):
        corrections.update_person(anahit, {"relationship": "spouse"}, user=registrar)
    with pytest.raises(Invalid):
        corrections.update_person(anahit, {"relationship": None}, user=registrar)
    corrections.update_person(armen, {"relationship": "focal_point"}, user=registrar)
    focal = household.members.filter(relationship=Person.FOCAL_POINT)
    assert list(focal.values_list("given_name", flat=True)) == ["Armen"]


def test_a_move_refuses_an_unknown_relationship(reception, registrar):
    first = make_household(reception, registrar, member("Anahit"), member("Armen"))
    second = make_household(reception, registrar, member("Karine"))
    armen = first.members.get(given_name="Armen")
    with pytest.raises(Invalid) as invalid:
        corrections.move_person(armen, second, user=registrar, relationship="x" * 40)
    assert invalid.value.errors[0].field == "relationship"
    armen.refresh_from_db()
    assert armen.household == first
