from django.core.management.base import BaseCommand
from django.utils import timezone

from reporting import submissions


class Command(BaseCommand):
    help = (
        "Email governance officers one digest a day of the updates and risk reviews submitted "
        "since the last digest and still waiting for review (SUBMISSION_NOTICE=daily). Sends "
        "from SUBMISSION_DIGEST_HOUR, at most once a day and never an empty email, so it is "
        "safe to run from cron every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent and send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        why_not = submissions.digest_due(now)
        if why_not:
            self.stdout.write(f"No digest now: {why_not}")
            return
        queue = submissions.send_digest(now, dry_run=dry_run)
        for row in queue.items:
            self.stdout.write(f"{row.title}, {row.cycle.label}: {row.kind_label}")
        if not queue.count:
            self.stdout.write("Nothing was submitted since the last digest: no email sent.")
            return
        verb = "would list" if dry_run else "lists"
        self.stdout.write(self.style.SUCCESS(f"The digest {verb} {queue.count} item(s)."))
