"""A person edited on two devices: the later edit does not silently overwrite the earlier."""

import pytest

from refuge.conftest import bearer, make_household, member
from refuge.registry import corrections
from refuge.registry.models import EditConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(reception, registrar):
    return make_household(reception, registrar, member("Armen", sex="M",
                                                       birth_date="1970")).members.get()


def test_an_edit_from_an_older_version_keeps_both_values(person, personas):
    editor = personas["registrar"]
    assert person.version == 1
    corrections.update_person(person, {"given_name": "Armen-Hayk"}, user=editor, base_version=1)
    person.refresh_from_db()
    assert person.version == 2
    # A second device, still at version 1, changes the given name and the phone.
    saved = corrections.update_person(person, {"given_name": "Armenak", "origin": "Martuni"},
                                   user=editor, base_version=1)
    person.refresh_from_db()
    assert person.given_name == "Armen-Hayk"  # the earlier edit stands
    assert person.origin == "Martuni"  # a field nobody else changed is saved
    [conflict] = saved.conflicts_raised
    assert (conflict.field, conflict.base_value, conflict.saved_value,
            conflict.proposed_value) == ("given_name", "Armen", "Armen-Hayk", "Armenak")


def test_a_reviewer_chooses_the_other_edit(person, personas):
    editor = personas["registrar"]
    corrections.update_person(person, {"birth_date": "1971"}, user=editor, base_version=1)
    corrections.update_person(person, {"birth_date": "1969"}, user=editor, base_version=1)
    conflict = EditConflict.objects.get()
    corrections.resolve_conflict(conflict, use_proposed=True, user=editor)
    person.refresh_from_db()
    conflict.refresh_from_db()
    assert person.birth_date.year == 1969 and conflict.status == EditConflict.REPLACED
    history = list(person.history.order_by("history_id").values_list("birth_date", flat=True))
    assert [d.year for d in history] == [1970, 1971, 1969]  # every version is kept


