from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.ops import backups


class Command(BaseCommand):
    help = ("Back up the SQLite database to FILE while the server runs (SQLite's online "
            "backup: a snapshot of one moment), and check the copy. PostgreSQL: pg_dump.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        target = Path(options["file"])
        if target.is_dir():
            raise CommandError(f"{target} is a folder: give a file name")
        try:
            with tqdm(total=1, unit="copy", desc="Backing up", disable=None) as bar:
                copy = backups.backup(target)
                bar.update(1)
        except (backups.NotSQLite, ValueError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up to {copy.path}: {copy.bytes / 1e6:.1f} MB, "
                          f"{copy.people} people in {copy.households} households, checked, "
                          f"in {copy.seconds:.1f} s.")
