"""Retention: how long each purpose keeps what it holds (settings.REFUGE_RETENTION_DAYS),
and the run that removes what is older.

- registration: the people of households closed longer ago than the schedule are
  erased (refuge.registry.erasure, reason "retention"): their stubs keep the figures.
- audit: audit events older than the schedule are deleted.
- tracing, payments: the apps that keep them register a rule here (`rule(purpose)`) in
  their AppConfig.ready(); a purpose with no rule has nothing to remove.

`refuge retention --dry-run` counts what would go; a real run records what went in a
RetentionRun and the audit log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.registry import erasure
from refuge.registry.models import (
    AUDIT,
    PURPOSES,
    REGISTRATION,
    Erasure,
    Household,
    Person,
    RetentionRun,
)

# A rule finds what a purpose keeps from before `cutoff`: it returns how many records, and
# removes them unless `dry_run`. `progress` is called with a count as it goes.
Rule = Callable[..., int]
RULES: dict[str, Rule] = {}


def rule(purpose: str) -> Callable[[Rule], Rule]:
    """Register the retention rule of a purpose (one per purpose)."""
    if purpose not in dict(PURPOSES):
        raise ValueError(f"unknown purpose {purpose!r}")

    def register(function: Rule) -> Rule:
        RULES[purpose] = function
        return function

    return register


@dataclass
class Due:
    purpose: str
    days: int | None  # None: kept as long as the operation lasts
    cutoff: datetime | None
    count: int


def schedule() -> dict[str, int | None]:
    return {purpose: settings.REFUGE_RETENTION_DAYS.get(purpose) for purpose, _l in PURPOSES}


def run(*, dry_run: bool, user, now: datetime | None = None,
        progress: Callable[[int], None] | None = None) -> list[Due]:
    """Remove (or with `dry_run`, count) what each purpose keeps past its schedule."""
    now = now or timezone.now()
    found = []
    for purpose, days in schedule().items():
        cutoff = now - timedelta(days=days) if days else None
        apply = RULES.get(purpose)
        count = apply(cutoff, dry_run=dry_run, user=user, progress=progress) \
            if cutoff and apply else 0
        found.append(Due(purpose, days, cutoff, count))
    if not dry_run:
        from_run = {d.purpose: d.count for d in found}
        RetentionRun.objects.create(by=user, removed=from_run, schedule=schedule())
        audit.record(user, AuditEvent.RETENTION, **from_run)
    return found


def closed_before(cutoff: datetime):
    """People of households closed, and unchanged since, before `cutoff`."""
    last_change = Household.history.model.objects.filter(id=OuterRef("household_id")).values(
        "id").annotate(at=Max("history_date")).values("at")
    return (Person.objects.filter(household__status=Household.CLOSED)
            .exclude(pk__in=Erasure.objects.values("person_id"))
            .annotate(last_change=Subquery(last_change)).filter(last_change__lt=cutoff))


@rule(REGISTRATION)
def erase_closed_households(cutoff: datetime, *, dry_run: bool, user, progress=None) -> int:
    people = list(closed_before(cutoff).order_by("pk"))
    if dry_run:
        return len(people)
    for person in people:
        erasure.erase_person(person, reason=Erasure.RETENTION, user=user)
        if progress:
            progress(1)
    return len(people)


@rule(AUDIT)
def delete_old_audit_events(cutoff: datetime, *, dry_run: bool, user, progress=None) -> int:
    old = AuditEvent.objects.filter(at__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]

