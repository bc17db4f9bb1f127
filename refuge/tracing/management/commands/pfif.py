from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from refuge.tracing import pfif


class Command(BaseCommand):
    help = ("PFIF exchange with Person Finder and other repositories. `export --out FILE.xml` "
            "writes this Refuge's tracing requests as PFIF 1.4 (sensitive fields only with "
            "--full); `import FILE.xml` reads PFIF 1.2, 1.3 or 1.4 persons and notes.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", nargs="?")
        parser.add_argument("--out", help="Where export writes")
        parser.add_argument("--full", action="store_true",
                            help="Export the sensitive fields too (dates of birth, contacts)")

    def handle(self, *args, **options):
        if options["action"] == "export":
            out = options["out"] or options["file"]
            if not out:
                raise CommandError("export needs --out FILE.xml")
            Path(out).write_bytes(pfif.export(options["full"]))
            self.stdout.write(f"Wrote {len(pfif.exported())} person record(s) to {out}.")
            return
        path = Path(options["file"] or "")
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        admin = get_user_model().objects.filter(is_superuser=True).first()
        result = pfif.import_file(path.read_bytes(), user=admin)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"Imported {path}: {result.persons} new, {result.updated} updated, "
            f"{result.kept_newer} kept (ours was newer), {result.placeholders} expired to "
            f"placeholders, {result.links} duplicate link(s) to review; "
            f"{len(result.errors)} problem(s).")
        if result.errors and not (result.persons or result.updated or result.kept_newer):
            raise CommandError(f"nothing in {path} could be imported")
