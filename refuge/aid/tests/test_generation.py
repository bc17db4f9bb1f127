"""The set-based generation (one INSERT ... SELECT per range of households) stores what
the per-row path stores, person by person, for households of every shape."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from refuge.aid import eligibility, services
from refuge.aid.models import Entitlement
from refuge.aid.tests import row_by_row
from refuge.aid.tests.helpers import make_programme
from refuge.conftest import make_household, member
from refuge.registry import services as registry
from refuge.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return personas["administrator"]


@pytest.fixture
def households(reception, registrar, admin):
    """Households whose minors' recipients and household holders each take another rule."""
    def household(*members, **fields):
        return make_household(reception, registrar, *members, **fields)

    def person(found, name):
        return found.members.get(given_name=name)

    # A family: the focal point receives the child's share.
    household(member("Anahit", birth_date="1985-03-02"),
              member("Armen", birth_date="1983-01-01", relationship="spouse"),
              member("Narek", birth_date="2015-06-01", relationship="child"))
    # Turning 18 on the cycle's first day, and the day after: one adult, one minor.
    household(member("Hasmik", birth_date="1960-05-05"),
              member("Davit", birth_date="2005-10-01", relationship="child"),
              member("Tigran", birth_date="2005-10-02", relationship="child"))
    # Children alone: each receives their own.
    household(member("Ani", birth_date="2009-02-02"),
              member("Mane", birth_date="2012-02-02", relationship="sibling"))
    # The focal point departed: the eldest adult with a date receives, not the undated one.
    gone = household(member("Karen", birth_date="1970"),
                     member("Lusine", relationship="other_relative"),
                     member("Sona", birth_date="1990-07-07", relationship="spouse"),
                     member("Gohar", birth_date="1950-01-01", relationship="parent"),
                     member("Aram", birth_date="2018-03-03", relationship="child"))
    Person.objects.filter(pk=person(gone, "Karen").pk).update(status=Person.DEPARTED)
    # No adult with a date: the first adult receives.
    undated = household(member("Vardan", birth_date="2010-01-01"),
                        member("Gevorg", relationship="other_relative"),
                        member("Ashot", relationship="other_relative"))
    # A designated guardian in another household; another whose guardian has died.
    guarded = household(member("Mariam", birth_date="1988-08-08"),
                        member("Lilit", birth_date="2016-01-01", relationship="child"),
                        member("Erik", birth_date="2017-01-01", relationship="child"),
                        member("Seda", birth_date="1940-01-01", relationship="parent",
                               needs="OP,DIS"))
    services.set_guardian(person(guarded, "Lilit"), person(undated, "Gevorg"), user=admin)
    services.set_guardian(person(guarded, "Erik"), person(gone, "Sona"), user=admin)
    Person.objects.filter(pk=person(gone, "Sona").pk).update(status=Person.DECEASED)
    # Someone old alone, with specific needs, and a deceased member left out.
    lone = household(member("Siranush", birth_date="1938-04-04", needs="OP"),
                     member("Levon", birth_date="1936-01-01", relationship="spouse"))
    Person.objects.filter(pk=person(lone, "Levon").pk).update(status=Person.DECEASED)
    return Person.objects.all()


RULES = [
    {},
    {"per_person": 10, "per_household": 1000},
    {"kind": "in_kind", "unit": "kit", "per_person": 0, "per_household": 1},
    {"max_age": 17},
    {"min_age": 18, "max_age": 64, "per_household": 5},
    {"min_age": 60, "needs": "OP"},
]


def stored(cycle) -> dict:
    return {e.person_id: (e.household_id, e.recipient_id, e.amount, e.status)
            for e in Entitlement.objects.filter(cycle=cycle)}


def twin_cycles(admin, rules):
    """Two programmes with the same rules, so the two paths can be compared."""
    return [make_programme(admin, **rules).rounds.get() for _ in range(2)]


@pytest.mark.parametrize("rules", RULES, ids=[str(r) or "default" for r in RULES])
def test_the_set_based_generation_stores_what_the_per_row_generation_stores(
        admin, households, rules):
    by_row, by_set = twin_cycles(admin, rules)
    added = row_by_row.generate(by_row)
    assert eligibility.generate(by_set) == added > 0
    assert stored(by_set) == stored(by_row)
    assert eligibility.generate(by_set) == 0


def test_the_recipients_follow_each_rule(admin, households):
    by_set = make_programme(admin).rounds.get()
    eligibility.generate(by_set)
    names = dict(Person.objects.values_list("pk", "given_name"))
    got = {names[person]: names[row[1]] for person, row in stored(by_set).items()}
    assert got["Narek"] == "Anahit"
    assert (got["Davit"], got["Tigran"]) == ("Davit", "Hasmik")
    assert (got["Ani"], got["Mane"]) == ("Ani", "Mane")
    assert got["Aram"] == "Gohar"
    assert got["Vardan"] == "Gevorg"
    assert (got["Lilit"], got["Erik"]) == ("Gevorg", "Mariam")
    assert "Karen" not in got and "Levon" not in got


def test_a_member_added_later_gets_the_same_amount_on_both_paths(
        admin, households, reception, registrar):
    by_row, by_set = twin_cycles(admin, {"per_person": 10, "per_household": 1000})
    row_by_row.generate(by_row)
    eligibility.generate(by_set)
    family = Person.objects.get(given_name="Anahit").household
    registry.register_household({"uuid": str(uuid.uuid4()), "household": str(family.uuid),
                                 "members": [member("Nune", birth_date="2020-01-01")]},
                                user=registrar, post=reception, ask_about_duplicates=False)
    assert row_by_row.generate(by_row) == 1
    assert eligibility.generate(by_set) == 1
    assert stored(by_set) == stored(by_row)
    assert stored(by_set)[Person.objects.get(given_name="Nune").pk][2] == 10


def test_each_entitlement_gets_a_uuid_of_its_own_made_by_the_database(admin, households):
    cycle = make_programme(admin, starts_on=date(2023, 10, 1)).rounds.get()
    with CaptureQueriesContext(connection) as statements:
        eligibility.generate(cycle)
    inserts = [q["sql"] for q in statements.captured_queries
               if q["sql"].lstrip().upper().startswith("INSERT")]
    assert inserts and all("SELECT" in sql.upper() for sql in inserts)
    uuids = list(Entitlement.objects.filter(cycle=cycle).values_list("uuid", flat=True))
    assert len(set(uuids)) == len(uuids) == Person.objects.counted().filter(
        status__in=eligibility.PRESENT).count()
    assert {(u.version, u.variant) for u in uuids} == {(4, uuid.RFC_4122)}
    first = Entitlement.objects.filter(cycle=cycle).first()
    assert Entitlement.objects.get(uuid=str(first.uuid)) == first
