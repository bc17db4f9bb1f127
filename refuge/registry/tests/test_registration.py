import uuid
from datetime import date

import pytest

from refuge.conftest import household_payload, make_household, member
from refuge.lib.errors import Invalid
from refuge.registry import corrections, crossings, services
from refuge.registry.models import Household, Person, RegistrationEvent
from refuge.registry.numbers import parse_registration_number

pytestmark = pytest.mark.django_db


def test_it_registers_a_household_with_its_members(reception, registrar):
    payload = household_payload(
        member("Анаит", "Оганесян", patronymic="Самвеловна", sex="F", birth_date="1972"),
        member("Armen", relationship="spouse", sex="M", birth_date="1969-04",
               needs=["dis"], documents=[{"kind": "passport", "number": "AN 1234567"}]),
        member("Հայկ", "Հովհաննիսյան", relationship="child", sex="M", birth_date="age 7"),
        phone="077 123456", origin="Stepanakert", destination="relatives, Kotayk",
    )
    result = services.register_household(payload, user=registrar, post=reception,
                                          desk="3", device_id="laptop-1")
    assert result.created
    household = result.household
    people = list(household.members.order_by("id"))
    assert [p.given_name for p in people] == ["Анаит", "Armen", "Հայկ"]
    assert [p.name_script for p in people] == ["cyrillic", "latin", "armenian"]
    assert people[0].relationship == Person.FOCAL_POINT
    assert people[0].phone == "+37477123456"
    assert people[1].phone == ""
    assert people[1].need_codes == ["DIS"]
    assert people[1].documents.get().number == "AN 1234567"
    assert people[2].birth_precision == "estimated"
    assert {p.origin for p in people} == {"Stepanakert"}
    event = RegistrationEvent.objects.get(household=household)
    assert (event.user, event.post, event.desk, event.device_id) == (
        registrar, reception, "3", "laptop-1")


def test_the_registration_number_carries_a_check_digit(reception, registrar):
    household = make_household(reception, registrar)
    number = household.registration_number
    assert number.startswith("GOR-")
    typed = parse_registration_number(number)
    assert (typed.codes, typed.household_id, typed.check_ok) == (("GOR",), household.pk, True)
    wrong_digit = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not parse_registration_number(wrong_digit).check_ok


def test_sending_the_same_household_twice_registers_it_once(reception, registrar):
    payload = household_payload(member("Anahit"), member("Armen", relationship="spouse"))
    first = services.register_household(payload, user=registrar, post=reception)
    again = services.register_household(payload, user=registrar, post=reception)
    assert first.created and not again.created
    assert again.household.pk == first.household.pk
    assert Person.objects.count() == 2


def test_the_same_uuid_with_a_different_household_is_a_conflict(reception, registrar):
    payload = household_payload(member("Anahit"))
    services.register_household(payload, user=registrar, post=reception)
    with pytest.raises(services.Conflict):
        services.register_household({**payload, "members": [member("Karen")]},
                                    user=registrar, post=reception)
    assert Person.objects.count() == 1


def test_one_bad_member_saves_nothing_and_names_every_problem(reception, registrar):
    payload = household_payload(
        member("Anahit", birth_date="2031"),
        member("", ""),
        member("Armen", phone="12"),
    )
    with pytest.raises(Invalid) as invalid:
        services.register_household(payload, user=registrar, post=reception,
                                    today=date(2023, 9, 28))
    fields = {e.field: e.message for e in invalid.value.errors}
    assert fields["members[0].birth_date"] == "2031 is in the future"
    assert fields["members[1].given_name"] == "a person needs a given name or a family name"
    assert fields["members[2].phone"] == "12 is not a valid phone number"
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_a_blank_name_is_an_error_not_a_name(reception, registrar):
    with pytest.raises(Invalid) as invalid:
        services.register_household(household_payload(member("   ", "Hakobyan")),
                                    user=registrar, post=reception)
    assert invalid.value.errors[0].field == "members[0].given_name"


def test_names_are_kept_exactly_as_typed(reception, registrar):
    typed = "Anna-Մարիա Ղազարյան"
    household = make_household(reception, registrar, member(typed, "O'Hara"))
    person = household.members.get()
    assert person.given_name == typed and person.family_name == "O'Hara"
    assert person.name_script == "mixed"


def test_a_household_has_exactly_one_focal_point(reception, registrar):
    payload = household_payload(member("A"), member("B", relationship="focal_point"))
    with pytest.raises(Invalid) as invalid:
        services.register_household(payload, user=registrar, post=reception)
    assert invalid.value.errors[0].field == "members[1].relationship"


def test_households_are_registered_only_at_reception_centres(crossing, registrar):
    with pytest.raises(Invalid):
        services.register_household(household_payload(member("A")), user=registrar,
                                    post=crossing)


def test_it_counts_a_vehicle_once_however_often_it_is_sent(crossing, registrar):
    payload = {"uuid": str(uuid.uuid4()), "people_aboard": 5, "vehicle_ref": "35 AB 123"}
    tally, created = crossings.record_tally(payload, user=registrar, post=crossing)
    again, created_again = crossings.record_tally(payload, user=registrar, post=crossing)
    assert created and not created_again and again.pk == tally.pk
    with pytest.raises(services.Conflict):
        crossings.record_tally({**payload, "people_aboard": 6}, user=registrar, post=crossing)


@pytest.mark.parametrize("people", [0, -1, 121, "5", None, True])
def test_a_tally_needs_a_sensible_number_of_people(crossing, registrar, people):
    with pytest.raises(Invalid) as invalid:
        crossings.record_tally({"uuid": str(uuid.uuid4()), "people_aboard": people},
                              user=registrar, post=crossing)
    assert invalid.value.errors[0].field == "people_aboard"


def test_a_retry_gets_what_was_saved_even_if_it_would_no_longer_validate(
        reception, registrar):
    """A member linked to someone registered before, who has been merged since: the
    offline desk's retry must not be told "refused" for what was saved."""
    earlier = make_household(reception, registrar, member("Gohar", birth_date="1950"))
    gohar = earlier.members.get()
    # She was registered alone; Anahit joins her household.
    payload = household_payload(member("Anahit"),
                                member("Gohar", relationship="parent", same_as=str(gohar.uuid)),
                                household=str(earlier.uuid))
    first = services.register_household(payload, user=registrar, post=reception)
    Person.objects.filter(pk=gohar.pk).update(status=Person.MERGED)
    again = services.register_household(payload, user=registrar, post=reception)
    assert (again.created, again.household) == (False, first.household)
    with pytest.raises(Invalid):  # a new registration naming her is still refused
        services.register_household({**payload, "uuid": str(uuid.uuid4())},
                                    user=registrar, post=reception)


def test_a_household_emptied_by_a_move_is_closed_with_a_new_version(reception, registrar):
    alone = make_household(reception, registrar, member("Aram"))
    other = make_household(reception, registrar, member("Anahit"))
    corrections.move_person(alone.members.get(), other, user=registrar)
    alone.refresh_from_db()
    assert (alone.status, alone.version) == (Household.CLOSED, 2)
