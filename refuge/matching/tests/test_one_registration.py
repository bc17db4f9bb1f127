"""One registration is strong evidence, not an absolute (issue 20, item 5): a person typed
twice in one household is found and clustered; two relatives of one registration are not."""

import numpy as np
import pytest

from refuge.matching.clustering import (
    SAME_REGISTRATION_BITS,
    weighed_by_registration,
)
from refuge.matching.engine import SHIPPED_THRESHOLD, clusters, link, rows_from_dicts
from refuge.matching.tests.test_scoring import person


def _pairs(rows):
    linkage = link(rows_from_dicts(rows))
    return {frozenset(p[:2]): p[2] for p in linkage.pairs()}


def _household(*typed_twice):
    """A family of four, in which the rows `typed_twice` are the father typed again."""
    return [
        person("father", "H1", "Levon", "Sargsyan", "Aram", "M", "1970-02-11", "Askeran"),
        person("mother", "H1", "Anahit", "Sargsyan", "Hovhannes", "F", "1973-05-20", "Askeran"),
        person("son", "H1", "Narek", "Sargsyan", "Levon", "M", "1995-09-02", "Askeran"),
        person("brother", "H1", "Davit", "Sargsyan", "Levon", "M", "1998-01-17", "Askeran"),
        *typed_twice,
    ]


def test_a_person_typed_twice_in_one_household_is_a_match():
    found = _pairs(_household(
        person("again", "H1", "Levon", "Sargsyan", "Aram", "M", "1970-02-11", "Askeran")))
    assert found[frozenset(["father", "again"])] >= SHIPPED_THRESHOLD


def test_a_person_typed_twice_in_another_script_is_a_match():
    found = _pairs(_household(
        person("again", "H1", "Левон", "Саргсян", "Арамович", "M", "1970-02-11", "Аскеран")))
    assert found[frozenset(["father", "again"])] >= SHIPPED_THRESHOLD


def test_brothers_and_parents_of_one_registration_are_not_candidates():
    found = _pairs(_household())
    assert found == {}


def test_one_document_on_two_relatives_of_one_registration_is_not_a_match():
    # A father's passport number written on his son's record as well.
    rows = _household()
    rows[0]["document"] = rows[2]["document"] = "AN1234567"
    found = _pairs(rows)
    assert SHIPPED_THRESHOLD > found[frozenset(["father", "son"])]


def test_the_registration_weighs_against_a_pair_of_its_own():
    registration = np.array([0, 0, 1])
    a, b = np.array([0, 0]), np.array([1, 2])
    weighed = weighed_by_registration(registration, a, b, np.array([0.5, 0.5]), np.array([4, 2]))
    assert weighed[1] == 0.5
    factor = 2.0 ** SAME_REGISTRATION_BITS
    assert np.isclose(weighed[0], factor / (1 + factor))
    # Of one registration and given names only alike: two people, whatever else agrees.
    assert weighed_by_registration(registration, a, b, np.array([0.999, 0.5]),
                                   np.array([2, 2]))[0] == 0


def test_a_pair_within_one_registration_joins_its_two_records_and_their_matches():
    pairs = [("a1", "x", 0.99), ("a1", "a2", 0.97)]  # a1 and a2: one person typed twice
    found = clusters(["a1", "a2", "x"], pairs, 0.9,
                     registrations={"a1": "H1", "a2": "H1", "x": "H2"})
    assert found["a1"] == found["a2"] == found["x"]


def test_one_registration_never_joins_through_a_third_record():
    # b1, b2 of H1 and c1, c2 of H2: b1 is c1 and b2 is c2, but b1 is not b2.
    pairs = [("b1", "c1", 0.99), ("b2", "c2", 0.99), ("b1", "c2", 0.95), ("b2", "x", 0.93),
             ("x", "b1", 0.92)]
    found = clusters(["b1", "b2", "c1", "c2", "x"], pairs, 0.9,
                     registrations={"b1": "H1", "b2": "H1", "c1": "H2", "c2": "H2", "x": "H3"})
    assert found["b1"] == found["c1"] != found["b2"] == found["c2"] == found["x"]


def test_a_person_typed_twice_with_a_year_only_is_a_match_and_twins_named_alike_are_not():
    found = _pairs(_household(
        person("again", "H1", "Levon", "Sargsyan", "Aramovich", "M", "1970", "Askeran"),
        person("arman", "H1", "Arman", "Sargsyan", "Levon", "M", "2005-03-03", "Askeran"),
        person("armen", "H1", "Armen", "Sargsyan", "Levon", "M", "2005-03-03", "Askeran"),
        person("ani", "H1", "Ani", "Sargsyan", "Levon", "F", "2007-06-06", "Askeran"),
        person("ana", "H1", "Ana", "Sargsyan", "Levon", "F", "2007-06-06", "Askeran")))
    assert found[frozenset(["father", "again"])] >= SHIPPED_THRESHOLD
    # Twins born one day and named a letter apart are two children, not one typed twice.
    assert found.get(frozenset(["arman", "armen"]), 0) < SHIPPED_THRESHOLD
    assert found.get(frozenset(["ani", "ana"]), 0) < SHIPPED_THRESHOLD


@pytest.mark.django_db
def test_dedupe_queues_a_person_typed_twice_in_one_household_and_not_the_brothers(
        reception, registrar):
    from refuge.conftest import make_household, member
    from refuge.matching import services
    from refuge.matching.models import CandidatePair

    father = member("Levon", "Sargsyan", sex="M", birth_date="1970-02-11", patronymic="Aram")
    household = make_household(
        reception, registrar, father, dict(father),
        member("Narek", "Sargsyan", sex="M", birth_date="1995-09-02", patronymic="Levon"),
        member("Davit", "Sargsyan", sex="M", birth_date="1998-01-17", patronymic="Levon"))
    services.dedupe()
    pairs = {frozenset((p.person_a.given_name, p.person_b.given_name))
             for p in CandidatePair.objects.select_related("person_a", "person_b")}
    assert pairs == {frozenset(["Levon"])}
    assert {p.person_a.household_id for p in CandidatePair.objects.all()} == {household.pk}