def test_the_api_answers_409_naming_the_conflicting_field(client, person, personas):
    client.defaults.update(bearer(personas["registrar"]))
    url = f"/api/people/{person.uuid}"
    first = client.patch(url, {"sex": "F", "base_version": 1}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(url, {"sex": "U", "destination": "Goris", "base_version": 1},
                          content_type="application/json")
    assert second.status_code == 409
    assert second.json()["errors"][0]["field"] == "sex"
    person.refresh_from_db()
    assert person.sex == "F" and person.destination == "Goris"
    assert EditConflict.objects.filter(status=EditConflict.OPEN).count() == 1


def test_the_person_page_shows_the_conflict_and_resolves_it(client, person, personas):
    editor = personas["registrar"]
    client.force_login(editor)
    corrections.update_person(person, {"patronymic": "Grigor"}, user=editor, base_version=1)
    page = client.post(f"/people/{person.uuid}/", {
        "version": "1", "relationship": "focal_point", "given_name": "Armen",
        "family_name": person.family_name, "patronymic": "Grigori", "sex": "M",
        "birth_date": "1970", "needs": "", "phone": "", "origin": "", "destination": "",
        "status": "registered"}, follow=True)
    assert "while you were editing" in page.content.decode()
    assert "Grigori" in page.content.decode()
    conflict = EditConflict.objects.get()
    client.post(f"/people/{person.uuid}/conflicts/{conflict.pk}/", {"keep": "saved"})
    conflict.refresh_from_db()
    person.refresh_from_db()
    assert conflict.status == EditConflict.KEPT and person.patronymic == "Grigor"


# Household-level edits: a move of a member, and the household's own status.

@pytest.fixture
def two_more(reception, registrar):
    return (make_household(reception, registrar, member("Lilit", sex="F", birth_date="1975")),
            make_household(reception, registrar, member("Gohar", sex="F", birth_date="1950")))


def test_a_move_from_an_older_version_does_not_undo_another_devices_move(
        person, two_more, personas):
    editor = personas["registrar"]
    first, second = two_more
    corrections.move_person(person, first, user=editor, base_version=1)
    person.refresh_from_db()
    assert person.household == first and person.version == 2
    # A second device, still at version 1, moves the same man elsewhere.
    moved = corrections.move_person(person, second, user=editor, base_version=1)
    person.refresh_from_db()
    assert person.household == first  # the earlier move stands
    [conflict] = moved.conflicts_raised
    assert (conflict.field, conflict.saved_value, conflict.proposed_value) == (
        "household", first.registration_number, second.registration_number)
    assert conflict.base_value not in (first.registration_number, second.registration_number)
    corrections.resolve_conflict(conflict, use_proposed=True, user=editor)
    person.refresh_from_db()
    assert person.household == second
    assert EditConflict.objects.get().status == EditConflict.REPLACED


def test_a_move_from_the_current_version_is_no_conflict(person, two_more, personas):
    first, _second = two_more
    corrections.update_person(person, {"origin": "Martuni"}, user=personas["registrar"],
                           base_version=1)
    moved = corrections.move_person(person, first, user=personas["registrar"], base_version=1)
    assert moved.conflicts_raised == [] and moved.household == first


def test_the_api_answers_409_for_a_status_changed_on_another_device(
        client, person, personas):
    client.defaults.update(bearer(personas["registrar"]))
    url = f"/api/households/{person.household.uuid}"
    assert client.get(url).json()["version"] == 1
    closed = client.patch(url, {"status": "closed", "base_version": 1},
                          content_type="application/json")
    assert closed.status_code == 200 and closed.json()["version"] == 2
    again = client.patch(url, {"status": "active", "base_version": 1},
                         content_type="application/json")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "status"
    household = person.household
    household.refresh_from_db()
    assert household.status == "closed"
    conflict = EditConflict.objects.get()
    assert (conflict.household, conflict.person, conflict.base_value, conflict.saved_value,
            conflict.proposed_value) == (household, None, "active", "closed", "active")
    # The same status sent from the current version is saved as usual.
    current = client.patch(url, {"status": "active", "base_version": 2},
                           content_type="application/json")
    assert current.status_code == 200 and current.json()["status"] == "active"


def test_the_api_answers_409_for_a_move_made_on_another_device(
        client, person, two_more, personas):
    client.defaults.update(bearer(personas["registrar"]))
    first, second = two_more
    url = f"/api/people/{person.uuid}/move"
    assert client.post(url, {"household": str(first.uuid), "base_version": 1},
                       content_type="application/json").status_code == 200
    late = client.post(url, {"household": str(second.uuid), "base_version": 1},
                       content_type="application/json")
    assert late.status_code == 409 and late.json()["errors"][0]["field"] == "household"
    person.refresh_from_db()
    assert person.household == first


def test_the_household_page_shows_a_status_conflict_and_resolves_it(
        client, person, personas):
    editor = personas["registrar"]
    client.force_login(editor)
    household = person.household
    corrections.update_household(household, {"status": "closed"}, user=editor, base_version=1)
    page = client.post(f"/households/{household.uuid}/status/",
                       {"status": "active", "version": "1"}, follow=True)
    html = page.content.decode()
    assert "while you were editing" in html and 'data-testid="conflicts"' in html
    conflict = EditConflict.objects.get()
    client.post(f"/households/{household.uuid}/conflicts/{conflict.pk}/", {"keep": "other"})
    household.refresh_from_db()
    conflict.refresh_from_db()
    assert household.status == "active" and conflict.status == EditConflict.REPLACED
    assert household.history.count() == 3  # created, closed, opened again


def test_a_record_loaded_without_history_holds_every_late_edit_for_review(
        person, two_more, personas):
    """The demo and imports load people with no history row for version 1: what the
    record was then is unknown, so a late edit never overwrites anything unseen."""
    editor = personas["registrar"]
    first, second = two_more
    person.history.all().delete()
    corrections.update_person(person, {"origin": "Martuni"}, user=editor, base_version=1)
    late = corrections.update_person(person, {"origin": "Askeran", "phone": "+37491123456"},
                                  user=editor, base_version=1)
    assert sorted((c.field, c.base_value, c.saved_value) for c in late.conflicts_raised) == [
        ("origin", "", "Martuni"), ("phone", "", "")]
    person.refresh_from_db()
    assert person.origin == "Martuni" and person.phone == ""
    corrections.move_person(person, first, user=editor, base_version=2)
    moved = corrections.move_person(person, second, user=editor, base_version=1)
    [conflict] = moved.conflicts_raised
    assert (conflict.base_value, conflict.saved_value) == ("", first.registration_number)


def test_a_conflict_shows_the_value_as_it_is_now(person, two_more, personas):
    from refuge.registry.queries import open_conflicts

    editor = personas["registrar"]
    household = person.household
    corrections.update_household(household, {"status": "closed"}, user=editor, base_version=1)
    corrections.update_household(household, {"status": "active"}, user=editor, base_version=1)
    corrections.update_household(household, {"status": "active"}, user=editor, base_version=2)
    [conflict] = open_conflicts(household)
    assert (conflict.saved_value, conflict.current, conflict.label) == ("closed", "active",
                                                                        "status")
    first, _second = two_more
    corrections.move_person(person, first, user=editor, base_version=1)
    corrections.move_person(person, two_more[1], user=editor, base_version=1)
    person.refresh_from_db()
    [moved] = open_conflicts(person)
    assert (moved.current, moved.label) == (first.registration_number, "household")
