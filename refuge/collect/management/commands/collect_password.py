import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from refuge.collect.auth import set_password


class Command(BaseCommand):
    help = ("Set the password a user types into ODK Collect or KoboCollect. It is kept apart "
            "from the sign-in password, as the Digest hash those apps need.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="the password (asked for when left out)")

    def handle(self, *args, **options):
        username = options["username"]
        if not get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"username: there is no user {username}")
        password = options["password"] or getpass.getpass("Collect password: ")
        if len(password) < 8:
            raise CommandError("password: use at least 8 characters")
        set_password(username, password)
        self.stdout.write(f"Collect password set for {username}.")
