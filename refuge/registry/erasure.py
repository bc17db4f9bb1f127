"""Erasure: a person's personal data removed from every copy Refuge keeps, for a reason an
administrator records (UNHCR's data protection policy: the right to deletion).

What is kept is a pseudonymous stub: the person's row with its UUID, household, sex, the
age they had when registered (as an estimated birth date) and specific-needs codes, so
the figures, the audit log and every record that points at the person (placements,
payments, tracing cases) stay consistent, but nothing that names or finds them.

What goes, inside one transaction:
- the registry's copies: names and their search keys, phone, origin, destination, the
  imported record identifier, documents, edit conflicts, and the same fields in every
  history row (refuge.registry.models' HistoricalRecords);
- copies other apps keep, erased by their receivers of `events.erasing_person`:
  ODK submissions are not kept as sent, only what was saved from them, which is the
  registry's rows above; match pairs and merges are erased by refuge.matching.

The hook for later apps (tracing, PFIF clones, payment lists): connect a receiver to
`refuge.registry.events.erasing_person` in the app's AppConfig.ready(). It is called
inside the erasure's transaction, before the registry's own copies are blanked (so the
person's names can still be read, to find copies kept by name), with `person`,
`erasure` and `user`, and returns the number of copies it erased. If it raises, nothing
is erased.

Exports downloaded from Refuge (people.csv, duplicate exports) and backups are files
outside the database: the erasure lists the audited exports made since the person was
registered, so they can be recalled, and backups age out with their own retention.
"""

import secrets
from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib import dates, names
from refuge.lib.dates import age_on
from refuge.lib.errors import FieldError, Invalid
from refuge.registry import events
from refuge.registry.models import Document, EditConflict, Erasure, Person

# The person's own fields that name them, find them or say where they are.
BLANKED = {"given_name": "", "family_name": "", "patronymic": "", "given_key": "",
           "family_key": "", "patronymic_key": "", "phone": "", "origin": "",
           "destination": "", "record_id": None, "name_script": names.NONE}


def erase_person(person: Person, *, reason: str, user, note: str = "") -> tuple[Erasure, bool]:
    """Erase a person's personal data everywhere Refuge keeps it; returns the erasure and
    whether it was made now (erasing an erased person again returns the first)."""
    problems = []
    if reason not in dict(Erasure.REASONS):
        problems.append(FieldError("reason", _("must be one of %(codes)s") % {
            "codes": ", ".join(code for code, _label in Erasure.REASONS)}))
    if len(note) > 300:
        problems.append(FieldError("note", _("at most 300 characters")))
    if any(part and len(part) > 2 and part.casefold() in note.casefold()
           for part in (person.given_name, person.family_name)):
        problems.append(FieldError("note", _("must not name the person: it is kept")))
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        current = Person.objects.select_for_update().select_related("household").get(
            pk=person.pk)
        earlier = Erasure.objects.filter(person=current).first()
        if earlier:
            return earlier, False
        erasure = Erasure(person=current, reason=reason, note=note, requested_by=user,
                          pseudonym=f"ERASED-{secrets.token_hex(4).upper()}")
        copies: Counter = Counter()
        for receiver, erased in events.erasing_person.send(
                sender=Person, person=current, erasure=erasure, user=user):
            copies[_label(receiver)] += erased or 0
        copies.update(_erase_registry_copies(current, user))
        erasure.copies = dict(copies)
        erasure.exports_since = _exports_since(current)
        erasure.save()
        audit.record(user, AuditEvent.ERASE, "person", current.uuid, reason=reason)
    return erasure, True


def is_erased(person: Person) -> bool:
    return Erasure.objects.filter(person_id=person.pk).exists()


def _erase_registry_copies(person: Person, user) -> Counter:
    copies: Counter = Counter()
    documents = list(person.documents.values_list("pk", flat=True))
    # Deleting documents writes a history row with the number; those rows are blanked below.
    Document.objects.filter(pk__in=documents).delete()
    copies["registry.documents"] = len(documents)
    copies["registry.conflicts"] = EditConflict.objects.filter(person=person).delete()[0]
    for name, value in BLANKED.items():
        setattr(person, name, value)
    person.birth_date, person.birth_precision = _same_age(person)
    person.version += 1
    person._history_user = user
    person.save()
    copies["registry.person"] = 1
    kept_age = {"birth_date": person.birth_date, "birth_precision": person.birth_precision}
    history = {name: value for name, value in BLANKED.items() if _in_history(name)}
    copies["registry.history"] = Person.history.model.objects.filter(id=person.pk).update(
        **history, **kept_age)
    copies["registry.history"] += Document.history.model.objects.filter(
        Q(person_id=person.pk) | Q(id__in=documents)).update(number="")
    return copies


def _in_history(name: str) -> bool:
    return any(f.name == name for f in Person.history.model._meta.get_fields())


def _same_age(person: Person) -> tuple[date | None, str]:
    """A birth date that gives the age the person had when registered, and no more: the
    age group of the figures stays right when they are recounted."""
    if person.birth_date is None:
        return None, dates.UNKNOWN
    registered = timezone.localtime(person.registered_on or person.household.registered_on)
    age = age_on(person.birth_date, registered.date())
    return date(registered.year - age, registered.month, min(registered.day, 28)), \
        dates.ESTIMATED


def _exports_since(person: Person) -> int:
    """Exports of everyone's names downloaded since the person was registered: files
    outside Refuge that may still hold them."""
    since = person.registered_on or person.household.registered_on
    return AuditEvent.objects.filter(action=AuditEvent.EXPORT, object_type="person",
                                     at__gte=since).count()


def _label(receiver) -> str:
    module = getattr(receiver, "__module__", "") or ""
    return module.removeprefix("refuge.").split(".")[0] + "." + receiver.__name__.lstrip("_")
