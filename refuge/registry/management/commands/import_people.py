from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.accounts.models import Post
from refuge.lib.csvfiles import read_file
from refuge.registry.imports import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, import_people


class Command(BaseCommand):
    help = (f"Import people from a CSV file with columns {', '.join(REQUIRED_COLUMNS)} and "
            f"optionally {', '.join(OPTIONAL_COLUMNS)}. Rows sharing household_ref form one "
            "household; bad rows are reported by line and the good ones kept; a record_id "
            "already imported is skipped.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--post", help="Code of the reception centre to register them at "
                            "(default: a post named IMPORT, created when missing)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        text = read_file(path)
        post = None
        if options["post"]:
            post = Post.objects.filter(code=options["post"].upper()).first()
            if post is None or post.kind != Post.RECEPTION:
                raise CommandError(f"--post: no reception centre has the code {options['post']}")
        admin = get_user_model().objects.filter(is_superuser=True).first()
        rows = max(text.count("\n") - 1, 0)
        with tqdm(total=rows, unit="rows", desc="Importing", disable=None) as bar:
            result = import_people(text, user=admin, post=post, progress=bar.update)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"Imported {path}: {result.people} people in {result.households} new households; "
            f"{result.already} already imported; {len(result.errors)} row(s) with problems "
            "not imported.")
        if result.errors and not result.people and not result.already:
            raise CommandError(f"nothing in {path} could be imported")
