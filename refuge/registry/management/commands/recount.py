import time

from django.core.management.base import BaseCommand

from refuge.registry import counting


class Command(BaseCommand):
    help = ("Rebuild the situation figures from the registry itself, e.g. after restoring a "
            "backup or importing data outside Refuge's services.")

    def handle(self, *args, **options):
        started = time.monotonic()
        people, tallies = counting.recount()
        counted, registered = counting.registrations_count_check()
        self.stdout.write(f"Recounted {people:,} people and {tallies:,} tallies in "
                          f"{time.monotonic() - started:.1f}s; figures show {counted:,} "
                          f"registered of {registered:,} people in the registry.")
