"""Tracing's copies of an erased person (a receiver of refuge.registry.events.erasing_person,
connected in TracingConfig.ready; see refuge.registry.erasure).

Tracing keeps a person in three ways: the enquiries they made (their names and phone as
the officer typed them), the sought persons found to be them (the description an enquirer
gave), and the candidacies that propose them. The first two lose what names or finds the
person and keep their status, fate, dates and links to the pseudonymous stub, so the
request's history and the figures stay right; candidacies not decided are dropped."""

from django.db.models import Q

from refuge.registry.models import Erasure, Person
from refuge.tracing.models import Candidate, Enquiry, SoughtPerson, StatusChange


def erase_tracing_copies(sender, *, person: Person, erasure: Erasure, user, **kwargs) -> int:
    erased = Enquiry.objects.filter(enquirer=person).update(
        **dict.fromkeys(Enquiry.ENQUIRER_FIELDS, ""))
    for sought in SoughtPerson.objects.filter(found_person=person):
        sought.forget_description()
        sought.save()
        erased += 1
    # Officers' notes on the traces the person is in, as the one found or the one asking.
    StatusChange.objects.filter(Q(sought__found_person=person)
                                | Q(sought__enquiry__enquirer=person)).update(note="")
    erased += Candidate.objects.filter(person=person, status=Candidate.OPEN).delete()[0]
    return erased
