from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from accounts.services import organisation_create


class Command(BaseCommand):
    help = "Add an organisation: python manage.py add_org NAME --kind KIND"

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, help=", ".join(Organisation.Kind.values))

    def handle(self, *args, name, kind, **options):
        try:
            organisation = organisation_create(name=name, kind=kind)
        except ValidationError as exc:
            raise CommandError(" ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        self.stdout.write(self.style.SUCCESS(f"{organisation.name} ({organisation.kind})"))
