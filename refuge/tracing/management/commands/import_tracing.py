from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.lib.csvfiles import read_file
from refuge.tracing.imports import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, import_tracing


class Command(BaseCommand):
    help = (f"Import tracing requests (one sought person per row) from a CSV file with "
            f"columns {', '.join(REQUIRED_COLUMNS)} and optionally "
            f"{', '.join(OPTIONAL_COLUMNS)}. Rows sharing enquiry_ref are one enquiry; bad "
            "rows are reported by line and the good ones kept; a request_ref imported "
            "before is skipped. Each request is matched against the registry at once.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        text = read_file(path)
        admin = get_user_model().objects.filter(is_superuser=True).first()
        rows = max(text.count("\n") - 1, 0)
        with tqdm(total=rows, unit="rows", desc="Importing requests", disable=None) as bar:
            result = import_tracing(text, user=admin, progress=bar.update)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"Imported {path}: {result.requests} requests in {result.enquiries} new "
            f"enquiries; {result.already} already imported; {len(result.errors)} row(s) "
            "with problems not imported.")
        if result.errors and not result.requests and not result.already:
            raise CommandError(f"nothing in {path} could be imported")
