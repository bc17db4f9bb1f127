"""Roles and what each may do: the one place where permissions are decided.

Pages and API endpoints both ask `can(user, capability)`, so the two can never
disagree. Roles are Django groups named by the codes below.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REGISTRAR = "registrar"
SHELTER_MANAGER = "shelter_manager"
TRACING_OFFICER = "tracing_officer"
AID_OFFICER = "aid_officer"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"

ROLES = {
    REGISTRAR: _("Registrar"),
    SHELTER_MANAGER: _("Shelter manager"),
    TRACING_OFFICER: _("Tracing officer"),
    AID_OFFICER: _("Aid officer"),
    ANALYST: _("Analyst"),
    ADMINISTRATOR: _("Administrator"),
}

# Capabilities, and the roles that have them. Analysts see aggregates only:
# no capability that shows a name is ever given to them.
REGISTER = "register"
COUNT_CROSSINGS = "count_crossings"
VIEW_PEOPLE = "view_people"
EDIT_PEOPLE = "edit_people"
VIEW_FIGURES = "view_figures"
READ_AUDIT = "read_audit"
CONFIGURE = "configure"
MANAGE_SHELTER = "manage_shelter"
# Aid: officers hand over at a point (they see the household's members and what is due,
# nothing of tracing); administrators define programmes, approve cycles and pay; analysts
# see totals only.
HAND_OVER_AID = "hand_over_aid"
MANAGE_AID = "manage_aid"
VIEW_AID_FIGURES = "view_aid_figures"
# Tracing: a registrar at a desk may take an enquiry but sees no results; only tracing
# officers see requests, candidates and where a found person is, and decide.
TAKE_ENQUIRY = "take_enquiry"
TRACE = "trace"
# The PFIF feed of tracing requests: partners' aid officers read it without the sensitive
# fields (birth dates, authors' contacts); those who trace read it whole.
READ_PFIF = "read_pfif"
# Every name and household in one file: administrators only, each time for a stated purpose.
EXPORT_PEOPLE = "export_people"
# Recording what a person agreed to (tracing disclosure, publication) where they are met.
RECORD_CONSENT = "record_consent"
# Erasing a person's personal data everywhere, for a recorded reason.
ERASE_PEOPLE = "erase_people"

CAPABILITIES = {
    REGISTER: {REGISTRAR, ADMINISTRATOR},
    COUNT_CROSSINGS: {REGISTRAR, ADMINISTRATOR},
    VIEW_PEOPLE: {REGISTRAR, SHELTER_MANAGER, TRACING_OFFICER, AID_OFFICER, ADMINISTRATOR},
    EDIT_PEOPLE: {REGISTRAR, ADMINISTRATOR},
    VIEW_FIGURES: set(ROLES),
    READ_AUDIT: {ADMINISTRATOR},
    CONFIGURE: {ADMINISTRATOR},
    MANAGE_SHELTER: {SHELTER_MANAGER, ADMINISTRATOR},
    HAND_OVER_AID: {AID_OFFICER, ADMINISTRATOR},
    MANAGE_AID: {ADMINISTRATOR},
    VIEW_AID_FIGURES: {AID_OFFICER, ANALYST, ADMINISTRATOR},
    TAKE_ENQUIRY: {REGISTRAR, TRACING_OFFICER, ADMINISTRATOR},
    TRACE: {TRACING_OFFICER, ADMINISTRATOR},
    READ_PFIF: {TRACING_OFFICER, AID_OFFICER, ADMINISTRATOR},
    EXPORT_PEOPLE: {ADMINISTRATOR},
    RECORD_CONSENT: {REGISTRAR, TRACING_OFFICER, ADMINISTRATOR},
    ERASE_PEOPLE: {ADMINISTRATOR},
}


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_refuge_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATOR)
        user._refuge_roles = cached
    return cached


def can(user: AbstractBaseUser | AnonymousUser, capability: str) -> bool:
    return bool(roles_of(user) & CAPABILITIES[capability])


def ensure(user, capability: str) -> None:
    """Raise PermissionDenied unless the user may do this; pages and API both call it."""
    if not can(user, capability):
        raise PermissionDenied(gettext("your role does not allow this (%(capability)s)")
                               % {"capability": capability})
