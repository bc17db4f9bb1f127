from django.core.management.base import BaseCommand
from tqdm import tqdm

from refuge.matching.services import dedupe

STEPS = ["reading", "blocking", "comparing", "estimating", "family evidence", "saving"]


class Command(BaseCommand):
    help = ("Find every candidate duplicate pair in the registry, estimate the matching "
            "model from the registry's own data, and queue the likely pairs for review.")

    def handle(self, *args, **options):
        with tqdm(total=len(STEPS), unit="step", desc="Finding duplicates", disable=None) as bar:
            def progress(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            result = dedupe(progress=progress)
        self.stdout.write(
            f"Compared {result.people} people in {result.seconds:.1f} s: "
            f"{result.candidates} candidate pairs, {result.queued} queued for review, "
            f"{result.household_links} household links proposed.")
