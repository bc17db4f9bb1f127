"""The database a `refuge` command finds: brought up to date first, or the command says in
one line what to run.

Commands that write (the demo, imports, tokens, passwords, the search for duplicates)
migrate a database that is behind, as `refuge serve` does, with a progress bar: a fresh
SQLite file takes some seconds. Commands that only read (exports) do not change the
schema behind an operator's back, say which command to run, and stop. Commands that need
no database (help, checks, planning on files) are left alone.
"""

import sys
from typing import TextIO

from django.core.management import call_command
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from tqdm import tqdm

# Never look at the database first: these need none, or manage the schema themselves.
NO_DATABASE = {
    "help", "version", "check", "migrate", "makemigrations", "showmigrations", "sqlmigrate",
    "squashmigrations", "optimizemigration", "collectstatic", "findstatic",
    "compilemessages", "makemessages", "diffsettings", "startapp", "startproject",
    "sendtestemail", "shell", "dbshell", "test", "testserver", "runserver", "allocate",
    "serve", "sqlflush", "sqlsequencereset", "inspectdb", "export_openapi_schema",
    # Reads files alone with --curve; without it, says itself what to run.
    "forecast",
    # Copy the database file itself; restore migrates the restored copy after.
    "backup", "restore",
}
# Bring the database up to date first: these write to it.
MIGRATE_FIRST = {
    "demo", "import_people", "import_sites", "token", "collect_password", "createsuperuser",
    "changepassword", "loaddata", "recount", "dedupe", "clearsessions", "flush",
    "createcachetable", "populate_history", "clean_duplicate_history", "clean_old_history",
    "remove_stale_contenttypes", "erase", "retention", "import_tracing", "tracing", "pfif",
    # django-axes: unlock who failed to sign in too often.
    "axes_reset", "axes_reset_failure_logs", "axes_reset_ip", "axes_reset_ip_username",
    "axes_reset_logs", "axes_reset_username",
}
# Only read: on a database that is behind, say what to run and stop. A command in none of
# these sets is treated so.
READS_ONLY = {"export", "duplicates", "dumpdata", "axes_list_attempts"}


def pending() -> list:
    """The migrations not yet applied to the default database, in the order they run."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return [migration for migration, _backwards in
            executor.migration_plan(executor.loader.graph.leaf_nodes())]


def ready_for(command: str, stderr: TextIO = sys.stderr) -> bool:
    """Make the database ready for `command`, or say in one line why it is not."""
    if command in NO_DATABASE or command.startswith("-"):
        return True
    try:
        missing = pending()
    except OperationalError as error:
        stderr.write(f"Refuge cannot reach its database: {_first_line(error)}. Check "
                     "DATABASE_URL, or unset it to use SQLite in REFUGE_VAR_DIR.\n")
        return False
    if not missing:
        return True
    if command in MIGRATE_FIRST:
        migrate_with_progress(len(missing), stderr)
        return True
    if "django_migrations" not in connections[DEFAULT_DB_ALIAS].introspection.table_names():
        stderr.write(f"The database has no tables yet: run `refuge migrate` first (or "
                     f"`refuge demo` for demo data), then `refuge {command}` again.\n")
    else:
        stderr.write(f"The database is {len(missing)} migrations behind this version of "
                     f"Refuge: run `refuge migrate` first, then `refuge {command}` again.\n")
    return False


def migrate_with_progress(count: int | None = None, stderr: TextIO = sys.stderr) -> None:
    """`refuge migrate`, with one bar over the migrations and a line when it is done."""
    count = len(pending()) if count is None else count
    if not count:
        return
    with tqdm(total=count, unit="migration", desc="Preparing the database", file=stderr,
              disable=None) as bar:
        command = _MigrateWithBar(bar)
        call_command(command, interactive=False, verbosity=0)
    stderr.write(f"The database is up to date ({count} migrations applied).\n")


class _MigrateWithBar(migrate.Command):
    def __init__(self, bar: tqdm):
        super().__init__()
        self.bar = bar

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action == "apply_success":
            self.bar.set_postfix_str(f"{migration.app_label}.{migration.name}"[:40])
            self.bar.update(1)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
