"""The "at most one" that came with tracing, tried by real threads at once, on PostgreSQL
and on SQLite: a sought person is confirmed as one person only, however many officers
confirm candidates for them in the same instant (shelter's are in
refuge/shelter/tests/test_at_most_one.py, aid's hand-over in
refuge/aid/tests/test_hand_over.py)."""

import pytest

from refuge.conftest import at_once, make_household, member
from refuge.lib.errors import StateConflict
from refuge.tracing import services
from refuge.tracing.models import Candidate, SoughtPerson
from refuge.tracing.tests.helpers import enquiry, sought

pytestmark = pytest.mark.django_db(transaction=True)

COPIES = 8


def test_two_candidates_confirmed_at_once_for_one_sought_person_confirm_one(personas,
                                                                             reception):
    registrar, officer = personas["registrar"], personas["tracing_officer"]
    twins = [make_household(reception, registrar, member(
        given, "Hovhannisyan", sex="F", birth_date="1972-03-14")).members.get()
        for given in ("Anahit", "Anahid")]
    one = enquiry(officer, sought("Anahit", "Hovhannisyan", sex="F",
                                  birth_date="1972-03-14")).sought.get()
    candidates = [Candidate.objects.update_or_create(
        sought=one, person=person, defaults={"probability": 0.9})[0] for person in twins]
    outcomes = at_once(COPIES, lambda i: services.confirm(candidates[i % 2], user=officer))
    confirmed = Candidate.objects.filter(sought=one, status=Candidate.CONFIRMED)
    assert confirmed.count() == 1
    winner = confirmed.get()
    one.refresh_from_db()
    assert (one.status, one.found_person_id) == (SoughtPerson.FOUND, winner.person_id)
    # Those who confirmed the same candidate are told it is confirmed (twice is once); those
    # who confirmed the other, that the request is found already: a 409, never a 500.
    for i, outcome in enumerate(outcomes):
        if candidates[i % 2].pk == winner.pk:
            assert isinstance(outcome, Candidate) and outcome.pk == winner.pk, outcome
        else:
            assert isinstance(outcome, StateConflict), outcome
    assert one.changes.filter(status=SoughtPerson.FOUND).count() == 1
