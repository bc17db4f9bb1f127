"""Tracing's retention rule (refuge.registry.retention, purpose "tracing"): a trace that
ended (found, reunified or closed) and has not changed since before the schedule's cutoff
keeps its id, dates, status and fate, for the figures and PFIF's placeholders, and loses
the description of the person sought, its undecided candidates and the notes of its
changes. An enquiry none of whose traces is still open or recent loses its enquirer's
names and phone."""

from datetime import datetime

from django.db.models import Exists, Max, OuterRef, Q

from refuge.registry.models import TRACING
from refuge.registry.retention import rule
from refuge.tracing.models import Candidate, Enquiry, SoughtPerson, StatusChange


def _any_filled(fields: tuple[str, ...]) -> Q:
    """Rows with any of these text fields not blank."""
    filled = Q()
    for name in fields:
        filled |= ~Q(**{name: ""})
    return filled


def ended_before(cutoff: datetime):
    """Traces ended and unchanged since `cutoff` that still describe someone."""
    described = _any_filled(SoughtPerson.DESCRIPTION)
    return (SoughtPerson.objects.exclude(status=SoughtPerson.OPEN)
            .filter(entry_date__lt=cutoff)
            .annotate(changed=Max("changes__at"))
            .filter(Q(changed__lt=cutoff) | Q(changed__isnull=True))
            .filter(described | Q(birth_date__isnull=False)))


def enquirers_before(cutoff: datetime):
    """Enquiries recorded before `cutoff` with no trace open or changed since, that still
    name their enquirer."""
    live = SoughtPerson.objects.filter(enquiry=OuterRef("pk")).filter(
        Q(status=SoughtPerson.OPEN) | Q(entry_date__gte=cutoff) | Q(changes__at__gte=cutoff))
    return (Enquiry.objects.filter(recorded_on__lt=cutoff)
            .filter(_any_filled(Enquiry.ENQUIRER_FIELDS)).exclude(Exists(live)))


@rule(TRACING)
def forget_ended_traces(cutoff: datetime, *, dry_run: bool, user, progress=None) -> int:
    traces, enquiries = ended_before(cutoff), enquirers_before(cutoff)
    if dry_run:
        return traces.count() + enquiries.count()
    enquiries = list(enquiries.values_list("pk", flat=True))  # before the traces change
    ended = list(traces)
    for sought in ended:
        sought.forget_description()
        sought.save()
    Candidate.objects.filter(sought__in=ended, status=Candidate.OPEN).delete()
    StatusChange.objects.filter(sought__in=ended).update(note="")
    forgotten = len(ended) + Enquiry.objects.filter(pk__in=enquiries).update(
        **dict.fromkeys(Enquiry.ENQUIRER_FIELDS, ""))
    if progress:
        progress(forgotten)
    return forgotten
