"""What tracing asks: the officers' queue, a case as an officer may see it, and where a
found person is, withheld until they agree to be found."""

from dataclasses import dataclass

from django.db.models import QuerySet

from refuge.matching import queries as matching_queries
from refuge.shelter.services import current_placement
from refuge.tracing.matching import LIKELY_FOUND
from refuge.tracing.models import Candidate, Enquiry, SoughtPerson
from refuge.tracing.scoring import hint_weight


def open_sought() -> QuerySet:
    """Open requests, unaccompanied and separated children first."""
    return (SoughtPerson.objects.open().select_related("enquiry__enquirer")
            .children_first())


def likely_queue() -> QuerySet:
    """Candidates likely found, waiting for an officer: children first, likeliest next."""
    return (Candidate.objects.queue().filter(probability__gte=LIKELY_FOUND)
            .select_related("sought__enquiry", "person__household__registered_at",
                            "other_sought", "other_enquiry"))


def enquiries() -> QuerySet:
    return Enquiry.objects.select_related("enquirer", "recorded_at").prefetch_related("sought")


def evidence(candidate: Candidate) -> list[dict]:
    """The candidate's evidence in words; a field the enquiry left out, compared on the
    enquirer's own (`scoring.with_hints`), is marked and weighs as it was scored."""
    hinted = set(candidate.levels.get("hinted", ()))
    rows = matching_queries.evidence_rows(candidate.levels)
    for row in rows:
        row["enquirers"] = row["field"] in hinted
        if row["enquirers"] and not row["discounted"]:
            row["weight"] = round(float(hint_weight(row["weight"])), 1)
            row["for"], row["against"] = row["weight"] > 0, row["weight"] < 0
    return rows


def candidate_name(candidate: Candidate) -> str:
    if candidate.kind == Candidate.PERSON:
        return candidate.person.full_name
    if candidate.kind == Candidate.SOUGHT:
        return candidate.other_sought.full_name
    return candidate.other_enquiry.enquirer_name


@dataclass
class Whereabouts:
    """Where the found person is: shown only once disclosed (`SoughtPerson.disclosed`)."""

    registration_number: str
    household_uuid: str
    site: str
    registered_at: str


def whereabouts(sought: SoughtPerson) -> Whereabouts | None:
    """The found person's household and site, or None while nobody is found or they have
    not agreed (and no child's exception is recorded)."""
    if not sought.disclosed:
        return None
    household = sought.found_person.household
    placement = current_placement(household)
    return Whereabouts(household.registration_number, str(household.uuid),
                       placement.site.shown_name if placement else "",
                       str(household.registered_at))
