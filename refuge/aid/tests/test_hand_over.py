"""Handing over at a point: everything due at once, a retry recording nothing twice, and
never the same entitlement twice, even from two points in the same instant."""

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from refuge.accounts.models import Post
from refuge.aid import queries, services
from refuge.aid.models import Distribution, HandOver
from refuge.aid.tests.helpers import approved_cycle, hand_over_body, make_programme
from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member
from refuge.lib.errors import Conflict, Invalid


@pytest.fixture
def officer(personas):
    return personas["aid_officer"]


@pytest.fixture
def family(reception, registrar):
    return make_household(reception, registrar, member("Anahit", birth_date="1985"),
                          member("Narek", birth_date="2016", relationship="child"))


@pytest.fixture
def cycle(personas, family):
    return approved_cycle(personas["administrator"])


@pytest.fixture
def vayk(db):
    return Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk centre",
                               province="Vayots Dzor")


def due(family):
    return queries.due_now(queries.household_entitlements(family))


@pytest.mark.django_db
def test_it_hands_over_everything_due_to_the_household_at_once(family, cycle, officer,
                                                               reception):
    anahit = family.members.get(given_name="Anahit")
    distribution, created = services.hand_over(hand_over_body(due(family), anahit),
                                               user=officer, point=reception)
    assert created and distribution.hand_overs.count() == 2
    rows = queries.household_entitlements(family)
    assert due(family) == []
    received = [e for row in rows for e in row.received]
    assert {e.given.distribution.point.code for e in received} == {"GOR"}


@pytest.mark.django_db
def test_the_same_request_again_records_nothing_twice(family, cycle, officer, reception):
    body = hand_over_body(due(family), family.members.first())
    first, _ = services.hand_over(body, user=officer, point=reception)
    again, created = services.hand_over(body, user=officer, point=reception)
    assert (again, created) == (first, False)
    assert Distribution.objects.count() == 1 and HandOver.objects.count() == 2


@pytest.mark.django_db
def test_a_different_body_with_a_used_uuid_is_a_conflict(family, cycle, officer, reception):
    body = hand_over_body(due(family), family.members.first())
    services.hand_over(body, user=officer, point=reception)
    with pytest.raises(Conflict) as refused:
        services.hand_over({**body, "entitlements": body["entitlements"][:1]}, user=officer,
                           point=reception)
    assert refused.value.field == "uuid"


@pytest.mark.django_db
def test_a_second_hand_over_is_refused_naming_the_first(family, cycle, officer, reception,
                                                        vayk):
    entitlements = due(family)
    first, _ = services.hand_over(hand_over_body(entitlements[:1], family.members.first()),
                                  user=officer, point=reception)
    with pytest.raises(services.AlreadyHandedOver) as refused:
        services.hand_over(hand_over_body(entitlements, family.members.first()),
                           user=officer, point=vayk)
    (earlier,) = refused.value.as_dicts()
    assert earlier["field"] == "entitlements[0]"
    assert earlier["distribution"] == str(first.uuid) and earlier["point"] == "GOR"
    assert "already handed over on" in earlier["message"]
    # What the officer can check with the family: where, and who received it.
    assert first.point.name in earlier["message"]
    assert first.received_by.full_name in earlier["message"]
    assert HandOver.objects.count() == 1


@pytest.mark.django_db
def test_an_unapproved_cycle_is_not_handed_over(family, officer, reception, personas):
    from refuge.aid import eligibility

    cycle = make_programme(personas["administrator"]).rounds.get()
    eligibility.generate(cycle)
    with pytest.raises(Invalid) as refused:
        services.hand_over(hand_over_body(cycle.entitlements.all(), family.members.first()),
                           user=officer, point=reception)
    assert refused.value.errors[0].message == "its cycle is not approved yet"


@pytest.mark.django_db
def test_the_receiver_must_be_of_the_household(family, cycle, officer, reception, registrar):
    stranger = make_household(reception, registrar, member("Karine")).members.get()
    with pytest.raises(Invalid) as refused:
        services.hand_over(hand_over_body(due(family), stranger), user=officer,
                           point=reception)
    assert refused.value.errors[0].field == "received_by"


@pytest.mark.django_db
def test_the_database_refuses_a_second_hand_over_of_one_entitlement(family, cycle, officer,
                                                                    reception):
    entitlement = due(family)[0]
    services.hand_over(hand_over_body([entitlement], family.members.first()), user=officer,
                       point=reception)
    other = Distribution.objects.create(uuid=uuid.uuid4(), point=reception, household=family,
                                        received_by=family.members.first(), body_hash="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        HandOver.objects.create(distribution=other, entitlement=entitlement)


@pytest.mark.django_db
def test_each_hand_over_is_audited(family, cycle, officer, reception):
    distribution, _ = services.hand_over(hand_over_body(due(family), family.members.first()),
                                         user=officer, point=reception)
    assert AuditEvent.objects.filter(object_type="distribution",
                                     object_uuid=distribution.uuid).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_points_handing_over_one_entitlement_in_the_same_instant_one_succeeds(
        reception, registrar, personas, vayk):
    family = make_household(reception, registrar, member("Anahit", birth_date="1985"))
    approved_cycle(personas["administrator"])
    entitlements = due(family)
    points = [reception, vayk] * 4
    barrier = threading.Barrier(len(points))
    outcomes = []

    def hand(point):
        try:
            barrier.wait()
            services.hand_over(hand_over_body(entitlements, family.members.first()),
                               user=personas["aid_officer"], point=point)
            outcomes.append("handed")
        except services.AlreadyHandedOver:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=hand, args=(p,)) for p in points]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["handed"] + ["refused"] * (len(points) - 1)
    assert HandOver.objects.count() == 1
