"""refuge.lib.bulk stores what the ORM stores: the same households, people, documents,
registration events and audit rows, with the same first history rows, written once with
Django's bulk_create and simple-history's bulk_history_create and once with the bulk
writer, compare equal column by column as the database holds them."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from django.db import connection, transaction
from simple_history.utils import get_history_manager_for_model

from refuge.audit.models import AuditEvent
from refuge.lib import bulk
from refuge.registry.models import Document, Household, Person, RegistrationEvent

pytestmark = pytest.mark.django_db

WHEN = datetime(2023, 9, 28, 21, 45, 7, 123456, tzinfo=UTC)


def uuid(n: int) -> UUID:
    return UUID(int=n)


def registrations(post, user):
    """Households of every shape the registry writes: names in three scripts and none,
    exact, year-only and unknown birth dates, needs, documents, a null record id."""
    households, people, documents, events, audits = [], [], [], [], []
    given = ["Անահիտ", "Анаит", "Anahit", "", "Zhanna-Мария"]
    for h in range(6):
        household = Household(uuid=uuid(1000 + h), group=uuid(2000 + h // 2),
                              registered_at=post, registered_on=WHEN + timedelta(minutes=h),
                              accommodation=["needs_place", "", "relatives"][h % 3])
        households.append(household)
        events.append(RegistrationEvent(uuid=uuid(3000 + h), household=household, post=post,
                                        desk=str(h), user=user, at=WHEN, body_hash=f"h{h}",
                                        kind=RegistrationEvent.REGISTERED))
        for p in range(h % 4 + 1):
            n = h * 10 + p
            person = Person(
                uuid=uuid(4000 + n), household=household, registered_at=post,
                registered_on=WHEN, record_id=None if p % 2 else f"R{n:07d}",
                relationship=Person.FOCAL_POINT if p == 0 else "child",
                given_name=given[n % len(given)],
                family_name=["Հովհաննիսյան", "Петросян", ""][n % 3],
                patronymic="Арамович" if n % 2 else "", sex="FMU"[n % 3],
                birth_date=[date(1972, 3, 1), None, date(2019, 1, 1)][n % 3],
                birth_precision=["day", "unknown", "year"][n % 3],
                needs="UAC SC" if n % 5 == 0 else "", phone="+37494000000" if n % 2 else "",
                origin="Stepanakert", destination="")
            person.derive_search_forms()
            people.append(person)
            if n % 3 == 0:
                documents.append(Document(uuid=uuid(5000 + n), person=person,
                                          number=f"AN{n:07d}", number_key=f"AN{n:07d}"))
        audits.append(AuditEvent(user=user, at=WHEN, action=AuditEvent.CREATE,
                                 object_type="household",
                                 object_uuid=household.uuid,
                                 detail={"members": h % 4 + 1, "via": "тест"}))
    return households, people, documents, events, audits


def with_orm(households, people, documents, events, audits, user):
    for objects in (households, people, documents):
        type(objects[0]).objects.bulk_create(objects)
        get_history_manager_for_model(type(objects[0])).bulk_history_create(
            objects, default_user=user, default_date=WHEN)
    for objects in (events, audits):
        type(objects[0]).objects.bulk_create(objects)


def with_bulk(households, people, documents, events, audits, user):
    for objects in (households, people, documents):
        bulk.insert(objects)
        history = get_history_manager_for_model(type(objects[0])).model
        bulk.insert_history(objects, history, user=user, when=WHEN)
    for objects in (events, audits):
        bulk.insert(objects)


TABLES = [Household, Person, Document, RegistrationEvent, AuditEvent]


def stored(write, post, user) -> dict:
    """Every column of every row the writer stored, as the database holds it, ids given as
    the row's place; then rolled back, so the other writer starts from the same state."""
    models = TABLES + [get_history_manager_for_model(m).model for m in TABLES[:3]]
    with transaction.atomic():
        write(*registrations(post, user), user)
        tables = {model._meta.db_table: _rows(model) for model in models}
        transaction.set_rollback(True)
    return tables


def _rows(model) -> list[tuple]:
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} ORDER BY {pk}")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    # Ids differ between the two runs on PostgreSQL (sequences are not rolled back).
    keep = [i for i, c in enumerate(columns) if c not in (pk, "id") and not c.endswith("_id")]
    return [tuple(row[i] for i in keep) for row in rows]


def test_the_bulk_writer_stores_what_bulk_create_and_bulk_history_create_store(
        reception, registrar):
    orm = stored(with_orm, reception, registrar)
    ours = stored(with_bulk, reception, registrar)
    assert sum(len(rows) for rows in ours.values()) == 60  # 6 households, 15 people...
    assert ours == orm


def test_foreign_keys_point_at_the_rows_saved_before(reception, registrar):
    households, people, documents, events, _audits = registrations(reception, registrar)
    with_bulk(households, people, documents, events, _audits, registrar)
    person = Person.objects.get(uuid=people[-1].uuid)
    assert person.household.uuid == people[-1].household.uuid
    assert person.pk == people[-1].pk and not people[-1]._state.adding
    assert Document.objects.get(uuid=documents[0].uuid).person.uuid == documents[0].person.uuid
    history = Person.history.get(uuid=people[0].uuid)
    assert (history.history_type, history.history_user_id, history.household_id) == (
        "+", registrar.pk, people[0].household.pk)


def test_an_unsaved_related_object_is_refused(reception, registrar):
    household = Household(registered_at=reception)
    with pytest.raises(ValueError, match="household"):
        bulk.insert([Person(household=household, given_name="Anahit")])
