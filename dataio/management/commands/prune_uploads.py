"""Delete spreadsheet uploads left waiting for more than a day (and the checks of their previews),
and end imports a stopped task worker left behind. Safe to run from cron every hour (README:
Production)."""

from django.core.management.base import BaseCommand

from dataio import actions, uploads


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        deleted = uploads.sweep()
        failed = actions.fail_abandoned_imports()
        checks = actions.forget_old_checks()
        self.stdout.write(
            f"{deleted} upload file{'s' if deleted != 1 else ''} older than a day deleted; "
            f"{failed} unfinished import{'s' if failed != 1 else ''} marked as failed. "
            f"{checks} check{'s' if checks != 1 else ''} of old uploads deleted."
        )
