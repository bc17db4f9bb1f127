"""The registry's models, a module by what they record: the people and their households
(people.py), the pre-counted figures (figures.py) and data protection (protection.py).
Every model and constant is imported from here, as from one models module."""

from refuge.registry.models.figures import (
    AGE_BANDS,
    UNKNOWN_AGE,
    CrossingFigure,
    RegistrationFigure,
    age_band,
)
from refuge.registry.models.people import (
    DescribedPerson,
    Document,
    EditConflict,
    Household,
    Person,
    PersonQuerySet,
    RegistrationEvent,
    SpecificNeed,
    Tally,
    document_key,
)
from refuge.registry.models.protection import (
    AUDIT,
    CONSENT,
    CONSENT_PURPOSES,
    LEGAL_BASES,
    PAYMENTS,
    PUBLIC_INTEREST,
    PUBLICATION,
    PURPOSES,
    REGISTRATION,
    TRACING,
    TRACING_DISCLOSURE,
    VITAL_INTEREST,
    Consent,
    Erasure,
    LegalBasis,
    RetentionRun,
)

__all__ = [
    "AGE_BANDS", "AUDIT", "CONSENT", "CONSENT_PURPOSES", "LEGAL_BASES", "PAYMENTS",
    "PUBLICATION", "PUBLIC_INTEREST", "PURPOSES", "REGISTRATION", "TRACING",
    "TRACING_DISCLOSURE", "UNKNOWN_AGE", "VITAL_INTEREST", "Consent", "CrossingFigure",
    "DescribedPerson", "Document", "EditConflict", "Erasure", "Household", "LegalBasis",
    "Person", "PersonQuerySet", "RegistrationEvent", "RegistrationFigure", "RetentionRun",
    "SpecificNeed", "Tally", "age_band", "document_key",
]
