from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from refuge.accounts.roles import ERASE_PEOPLE, can
from refuge.lib.errors import Invalid
from refuge.registry.erasure import erase_person
from refuge.registry.models import Erasure, Person


class Command(BaseCommand):
    help = ("Erase a person's personal data from every copy Refuge keeps (history, ODK "
            "intake, match pairs and what later apps keep), for a recorded reason. A "
            "pseudonymous stub keeps the figures and the audit trail.")

    def add_arguments(self, parser):
        parser.add_argument("person", help="The person's UUID")
        parser.add_argument("--reason", required=True,
                            choices=[code for code, _label in Erasure.REASONS])
        parser.add_argument("--note", default="", help="Kept: never the person's name")
        parser.add_argument("--by", required=True, help="Username of the administrator "
                            "who decided it (recorded in the audit log)")

    def handle(self, *args, **options):
        try:
            person_uuid = UUID(options["person"])
        except ValueError:
            raise CommandError(f"person: {options['person']!r} is not a UUID") from None
        person = Person.objects.filter(uuid=person_uuid).first()
        if person is None:
            raise CommandError(f"person: nobody has the UUID {person_uuid}")
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None or not can(user, ERASE_PEOPLE):
            raise CommandError(f"--by: {options['by']} is not an administrator")
        try:
            erasure, created = erase_person(person, reason=options["reason"],
                                            note=options["note"], user=user)
        except Invalid as invalid:
            raise CommandError("; ".join(f"{e.field}: {e.message}"
                                         for e in invalid.errors)) from None
        copies = ", ".join(f"{n} {where}" for where, n in sorted(erasure.copies.items()) if n)
        self.stdout.write(
            f"{'Erased' if created else 'Already erased'} {person_uuid} as "
            f"{erasure.pseudonym}: {copies or 'no copies'}; {erasure.exports_since} "
            "export(s) of names since registration to recall.")
