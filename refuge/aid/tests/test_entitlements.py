"""Entitlements per person and cycle: who is entitled, generated once, to whom a minor's
share goes, and a frozen list once approved."""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from refuge.aid import eligibility, queries, services
from refuge.aid.models import Cycle, Entitlement
from refuge.aid.tests.helpers import make_programme
from refuge.conftest import make_household, member
from refuge.lib.errors import Conflict, Invalid
from refuge.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return personas["administrator"]


@pytest.fixture
def family(reception, registrar):
    return make_household(
        reception, registrar,
        member("Anahit", sex="F", birth_date="1985-03-02"),
        member("Armen", sex="M", birth_date="1983-01-01", relationship="spouse"),
        member("Narek", sex="M", birth_date="2015-06-01", relationship="child"))


def test_a_monthly_programme_has_one_cycle_per_month_from_its_first_day(admin):
    programme = make_programme(admin, name="Rent", per_person=40_000, frequency="monthly",
                               cycles=6)
    assert [c.starts_on for c in programme.rounds.all()] == [
        date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1),
        date(2024, 2, 1), date(2024, 3, 1)]


def test_it_refuses_a_programme_without_an_amount_naming_the_field(admin):
    with pytest.raises(Invalid) as refused:
        make_programme(admin, per_person=0)
    assert [e.field for e in refused.value.errors] == ["per_person"]


def test_generation_entitles_everyone_registered_and_running_it_twice_adds_nothing(
        admin, family):
    cycle = make_programme(admin).rounds.get()
    assert eligibility.generate(cycle) == 3
    assert eligibility.generate(cycle) == 0
    assert Entitlement.objects.filter(cycle=cycle).count() == 3
    assert {e.amount for e in cycle.entitlements.all()} == {100_000}


def test_departed_and_deceased_people_are_not_entitled(admin, family):
    family.members.filter(given_name="Armen").update(status=Person.DECEASED)
    family.members.filter(given_name="Narek").update(status=Person.DEPARTED)
    cycle = make_programme(admin).rounds.get()
    eligibility.generate(cycle)
    assert [e.person.given_name for e in cycle.entitlements.all()] == ["Anahit"]


def test_age_bands_and_needs_select_the_people_entitled(admin, family, reception, registrar):
    make_household(reception, registrar, member("Siranush", birth_date="1940", needs="OP,DIS"))
    children = make_programme(admin, max_age=17).rounds.get()
    older = make_programme(admin, min_age=60, needs="OP").rounds.get()
    eligibility.generate(children)
    eligibility.generate(older)
    assert [e.person.given_name for e in children.entitlements.all()] == ["Narek"]
    assert [e.person.given_name for e in older.entitlements.all()] == ["Siranush"]


def test_a_household_amount_is_given_once_with_the_focal_point(admin, family):
    cycle = make_programme(admin, kind="in_kind", unit="kit", per_person=0,
                           per_household=1).rounds.get()
    eligibility.generate(cycle)
    (kit,) = cycle.entitlements.all()
    assert (kit.person.given_name, kit.amount) == ("Anahit", 1)


def test_the_database_keeps_one_entitlement_per_person_and_cycle_across_households(
        admin, family, reception, registrar):
    cycle = make_programme(admin).rounds.get()
    eligibility.generate(cycle)
    anahit = family.members.get(given_name="Anahit")
    elsewhere = make_household(reception, registrar, member("Lilit"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(cycle=cycle, person=anahit, household=elsewhere,
                                   recipient=anahit, amount=1)


def test_a_minors_share_goes_to_the_focal_point_then_to_the_designated_guardian(
        admin, family):
    cycle = make_programme(admin).rounds.get()
    eligibility.generate(cycle)
    narek = family.members.get(given_name="Narek")
    armen = family.members.get(given_name="Armen")
    share = cycle.entitlements.get(person=narek)
    assert share.recipient.given_name == "Anahit"
    guardian = services.set_guardian(narek, armen, user=admin)
    share.refresh_from_db()
    assert share.recipient == armen
    assert [h.guardian_id for h in guardian.history.all()] == [armen.pk]
    services.set_guardian(narek, family.members.get(given_name="Anahit"), user=admin)
    assert guardian.history.count() == 2


def test_an_adults_share_is_their_own(admin, family):
    cycle = make_programme(admin).rounds.get()
    eligibility.generate(cycle)
    armen = cycle.entitlements.get(person__given_name="Armen")
    assert armen.recipient_id == armen.person_id


def test_an_approved_cycle_is_frozen_and_later_registry_edits_show_as_differences(
        admin, family, reception, registrar):
    cycle = make_programme(admin).rounds.get()
    eligibility.generate(cycle)
    services.approve(cycle, user=admin)
    newcomer = make_household(reception, registrar, member("Gayane")).members.get()
    family.members.filter(given_name="Armen").update(status=Person.DEPARTED)
    with pytest.raises(Conflict):
        eligibility.generate(cycle)
    assert cycle.entitlements.count() == 3
    found = queries.differences(Cycle.objects.get(pk=cycle.pk))
    assert found.added == [newcomer.pk]
    assert found.removed == [cycle.entitlements.get(person__given_name="Armen").pk]


def test_a_member_added_after_generation_gets_the_per_person_amount_only(
        admin, family, reception, registrar):
    from refuge.registry import services as registry

    cycle = make_programme(admin, per_person=10, per_household=1000).rounds.get()
    eligibility.generate(cycle)
    registry.register_household({"uuid": str(uuid.uuid4()), "household": str(family.uuid),
                                 "members": [member("Lusine", birth_date="1990")]},
                                user=registrar, post=reception, ask_about_duplicates=False)
    assert eligibility.generate(cycle) == 1
    assert cycle.entitlements.get(person__given_name="Lusine").amount == 10
    assert sum(e.amount for e in cycle.entitlements.all()) == 4 * 10 + 1000
