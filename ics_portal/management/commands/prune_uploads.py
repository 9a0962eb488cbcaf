"""Delete spreadsheet uploads left waiting for more than a day. Safe to run from cron every
hour (README: Production)."""

from django.core.management.base import BaseCommand

from ics_portal.dataio import uploads


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        deleted = uploads.sweep()
        self.stdout.write(
            f"{deleted} upload file{'s' if deleted != 1 else ''} older than a day deleted."
        )
