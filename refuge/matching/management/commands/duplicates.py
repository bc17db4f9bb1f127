from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.matching import exports
from refuge.matching.engine import REVIEW_FLOOR, SHIPPED_THRESHOLD


class Command(BaseCommand):
    help = ("Write what `refuge dedupe` found: every candidate pair (--export) or the "
            "clusters at a threshold (--clusters), with each record's record_id.")

    def add_arguments(self, parser):
        parser.add_argument("--export", metavar="PAIRS.csv",
                            help="record_id_a, record_id_b, probability for every pair")
        parser.add_argument("--clusters", metavar="CLUSTERS.csv",
                            help="record_id, cluster_id for every record")
        parser.add_argument("--threshold", type=float, default=SHIPPED_THRESHOLD,
                            help=f"probability that joins a cluster (default "
                                 f"{SHIPPED_THRESHOLD}); pairs below {REVIEW_FLOOR} were "
                                 "never kept")

    def handle(self, *args, **options):
        if not options["export"] and not options["clusters"]:
            raise CommandError("give --export PAIRS.csv, --clusters CLUSTERS.csv or both")
        if not 0 < options["threshold"] <= 1:
            raise CommandError("--threshold: a probability above 0 and at most 1")
        if not exports.has_run():
            raise CommandError("no duplicates found yet: run `refuge dedupe` first")
        if options["export"]:
            with tqdm(unit="pairs", desc="Writing pairs", disable=None) as bar:
                count = exports.write_pairs(Path(options["export"]), progress=bar.update)
            self.stdout.write(f"Wrote {count} pairs to {options['export']}.")
        if options["clusters"]:
            with tqdm(unit="records", desc="Writing clusters", disable=None) as bar:
                records, clusters = exports.write_clusters(
                    Path(options["clusters"]), options["threshold"], progress=bar.update)
            self.stdout.write(f"Wrote {records} records in {clusters} clusters at "
                              f"p ≥ {options['threshold']} to {options['clusters']}.")
