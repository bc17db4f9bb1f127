import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from refuge.ops import demo
from refuge.registry.counting import count_tallies
from refuge.registry.models import Person, Tally
from refuge.shelter import demo as shelter_demo

MAX_PEOPLE = 1_000_000
BATCH_HOUSEHOLDS = 1000


class Command(BaseCommand):
    help = "Load a synthetic week-long influx: posts, tallies, households and a user per role."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10_000,
                            help=f"people to register (up to {MAX_PEOPLE:,})")
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--reset", action="store_true",
                            help="delete existing households, people and tallies first")
        parser.add_argument("--password", default="",
                            help="one password for all demo users (default: role-demo)")

    def handle(self, *args, **options):
        people = options["people"]
        if not 1 <= people <= MAX_PEOPLE:
            raise CommandError(f"--people: must be from 1 to {MAX_PEOPLE:,}, not {people}")
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA journal_mode=WAL")
        started = time.monotonic()
        existing = Person.objects.count()
        if existing and not options["reset"]:
            self.print_logins(demo.create_users(self.password_maker(options)))
            self.stdout.write(f"Demo data is already loaded ({existing:,} people); "
                              "use --reset to replace it.")
            return
        if options["reset"]:
            demo.clear_registry()
        now = timezone.now()
        gen = demo.Generator(options["seed"], timezone.localdate(now))
        posts = demo.create_posts()
        logins = demo.create_users(self.password_maker(options))
        registrar = get_user_model().objects.get(username="registrar")

        crossed_target = round(people * demo.CROSSED_PER_REGISTERED)
        tallies = list(demo.tallies(gen, posts, crossed_target, now, registrar))
        Tally.objects.bulk_create(tallies, batch_size=5000)
        count_tallies(tallies)

        made_people = made_households = 0
        batch = []
        with tqdm(total=people, unit="people", desc="Registering", disable=None) as bar:
            for row in demo.households(gen, posts, people, now):
                batch.append(row)
                if len(batch) >= BATCH_HOUSEHOLDS:
                    added = demo.save_batch(batch, registrar)
                    made_people += added
                    made_households += len(batch)
                    bar.update(added)
                    batch = []
            if batch:
                added = demo.save_batch(batch, registrar)
                made_people += added
                made_households += len(batch)
                bar.update(added)
        sites = shelter_demo.create_sites(gen.random, made_people)
        placed = shelter_demo.place_households(gen.random)
        connection.cursor().execute("ANALYZE")
        self.print_logins(logins)
        seconds = time.monotonic() - started
        crossed = sum(t.people_aboard for t in tallies)
        self.stdout.write(
            f"Demo loaded: {made_people:,} people in {made_households:,} households at "
            f"{len(posts)} posts, {len(tallies):,} vehicles ({crossed:,} people crossed), "
            f"{len(sites)} shelter sites with {placed:,} households placed, "
            f"{len(logins)} users, in {seconds:.1f}s."
        )

    def password_maker(self, options):
        given = options["password"]
        return lambda role: given or f"{role}-demo"

    def print_logins(self, logins):
        self.stdout.write("Logins (user name / password):")
        for role, username, password in logins:
            self.stdout.write(f"  {role:16} {username} / {password}")
