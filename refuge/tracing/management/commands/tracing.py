from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from refuge.tracing.exports import write_matches
from refuge.tracing.matching import LIKELY_FOUND


class Command(BaseCommand):
    help = ("Tracing from the command line. --matches OUT.csv writes request_ref, record_id, "
            "probability, rank: the best candidates of every open request, best first, at "
            "most 5 each.")

    def add_arguments(self, parser):
        parser.add_argument("--matches", metavar="OUT.csv", required=True)
        parser.add_argument("--threshold", type=float, default=LIKELY_FOUND,
                            help=f"Lowest probability written (default {LIKELY_FOUND}, "
                            "what Refuge ships as likely found)")

    def handle(self, *args, **options):
        threshold = options["threshold"]
        if not 0 <= threshold <= 1:
            raise CommandError("--threshold: a probability between 0 and 1")
        path = Path(options["matches"])
        with path.open("w", encoding="utf-8", newline="") as out:
            count = write_matches(out, threshold)
        self.stdout.write(f"Wrote {count} candidate(s) at or above {threshold} to {path}.")
