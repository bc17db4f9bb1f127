"""Whoever is registered is checked against the open requests once the registration has
committed: one household at the desk, or a whole import's batch in one reading of the
requests, finding exactly the requests a search by each person's name keys finds."""

from django.db.models import Q

from refuge.conftest import make_household, member
from refuge.registry.imports import import_people
from refuge.tracing import listeners, matching
from refuge.tracing.models import SoughtPerson
from refuge.tracing.tests.helpers import age_of, enquiry, sought

REQUESTS = [
    sought("Гаяне", "Акопян", sex="F", age=age_of(1985)),
    sought("Գայանե", sex="F", age=age_of(1983)),  # no family name, a year near enough
    sought("Gayane", sex="F"),  # a given name alone
    sought("Арам", "Петросян", patronymic="Серго", sex="M"),
    sought("Серго", "Акопян", sex="M"),  # names the other way round
    sought("Ani", "Sargsyan", patronymic="Aram", sex="F", age=age_of(1990)),
    sought("Нарек", "Саргсян", sex="M", age=age_of(1960)),  # shares only a family name
    sought("Levon", "Grigoryan", sex="M", age=age_of(1970)),
]

REGISTERED = [
    member("Գայանե", "Հակոբյան", sex="F", birth_date="1985-02-11"),
    member("Aram", "Sargsyan", patronymic="Sergo", sex="M", birth_date="1962"),
    member("Ani", "Mkrtchyan", patronymic="Aram", sex="F", birth_date="1990-07-01"),
    member("Akopyan", "Sergo", sex="M"),
    member("Нарек", "Петросян", sex="M", birth_date="2001"),
]


def searched_one_by_one(people) -> set[int]:
    """What `_key_filter` of each person finds among the open requests."""
    query = Q(pk__in=[])
    for person in people:
        given, family, father = matching._readings(person)
        year = person.birth_date.year if person.birth_date else 0
        query |= matching._key_filter(given, family, father, year)
    return set(SoughtPerson.objects.open().filter(query).values_list("pk", flat=True))


def test_a_batch_finds_the_requests_each_person_would_find(personas, reception):
    for description in REQUESTS:
        enquiry(personas["tracing_officer"], description)
    people = [make_household(reception, personas["registrar"], one).members.get()
              for one in REGISTERED]
    expected = searched_one_by_one(people)
    assert 3 <= len(expected) < len(REQUESTS)  # some found, not all: the table tests both
    assert set(matching.sought_sharing_keys(people)) == expected
    for person in people:
        assert set(matching.sought_sharing_keys([person])) == searched_one_by_one([person])


def test_an_import_is_checked_once_after_it_commits(
        personas, reception, monkeypatch, django_capture_on_commit_callbacks):
    request = enquiry(personas["tracing_officer"],
                      sought("Гаяне", "Акопян", sex="F", age=age_of(1985)))
    checked, check_people = [], matching.check_people
    monkeypatch.setattr(listeners.matching, "check_people",
                        lambda people: checked.append(len(people)) or check_people(people))
    csv = ("record_id,household_ref,given_name,family_name,sex,birth_date\n"
           "r1,h1,Գայանե,Հակոբյան,F,1985-02-11\n"
           "r2,h1,Արամ,Հակոբյան,M,1983\n"
           "r3,h2,Levon,Grigoryan,M,1970\n")
    with django_capture_on_commit_callbacks() as after_commit:
        import_people(csv, user=personas["administrator"])
    assert not request.sought.get().candidates.exists()
    for callback in after_commit:
        callback()
    # Once for the whole import, and for no one of a transaction rolled back before it.
    assert checked == [3]
    found = request.sought.get().candidates.order_by("-probability").first()
    assert found.person.record_id == "r1"
    assert found.probability >= matching.LIKELY_FOUND


def test_the_screen_reads_no_request_that_shares_only_a_family_name(personas, reception):
    for description in [*REQUESTS, sought("Тигран", "Мкртчян", sex="M", age=age_of(1950))]:
        enquiry(personas["tracing_officer"], description)
    people = [make_household(reception, personas["registrar"], one).members.get()
              for one in REGISTERED]
    keys = matching._Keys.of(people)
    screened = set(SoughtPerson.objects.open().filter(keys.screen()).values_list("pk", flat=True))
    assert screened >= searched_one_by_one(people)
    # Ani Mkrtchyan is registered, daughter of Aram: Tigran shares her family name alone.
    tigran = SoughtPerson.objects.get(given_name="Тигран")
    assert tigran.pk not in screened


def test_requests_looked_up_together_find_what_each_finds_alone(personas, reception):
    for one in REGISTERED:
        make_household(reception, personas["registrar"], one)
    for description in REQUESTS:
        enquiry(personas["tracing_officer"], description)
    every = list(SoughtPerson.objects.open().select_related("enquiry__enquirer"))
    size = matching.population()
    alone = [matching.candidates_for(one, size) for one in every]
    assert sum(map(len, alone)) >= 3  # not a comparison of nothing with nothing
    assert matching.candidates_of(every, size) == alone
    for one, looked_up in zip(every, matching._looked_up_together(every), strict=True):
        people, _precision, others = looked_up
        assert {row.record_id for row in people} == set(
            matching.registered_candidates(one).values_list("pk", flat=True))
        assert others == matching._other_sought(one)
