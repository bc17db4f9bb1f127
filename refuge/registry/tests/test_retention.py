"""Retention: a schedule per purpose, a dry run that counts, a real run that records."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member
from refuge.registry import corrections, retention
from refuge.registry.models import Erasure, Household, Person, RetentionRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_closed(reception, registrar):
    """A household closed six years ago, one closed last month, and one still active
    registered six years ago."""
    old = make_household(reception, registrar, member("Astghik", "Sargsyan"))
    corrections.update_household(old, {"status": "closed"}, user=registrar)
    recent = make_household(reception, registrar, member("Gohar", "Avetisyan"))
    corrections.update_household(recent, {"status": "closed"}, user=registrar)
    active = make_household(reception, registrar, member("Narine", "Grigoryan"))
    _happened(old, days_ago=6 * 365)
    _happened(recent, days_ago=30)
    _happened(active, days_ago=6 * 365)
    return old, recent, active


def _happened(household, days_ago: int) -> None:
    """Date the household's changes, and the audit events of the time, days ago."""
    then = timezone.now() - timedelta(days=days_ago)
    Household.history.model.objects.filter(id=household.pk).update(history_date=then)
    about = [household.uuid, *household.members.values_list("uuid", flat=True)]
    assert AuditEvent.objects.filter(object_uuid__in=about).update(at=then)


def test_the_schedule_comes_from_settings(settings):
    settings.REFUGE_RETENTION_DAYS = {"registration": 100, "tracing": None, "payments": 5,
                                      "audit": 7}
    assert retention.schedule() == {"registration": 100, "tracing": None, "payments": 5,
                                    "audit": 7}


def test_a_dry_run_counts_what_would_go_and_changes_nothing(long_closed, personas):
    events_before = AuditEvent.objects.count()
    due = {d.purpose: d.count for d in retention.run(dry_run=True, user=None)}
    assert due["registration"] == 1
    assert due["audit"] == AuditEvent.objects.filter(
        at__lt=timezone.now() - timedelta(days=3 * 365)).count() > 0
    assert not Erasure.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert not RetentionRun.objects.exists()


def test_a_real_run_erases_long_closed_households_and_records_what_went(long_closed, personas):
    old, recent, active = long_closed
    due = {d.purpose: d.count for d in retention.run(dry_run=False,
                                                       user=personas["administrator"])}
    assert due["registration"] == 1
    gone = Person.objects.get(household=old)
    assert gone.given_name == "" and gone.erasure.reason == Erasure.RETENTION
    assert Person.objects.get(household=recent).given_name == "Gohar"
    assert Person.objects.get(household=active).given_name == "Narine"
    run = RetentionRun.objects.get()
    assert run.removed["registration"] == 1 and run.schedule["registration"] == 5 * 365
    assert AuditEvent.objects.filter(action=AuditEvent.RETENTION).exists()
    again = {d.purpose: d.count for d in retention.run(dry_run=True, user=None)}
    assert again["registration"] == 0 and again["audit"] == 0


def test_a_purpose_kept_without_limit_loses_nothing(long_closed, personas, settings):
    settings.REFUGE_RETENTION_DAYS = {**settings.REFUGE_RETENTION_DAYS, "registration": None}
    retention.run(dry_run=False, user=personas["administrator"])
    assert not Erasure.objects.exists()


def test_the_command_dry_run_shows_each_purpose(long_closed, capsys):
    call_command("retention", dry_run=True)
    out = capsys.readouterr().out
    assert "registration" in out and "would go: 1" in out
    assert "Would remove" in out and "nothing was changed" in out
    assert not Erasure.objects.exists()


def test_the_real_command_needs_an_administrator(long_closed, personas, capsys):
    with pytest.raises(CommandError, match="--by"):
        call_command("retention")
    call_command("retention", by="administrator")
    assert "Removed" in capsys.readouterr().out
    assert Erasure.objects.count() == 1


def test_a_bad_schedule_fails_loudly(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from refuge.lib.env import env_days

    monkeypatch.setenv("REFUGE_RETENTION", "registration=forever")
    with pytest.raises(ImproperlyConfigured, match="REFUGE_RETENTION"):
        env_days("REFUGE_RETENTION", {"registration": 1})
    monkeypatch.setenv("REFUGE_RETENTION", "audit=30,registration=0")
    assert env_days("REFUGE_RETENTION", {"registration": 1, "audit": 2}) == {
        "registration": None, "audit": 30}
