from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.accounts.models import Post
from refuge.lib.csvfiles import read_file
from refuge.registry.imports import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, import_people


def rows(count: int) -> str:
    return f"{count:,} bad row" + ("" if count == 1 else "s")


class Command(BaseCommand):
    help = (f"Import people from a CSV file with columns {', '.join(REQUIRED_COLUMNS)} and "
            f"optionally {', '.join(OPTIONAL_COLUMNS)}. Rows sharing household_ref form one "
            "household. The whole file is checked first: every bad row is reported by line, "
            "and with any, nothing is imported (unless --skip-bad-rows). A record_id already "
            "imported is skipped.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--post", help="Code of the reception centre to register them at "
                            "(default: a post named IMPORT, created when missing)")
        parser.add_argument("--skip-bad-rows", action="store_true",
                            help="Import the good rows of a file that has bad ones (which "
                            "are still reported)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        text = read_file(path)
        post = None
        if options["post"]:
            post = Post.objects.filter(code=options["post"].upper()).first()
            if post is None or post.kind != Post.RECEPTION:
                raise CommandError(f"--post: no reception centre has the code {options['post']}")
        admin = get_user_model().objects.filter(is_superuser=True).first()
        lines = max(text.count("\n") - 1, 0)
        # Each row is counted twice: once checked, once saved.
        with tqdm(total=2 * lines, unit="rows", desc="Checking, then importing",
                  disable=None) as bar:
            result = import_people(text, user=admin, post=post, progress=bar.update,
                                   skip_bad_rows=options["skip_bad_rows"])
        for error in result.errors:
            self.stderr.write(error)
        if result.errors and not (result.people or result.already):
            if not result.good_rows:
                raise CommandError(f"nothing imported from {path}: no row could be imported "
                                   "(see above)")
            raise CommandError(
                f"{path}: nothing was imported: {rows(result.bad_rows)} (listed above). Fix "
                f"the file, or run again with --skip-bad-rows to import the {result.good_rows:,} "
                "good ones.")
        summary = (f"Imported {path}: {result.people:,} people in {result.households:,} new "
                   f"households; {result.already:,} already imported")
        if result.errors:
            summary += f"; {rows(result.bad_rows)} not imported (listed above)"
        self.stdout.write(summary + ".")
