from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from refuge.lib.csvfiles import read_file
from refuge.shelter.imports import REQUIRED_COLUMNS, import_sites


class Command(BaseCommand):
    help = (f"Create or update sites from a CSV file with columns {', '.join(REQUIRED_COLUMNS)} "
            "and optionally kind, community, address, latitude, longitude, step_free, "
            "accessible_bathroom, family_rooms, contact, organisation, is_open.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        text = read_file(path)
        admin = get_user_model().objects.filter(is_superuser=True).first()
        result = import_sites(text, user=admin)
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} problem(s) in {path}; no site was saved")
        self.stdout.write(f"Imported {path}: {result.created} sites created, "
                          f"{result.updated} updated.")
