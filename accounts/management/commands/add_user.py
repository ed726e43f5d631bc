import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Add a user with a role: python manage.py add_user USERNAME --role ROLE "
        "[--org NAME] [--email E] [--password P]. Without --password it is prompted."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(Role.values))
        parser.add_argument("--org", help="Required for pengadaan and pembiayaan.")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Prompted when omitted.")

    def handle(self, *args, username, role, org, email, password, **options):
        if password is None:
            password = self._prompt_password()
        try:
            user = user_create(
                username=username, role=role, org_name=org, email=email, password=password
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError(" ".join(m for ms in messages.values() for m in ms)) from exc
        org_part = f", {user.organisation}" if user.organisation else ""
        self.stdout.write(self.style.SUCCESS(f"{user.username} ({role}{org_part})"))

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("No password given; pass --password or run interactively.") from exc
        if first != second:
            raise CommandError("The passwords do not match.")
        if not first:
            raise CommandError("The password cannot be empty.")
        return first
