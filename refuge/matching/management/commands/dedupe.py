from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.matching import jobs
from refuge.matching.models import DedupeJob


class Command(BaseCommand):
    help = ("Find every candidate duplicate pair in the registry, estimate the matching "
            "model from the registry's own data, and queue the likely pairs for review. "
            "One search runs at a time; the duplicates page shows its progress.")

    def add_arguments(self, parser):
        parser.add_argument("--job", help="run this queued job (the duplicates page starts "
                                          "one so)")

    def handle(self, *args, **options):
        try:
            job = self.queued_job(options["job"]) if options["job"] else jobs.queue(None)
        except jobs.AlreadyRunning as running:
            raise CommandError(
                f"A search for duplicates is already {running.job.status} (since "
                f"{running.job.requested_at:%Y-%m-%d %H:%M}); wait for it to finish, or see "
                "its progress on the duplicates page.") from None
        with tqdm(total=len(jobs.STEPS), unit="step", desc="Finding duplicates",
                  disable=None) as bar:
            def progress(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            try:
                result = jobs.run(job, say=progress)
            except jobs.AlreadyRunning as running:
                raise CommandError(f"That job is {running.job.status} already.") from None
        self.stdout.write(
            f"Compared {result.people} people in {result.seconds:.1f} s: "
            f"{result.candidates} candidate pairs, {result.queued} queued for review, "
            f"{result.household_links} household links proposed.")

    def queued_job(self, uuid: str) -> DedupeJob:
        job = DedupeJob.objects.filter(uuid=uuid).first() if _is_uuid(uuid) else None
        if job is None:
            raise CommandError(f"--job: no search for duplicates has the id {uuid}")
        return job


def _is_uuid(text: str) -> bool:
    from uuid import UUID

    try:
        UUID(text)
    except ValueError:
        return False
    return True
