from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from refuge.reports import exports


class Command(BaseCommand):
    help = ("Write the figures by date and province for partners: 'hxl' (HXL-tagged CSV), "
            "'csv', or 'xlsx'. Cells under 5 people are left blank.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(exports.FORMATS))
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--language", default="en", choices=["en", "hy", "ru"],
                            help="language of the column headers")

    def handle(self, *args, **options):
        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        if out.is_dir():
            raise CommandError(f"--out: {out} is a folder; give a file name")
        with translation.override(options["language"]):
            content = exports.FORMATS[options["kind"]].build()
        partial = out.with_name(out.name + ".partial")
        partial.write_bytes(content)
        partial.replace(out)  # a scheduled job never leaves a half-written file behind
        rows = exports.by_date_and_province()
        self.stdout.write(f"Wrote {options['kind']} figures to {out}: {len(rows)} rows "
                          f"(date × province), {len(content):,} bytes.")
