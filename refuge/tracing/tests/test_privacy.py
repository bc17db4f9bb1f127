"""What tracing keeps of a person goes with an erasure, and an ended trace lets go of its
description once the tracing schedule has passed (issue 16: erasure and retention reach
every copy)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from refuge.conftest import make_household, member
from refuge.registry import erasure, retention
from refuge.registry.tests.test_erasure import every_text_holding
from refuge.tracing.models import Enquiry, SoughtPerson, StatusChange
from refuge.tracing.tests.helpers import enquiry, sought

pytestmark = pytest.mark.django_db

GIVEN, FAMILY, PHONE = "Zabelina", "Quroghlyan", "+37499123987"


@pytest.fixture
def traced(reception, registrar, personas):
    """A registered woman who asked after her brother, and whom her aunt found."""
    officer = personas["tracing_officer"]
    woman = make_household(reception, registrar, member(
        GIVEN, FAMILY, sex="F", birth_date="1979-05-06")).members.get()
    asked = enquiry(officer, sought("Hrachik", FAMILY, sex="M"), enquirer=str(woman.uuid),
                    phone=PHONE)
    found = enquiry(officer, sought(GIVEN, FAMILY, sex="F", birth_date="1979-05-06",
                                    circumstances=f"{GIVEN} was last seen in Goris"),
                    enquirer_given_name="Siranush", enquirer_family_name="Hakobyan")
    aunt_s = found.sought.get()
    SoughtPerson.objects.filter(pk=aunt_s.pk).update(
        found_person=woman, status=SoughtPerson.FOUND, fate=SoughtPerson.ALIVE)
    StatusChange.objects.create(sought=aunt_s, status=SoughtPerson.FOUND,
                                fate=SoughtPerson.ALIVE, note=f"{GIVEN} is in Vayk")
    StatusChange.objects.create(sought=asked.sought.get(), status=SoughtPerson.OPEN,
                                fate=SoughtPerson.MISSING, note=f"{GIVEN} called again")
    return woman, asked, found


def test_erasing_a_person_blanks_tracing_s_copies_and_keeps_the_traces(traced, personas):
    woman, asked, found = traced
    assert {table for table, _c, _n in every_text_holding([GIVEN, PHONE.removeprefix("+374")])
            } >= {"tracing_soughtperson", "tracing_enquiry", "tracing_statuschange"}
    made, _created = erasure.erase_person(woman, reason="person_asked",
                                          user=personas["administrator"])
    assert every_text_holding([GIVEN, PHONE.removeprefix("+374")]) == []
    assert made.copies["tracing.erase_tracing_copies"] >= 2
    trace = found.sought.get()
    assert (trace.status, trace.fate, trace.found_person_id) == (
        SoughtPerson.FOUND, SoughtPerson.ALIVE, woman.pk)
    assert Enquiry.objects.get(pk=asked.pk).enquirer_id == woman.pk
    assert asked.sought.get().given_name == "Hrachik"  # her brother is not erased


def test_retention_forgets_traces_ended_before_the_schedule_and_keeps_the_rest(
        traced, personas, settings):
    settings.REFUGE_RETENTION_DAYS = {**settings.REFUGE_RETENTION_DAYS, "tracing": 730}
    _woman, asked, found = traced
    old = timezone.now() - timedelta(days=800)
    SoughtPerson.objects.filter(enquiry=found).update(entry_date=old)
    StatusChange.objects.update(at=old)
    Enquiry.objects.filter(pk=found.pk).update(recorded_on=old)
    admin = personas["administrator"]
    due = {d.purpose: d.count for d in retention.run(dry_run=True, user=admin)}
    assert due["tracing"] == 2  # the ended trace and its enquirer; the open one stays
    assert found.sought.get().given_name == GIVEN
    done = {d.purpose: d.count for d in retention.run(dry_run=False, user=admin)}
    assert done["tracing"] == 2
    trace = found.sought.get()
    assert (trace.given_name, trace.circumstances, trace.birth_date) == ("", "", None)
    assert trace.status == SoughtPerson.FOUND and {c.note for c in trace.changes.all()} == {""}
    assert Enquiry.objects.get(pk=found.pk).enquirer_given_name == ""
    assert asked.sought.get().given_name == "Hrachik"  # still open: kept
    assert Enquiry.objects.get(pk=asked.pk).phone == PHONE
    assert {d.purpose: d.count for d in retention.run(dry_run=True, user=admin)
            }["tracing"] == 0
