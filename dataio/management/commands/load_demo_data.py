import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dataio.demo import DEMO_ORGANISATION_NAME, load_demo_data

DEFAULT_PASSWORD = "correct-horse-battery"


class Command(BaseCommand):
    help = (
        "Load the demo data from the seed board papers (idempotent) and create one demo login "
        "per role. Demo only: refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD),
            help="Password for every demo login (default: $DEMO_PASSWORD or a fixed demo one).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Demo data and demo logins are for "
                "trying the portal only; pass --force if you really mean it."
            )
        result = load_demo_data(password=password)
        cycles = ", ".join(
            f"{c.label} ({c.get_status_display().lower()})" for c in result["cycles"]
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Reporting cycles: {cycles}."))
        self.stdout.write("Demo logins (all with the same password):")
        for email, roles in result["logins"]:
            role_text = ", ".join(r.replace("_", " ") for r in roles) or "administrator"
            self.stdout.write(f"  {email:<34} {role_text}")
        self.stdout.write(f"Password: {password}")
        if settings.ORGANISATION_NAME != DEMO_ORGANISATION_NAME:
            self.stdout.write(
                self.style.WARNING(
                    f"ORGANISATION_NAME is {settings.ORGANISATION_NAME!r}; the demo's ICS is "
                    f"{DEMO_ORGANISATION_NAME!r}. Set ORGANISATION_NAME to name it in the "
                    "header, footer, board-pack cover and emails (`make run` does)."
                )
            )
