"""What every registration writes, whatever brought it in (the desk, the API, ODK Collect,
the offline queue, an import, the demo): its rows with their first history rows, its
registration events, the pre-counted figures, the audit log, the people_registered
signal (refuge.registry.events) and the arrival checks (refuge.registry.arrivals).

The entry points differ only in how they read what was typed; they all end here, so the
figures are exact by construction and no writer can forget a step.
"""

from dataclasses import dataclass, field
from datetime import datetime

from refuge.audit.models import AuditEvent
from refuge.lib import bulk
from refuge.registry import arrivals, events
from refuge.registry.counting import count_people
from refuge.registry.history import created_with_history
from refuge.registry.models import Document, Household, Person, RegistrationEvent


@dataclass
class Registered:
    """One household's registration, ready to write: the household (new, or registered
    before when people are `added` to it), its new people and documents, and the event
    that records who registered them where."""

    household: Household
    people: list[Person]
    event: RegistrationEvent
    documents: list[Document] = field(default_factory=list)
    added: bool = False
    # The registered people each new person may be (refuge.registry.arrivals), and the
    # pairs the registrar declared different people, as (index in `people`, registered
    # person's id); None for a bulk load, checked as a whole after it.
    matches: list[list[arrivals.PossibleMatch]] | None = None
    different: list[tuple[int, int]] = field(default_factory=list)
    audit: dict = field(default_factory=dict)


def record(registrations: list[Registered], *, user, now: datetime) -> None:
    """Write every registration of a batch, in the caller's transaction."""
    created_with_history([r.household for r in registrations if not r.added], user, now)
    for registration in registrations:
        for person in registration.people:
            person.household = registration.household  # with its id
    people = [person for r in registrations for person in r.people]
    created_with_history(people, user, now)
    count_people(people)
    created_with_history([d for r in registrations for d in r.documents], user, now)
    bulk.insert([r.event for r in registrations])
    bulk.insert([AuditEvent(
        user=user if user is not None and user.is_authenticated else None,
        action=AuditEvent.UPDATE if r.added else AuditEvent.CREATE, object_type="household",
        object_uuid=r.household.uuid, detail={"members": len(r.people), **r.audit})
        for r in registrations])
    for r in registrations:
        if r.matches is not None:
            arrivals.record(r.matches, r.people,
                            [(r.people[i].pk, other) for i, other in r.different], user)
        events.people_registered.send(record, people=r.people, household=r.household,
                                      user=user, added=r.added)
    if any(r.matches is None for r in registrations):
        arrivals.queue(len(people), user)
