"""The insert path's quick conversions give exactly what Django's fields would store."""

import datetime
import subprocess
import sys
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from refuge.audit.models import AuditEvent
from refuge.audit.services import record_views
from refuge.conftest import make_household, member
from refuge.lib import inserts
from refuge.matching.models import CandidatePair
from refuge.registry.models import Household, Person, RegistrationEvent

VALUES = [
    0.8123456789,
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    datetime.date(1950, 3, 14),
    datetime.datetime(2023, 9, 28, 21, 5, 7, 123456, tzinfo=datetime.UTC),
    datetime.datetime(2023, 9, 28, 1, 5, tzinfo=ZoneInfo("Asia/Yerevan")),
    datetime.datetime(2023, 9, 28, 1, 5, 0, 1, tzinfo=ZoneInfo("Europe/Moscow")),
]


@pytest.mark.parametrize("model", [Person, Household, RegistrationEvent, CandidatePair])
def test_quick_conversions_store_what_django_stores(db, model):
    fields, plain = inserts._fields(model)
    quick = inserts._converters(model, connection.vendor)
    db = connections["default"]
    checked = 0
    for field, is_plain, fast in zip(fields, plain, quick, strict=True):
        for value in [*VALUES, None]:
            if type(value) in fast:
                assert (inserts._prepare(value, field, is_plain, fast, db)
                        == field.get_db_prep_save(value, connection)), (field.name, value)
                checked += 1
    assert checked  # each model has a UUID and a date or datetime


def test_a_datetime_is_written_in_the_connections_time_zone_of_the_moment():
    class Connection:
        timezone = ZoneInfo("Asia/Yerevan")

    moment = VALUES[3]
    assert inserts._sqlite_datetime(moment, Connection) == "2023-09-29 01:05:07.123456"
    Connection.timezone = datetime.UTC  # the text cached for the other zone is not reused
    assert inserts._sqlite_datetime(moment, Connection) == "2023-09-28 21:05:07.123456"


def test_a_naive_datetime_still_goes_through_django(db, settings):
    field = Household._meta.get_field("registered_on")
    quick = {datetime.datetime: lambda value, db: pytest.fail("taken the quick way")}
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        inserts._prepare(datetime.datetime(2023, 9, 28, 12, 0), field, False, quick,
                         connections["default"])


def test_skipping_conflicts_leaves_the_row_already_there(reception, registrar):
    first, second = make_household(reception, registrar, member("Ani"),
                                   member("Anna")).members.order_by("pk")
    pair = {"person_a_id": first.pk, "person_b_id": second.pk, "probability": 0.9,
            "levels": {"given": 2}}
    inserts.insert_values(CandidatePair, [pair])
    inserts.insert_values(CandidatePair, [{**pair, "probability": 0.5}], skip_conflicts=True)
    assert list(CandidatePair.objects.values_list("probability", flat=True)) == [0.9]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares them")
def test_registration_inserts_are_prepared_on_postgresql(reception, registrar):
    household = make_household(reception, registrar, member("Ani"), member("Արամ"))
    prepared = _prepared_statements()
    # REFUGE_DB_PREPARED=false (no prepare_threshold) leaves them unprepared, for a pooler.
    wanted = connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    assert any(s.startswith('INSERT INTO "registry_person"') for s in prepared) == wanted
    assert sorted(household.members.values_list("given_name", flat=True)) == ["Ani", "Արամ"]


def test_counted_queries_still_show_the_inserts(reception, registrar):
    with CaptureQueriesContext(connection) as captured:
        make_household(reception, registrar, member("Ani"))
    assert any(q["sql"].startswith('INSERT INTO "registry_person"') for q in captured)


def test_placeholders_are_numbered_for_postgresql():
    assert (inserts._numbered("INSERT INTO t (a, b) VALUES (%s, %s), (%s, %s)")
            == "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)")
    with pytest.raises(ValueError, match="plain %s"):
        inserts._numbered("SELECT '100%%' WHERE a = %s")


def test_an_hour_repeated_when_clocks_go_back_is_written_as_two_moments():
    class Connection:
        timezone = datetime.UTC

    first = datetime.datetime(2023, 10, 29, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    second = first.replace(fold=1)  # the same wall time, an hour later
    assert inserts._sqlite_datetime(first, Connection) == "2023-10-29 00:30:00"
    assert inserts._sqlite_datetime(second, Connection) == "2023-10-29 01:30:00"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares them")
def test_a_large_batch_is_not_prepared(registrar):
    record_views(registrar, "person", [uuid.uuid4() for _ in range(300)], via="test")
    assert AuditEvent.objects.count() == 300
    prepared = _prepared_statements()
    assert not [s for s in prepared if s.startswith('INSERT INTO "audit_auditevent"')
                and s.count("$") > inserts.PREPARED_VALUES]


def test_a_database_url_for_sqlite_still_connects(tmp_path):
    check = ("import django; django.setup(); from django.db import connection; "
             "connection.ensure_connection(); print(connection.vendor)")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "refuge.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
           "REFUGE_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "sqlite", done.stderr
