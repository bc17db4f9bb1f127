"""Every way people come into the registry records the same things, because every entry
point ends in one place (refuge.registry.recording): the desk, the API, ODK Collect,
an import and the demo all leave the figures exact, a history row per person, an audit
event per household, the people_registered signal and the arrival check."""

import datetime
import uuid

import pytest
from django.test import Client

from refuge.collect.tests.test_openrosa import filled, phone, submit  # noqa: F401
from refuge.conftest import bearer
from refuge.matching.models import CandidatePair, DedupeJob
from refuge.ops.demo import Generator, save_batch
from refuge.registry import counting, events
from refuge.registry.imports import import_people
from refuge.registry.models import Person, RegistrationFigure
from refuge.registry.tests.test_desk import desk, family_form  # noqa: F401

pytestmark = pytest.mark.django_db

# Hayk, registered before each entry point brings him again, written another way (at the
# desk and through the API a day apart, so that no registrar's choice is asked for).
HAYK = {"patronymic": "Samvel", "sex": "M", "birth_date": "1980-03-14"}


def through_the_desk(registrar, reception, desk):  # noqa: F811
    form = family_form()
    form.update({"members-2-given_name": "Айк", "members-2-family_name": "Оганесян",
                 "members-2-patronymic": "Самвелович", "members-2-sex": "M",
                 "members-2-birth_date": "1980-03-15", "members-2-relationship": "sibling"})
    assert desk.post("/desk/", form).status_code == 302


def through_the_api(registrar, reception, desk):  # noqa: F811
    payload = {"uuid": str(uuid.uuid4()), "post": reception.code, "members": [
        {"given_name": "Айк", "family_name": "Оганесян", "patronymic": "Самвелович",
         "sex": "M", "birth_date": "1980-03-15", "relationship": "focal_point"}]}
    answer = Client().post("/api/households", payload, content_type="application/json",
                           **bearer(registrar))
    assert answer.status_code == 201, answer.content


def through_the_offline_queue(registrar, reception, desk):  # noqa: F811
    from refuge.registry.tests.test_offline_queue import send_household, signed_in

    form = {"household_uuid": str(uuid.uuid4()),
            "registered_on": datetime.datetime.now(datetime.UTC).isoformat(),
            **{f"members-0-{name}": value for name, value in (
                ("relationship", "focal_point"), ("given_name", "Айк"),
                ("family_name", "Оганесян"), ("patronymic", "Самвелович"), ("sex", "M"),
                ("birth_date", "1980-03-15"))}}
    answer = send_household(signed_in(registrar, reception), form, reception)
    assert answer.status_code == 201, answer.content


def through_odk(registrar, reception, desk):  # noqa: F811
    from base64 import b64encode
    token = b64encode(b"registrar:registrar-pass-1").decode()
    collect = Client(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_OPENROSA_VERSION="1.0")
    xml = filled([{"given_name": "Айк", "family_name": "Оганесян", "sex": "M",
                   "birth_date": "1980-03-14", "relationship": "focal_point"}], uuid.uuid4())
    assert submit(collect, xml).status_code == 201


def through_an_import(registrar, reception, desk):  # noqa: F811
    text = ("record_id,household_ref,given_name,family_name,patronymic,sex,birth_date\n"
            "r1,h1,Айк,Оганесян,Самвелович,M,1980-03-14\n")
    assert import_people(text, user=registrar).people == 1


def through_the_demo(registrar, reception, desk):  # noqa: F811
    generator = Generator(seed=3, today=datetime.date(2023, 9, 28))
    when = datetime.datetime(2023, 9, 28, 12, tzinfo=datetime.UTC)
    assert save_batch([(generator.household(), reception, when, "hy")], registrar) > 0


ENTRY_POINTS = [through_the_desk, through_the_api, through_the_offline_queue, through_odk,
                through_an_import, through_the_demo]


@pytest.fixture
def heard():
    said = []

    def listener(sender, signal=None, **told):
        said.append(told)
    events.people_registered.connect(listener, weak=False)
    yield said
    events.people_registered.disconnect(listener)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_every_entry_point_records_the_same_things(entry_point, registrar, reception, desk,  # noqa: F811
                                                   heard, settings):
    from refuge.conftest import make_household, member

    settings.REFUGE_SEARCH_AFTER_BULK = True
    make_household(reception, registrar, member("Hayk", "Hovhannisyan", **HAYK))
    before = set(Person.objects.values_list("pk", flat=True))
    heard.clear()
    entry_point(registrar, reception, desk)
    new = Person.objects.exclude(pk__in=before)
    assert new.exists()
    # The figures are exactly what counting the people themselves gives.
    counted = sum(RegistrationFigure.objects.filter(need="").values_list("people", flat=True))
    assert counted == Person.objects.counted().count()
    # A history row and an audit event for every one of them, and the signal.
    for person in new:
        assert person.history.filter(history_type="+").count() == 1
        assert person.household.events.exists()
    from refuge.audit.models import AuditEvent
    households = {p.household.uuid for p in new}
    assert households <= set(AuditEvent.objects.filter(object_type="household")
                             .values_list("object_uuid", flat=True))
    assert {p.pk for told in heard for p in told["people"]} == {p.pk for p in new}
    # The arrival check: Hayk again is queued for review at once, or, for a bulk load,
    # a search of the whole registry is started.
    hayk_again = new.filter(birth_date__year=1980)
    queued = CandidatePair.objects.filter(person_b__in=hayk_again).exists()
    assert queued or DedupeJob.objects.filter(status=DedupeJob.QUEUED).exists()
    _recount_agrees()


def _recount_agrees():
    figures = sorted(RegistrationFigure.objects.values_list(
        "hour", "post_id", "sex", "age_band", "need", "people"))
    counting.recount()
    assert figures == sorted(RegistrationFigure.objects.exclude(people=0).values_list(
        "hour", "post_id", "sex", "age_band", "need", "people"))
