from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.ops import backups
from refuge.ops.schema import migrate_with_progress
from refuge.registry import counting


class Command(BaseCommand):
    help = ("Restore the SQLite database from a backup FILE made by `refuge backup`: the "
            "database replaced is kept beside it first; the schema is brought up to date "
            "and the figures are recounted from the people restored.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            with tqdm(total=1, unit="copy", desc="Restoring", disable=None) as bar:
                copy, kept = backups.restore(Path(options["file"]))
                bar.update(1)
        except (backups.NotSQLite, ValueError) as error:
            raise CommandError(str(error)) from None
        migrate_with_progress(stderr=self.stderr)
        people, tallies = counting.recount()
        counted, registered = counting.registrations_count_check()
        if counted != registered:
            raise CommandError(f"figures count {counted} people, the registry {registered}")
        self.stdout.write(f"Restored {options['file']}: {copy.people} people in "
                          f"{copy.households} households; figures recounted ({people} "
                          f"people, {tallies} tallies); the database replaced is kept as "
                          f"{kept}.")
