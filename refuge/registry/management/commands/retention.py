from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.accounts.roles import ERASE_PEOPLE, can
from refuge.registry import retention


class Command(BaseCommand):
    help = ("Remove what each purpose keeps past its retention schedule "
            "(REFUGE_RETENTION): people of long-closed households are erased, old audit "
            "events deleted. --dry-run only counts; a real run is recorded.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Show what would go, remove nothing")
        parser.add_argument("--by", help="Username of the administrator running it "
                            "(required unless --dry-run)")

    def handle(self, *args, **options):
        user = None
        if options["by"] or not options["dry_run"]:
            user = get_user_model().objects.filter(username=options["by"] or "").first()
            if user is None or not can(user, ERASE_PEOPLE):
                raise CommandError(f"--by: {options['by']} is not an administrator")
        with tqdm(unit="records", desc="Retention", disable=None) as bar:
            due = retention.run(dry_run=options["dry_run"], user=user, progress=bar.update)
        for item in due:
            kept = f"{item.days} days" if item.days else "without limit"
            self.stdout.write(f"{item.purpose:<13} kept {kept:<14} "
                              f"{'would go' if options['dry_run'] else 'removed'}: "
                              f"{item.count}")
        total = sum(item.count for item in due)
        self.stdout.write(f"{'Would remove' if options['dry_run'] else 'Removed'} {total} "
                          "record(s) past their retention"
                          + ("; nothing was changed." if options["dry_run"] else
                             "; recorded in the audit log."))
