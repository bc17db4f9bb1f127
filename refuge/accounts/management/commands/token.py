from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from refuge.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user. The token is shown once; only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user called {options['username']!r}")
        _token, key = ApiToken.objects.issue(user, options["name"])
        self.stdout.write(key)
