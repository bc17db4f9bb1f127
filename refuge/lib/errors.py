"""The one shape every problem takes, whatever app finds it and whoever is told: a field
named the way the API names it (`members[2].birth_date`) and a message fit to show beside
that field. Views, the API, ODK intake and commands all report these."""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class Invalid(Exception):
    """Something sent is wrong; nothing was saved."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class StateConflict(Invalid):
    """What was sent is valid, but the record's state forbids it now: accepting a proposal
    already rejected, checking in a household that left, confirming a trace already
    closed. The API answers 409, not 422, as for any conflict with what is stored; it is
    an Invalid all the same, so each form shows it beside its field as it shows the rest."""


@dataclass
class Problems:
    """Problems gathered while checking everything sent, raised together."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.errors.append(FieldError(where, message))

    def raise_if_any(self, kind: type[Invalid] = Invalid) -> None:
        if self.errors:
            raise kind(self.errors)


class Conflict(Exception):
    """The client's UUID is already used by a different record or body, or the record
    changed since the version the client edited."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def shown(value, limit: int = 40) -> str:
    """A value sent, as an error message quotes it: cut short, so a 100,000-character
    field is not echoed back whole."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def referenced(records, where: str, **lookup):
    """The record that a field of the body or query names (a model or a queryset of it).

    If there is none, the field is wrong: a 422 that names it, as for any other wrong
    value. A 404 would tell the client that the URL's own record is gone."""
    manager = records._default_manager if isinstance(records, type) else records
    try:
        return manager.get(**lookup)
    except ObjectDoesNotExist:
        raise Invalid([FieldError(where, _("no such record"))]) from None
