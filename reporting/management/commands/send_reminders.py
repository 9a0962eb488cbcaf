from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ics_portal.models import ReportingCycle
from reporting import reminders
from reporting.models import ReminderSent


class Command(BaseCommand):
    help = (
        "Email leads what they still owe in each open cycle: reminders from "
        "REMINDER_DAYS_BEFORE days before the submission deadline, overdue notices after it. "
        "Each person is chased at most once a day, so it is safe to run from cron every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List who would be reminded today and send nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        days_before = settings.REMINDER_DAYS_BEFORE
        cycles = ReportingCycle.objects.filter(status=ReportingCycle.Status.OPEN).order_by(
            "fy_start_year", "quarter"
        )
        total = 0
        for cycle in cycles:
            kind = reminders.kind_due(cycle, today, days_before)
            if kind is None:
                self.stdout.write(
                    f"{cycle.label}: no reminders today (deadline "
                    f"{cycle.submission_deadline:%-d %B %Y}, reminders start {days_before} days "
                    "before)."
                )
                continue
            due = reminders.due_today(cycle, today)
            word = "overdue notice" if kind == ReminderSent.Kind.OVERDUE else "reminder"
            if dry_run:
                for chase in due:
                    self.stdout.write(
                        f"{cycle.label}: would send {word} to {chase.person.full_name} "
                        f"<{chase.person.email}>: {chase.summary}"
                    )
                total += len(due)
                continue
            sent = reminders.send(cycle, due, kind=kind, today=today)
            for chase in sent:
                self.stdout.write(
                    f"{cycle.label}: sent {word} to {chase.person.full_name} "
                    f"<{chase.person.email}>: {chase.summary}"
                )
            total += len(sent)
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(
            self.style.SUCCESS(f"{total} reminder{'s' if total != 1 else ''} {verb}.")
        )
