"""Planner statistics that a migration on SQLite throws away.

A migration that alters a table on SQLite rebuilds it, and the rebuilt table has no
statistics until someone runs ANALYZE. Without them the planner may join the wrong way
round: after the migration that added households' versions, a two-word search with a
million people took 580 ms instead of 7. After every migrate, each table that has
indexes but no statistics is analysed (seconds for a million rows, once).
"""

from django.db import connections


def analyze_unmeasured_tables(using: str = "default", **_signal) -> list[str]:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []  # PostgreSQL's autovacuum keeps its statistics, and ALTER keeps them
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return []  # never analysed: a new or small database, where plans are simple
        cursor.execute(
            "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name NOT LIKE 'sqlite_%' "
            "AND tbl_name NOT IN (SELECT tbl FROM sqlite_stat1)")
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
    return tables
