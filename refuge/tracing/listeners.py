"""Tracing listens to the registry (refuge.registry.events): whoever is registered,
merged or checked in is compared with the open requests at once (a registration just
after it commits), and a likely match waits in the tracing officers' queue; the desk is
told nothing."""

import threading

from django.db import transaction

from refuge.registry import events
from refuge.registry.models import Person
from refuge.tracing import matching, services
from refuge.tracing.models import Candidate

# People registered in this thread's transaction, checked once it commits.
_waiting = threading.local()


def on_registered(sender, people, household, user, added=False, **kwargs) -> None:
    # After the commit, all of a transaction's people at once (an import saves thousands
    # of households in one): on SQLite a check inside would hold the one write lock that
    # every desk waits for, and a registration stands whatever the check finds.
    if not hasattr(_waiting, "people"):
        _waiting.people = []
    _waiting.people.extend(people)
    transaction.on_commit(_check_waiting, robust=True)


def _check_waiting() -> None:
    """The first callback after a commit checks everyone waiting, the rest find no one.
    People of a transaction rolled back may be waiting too (its callbacks were dropped):
    only those saved are checked, known by id and UUID, since SQLite gives a rolled-back
    id to the next row."""
    people, _waiting.people = getattr(_waiting, "people", []), []
    if not people:
        return
    saved = set(Person.objects.filter(pk__in=[p.pk for p in people])
                .values_list("pk", "uuid"))
    if people := [p for p in people if (p.pk, p.uuid) in saved]:
        _check(people)


def on_merged(sender, kept, merged, user, **kwargs) -> None:
    """The merged record's candidates become the kept record's, unless it has its own."""
    for candidate in Candidate.objects.filter(kind=Candidate.PERSON, person=merged):
        if Candidate.objects.filter(sought=candidate.sought, kind=Candidate.PERSON,
                                    person=kept).exists():
            if candidate.status == Candidate.OPEN:
                candidate.delete()
        else:
            candidate.person = kept
            candidate.save(update_fields=["person"])
    _check([kept])


def on_checked_in(sender, household, site, user, **kwargs) -> None:
    _check(list(household.members.exclude(status="merged")))


def _check(people: list) -> None:
    """An unaccompanied or separated child among them gets a case for their parents
    (matched as it opens), then everyone is compared with the open requests."""
    services.open_cases_for_parents(people)
    matching.check_people(people)


def connect() -> None:
    events.people_registered.connect(on_registered, dispatch_uid="tracing-registered")
    events.people_merged.connect(on_merged, dispatch_uid="tracing-merged")
    events.household_checked_in.connect(on_checked_in, dispatch_uid="tracing-checked-in")
