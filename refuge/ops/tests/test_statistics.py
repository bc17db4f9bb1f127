"""Statistics that a migration's table rebuild throws away are gathered again."""

import pytest
from django.db import connection

from refuge.conftest import make_household, member
from refuge.ops.statistics import analyze_unmeasured_tables

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's planner statistics")
def test_a_rebuilt_table_is_analysed_again(reception, registrar):
    for name in ("Anahit", "Armen", "Lilit"):
        make_household(reception, registrar, member(name))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'registry_household'")
        assert "registry_household" in analyze_unmeasured_tables()
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'registry_household'")
        assert cursor.fetchone()[0] > 0
        assert "registry_person" not in analyze_unmeasured_tables()  # still measured


def test_nothing_is_analysed_in_a_database_never_analysed_or_on_postgresql():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert analyze_unmeasured_tables() == []
