"""Delete finished task results (successful or failed) older than TASK_RESULTS_KEEP_DAYS days from
the database task queue; never a queued or running task. Run it from cron once a day (docs/deploy.md,
Background work).

The deleting is django_tasks_db's own `prune_db_task_results`, run for every database backend
configured, across all its queues, with the portal's setting. A backend that keeps no results in
the database (RQ expires its own; the immediate backend keeps none) has nothing to prune here.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Delete finished task results older than TASK_RESULTS_KEEP_DAYS days (default 14); "
        "queued and running tasks are kept. Safe to run from cron daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many would go, and delete nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.TASK_RESULTS_KEEP_DAYS
        aliases = [
            alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)
        ]
        if not aliases:
            names = ", ".join(f"{a} ({settings.TASKS[a]['BACKEND']})" for a in settings.TASKS)
            self.stdout.write(
                f"No task backend keeps its results in the database ({names}): nothing to prune."
            )
            return
        cutoff = timezone.now() - timedelta(days=days)
        for alias in aliases:
            old = DBTaskResult.objects.finished().filter(
                backend_name=alias, finished_at__lte=cutoff
            )
            before = old.count()
            if not dry_run:
                call_command(
                    "prune_db_task_results",
                    f"--backend={alias}",
                    "--queue-name=*",
                    f"--min-age-days={days}",
                    verbosity=0,
                )
            gone = before if dry_run else before - old.count()
            self.stdout.write(
                f"{'Would delete' if dry_run else 'Deleted'} {gone} finished task "
                f"result{'s' if gone != 1 else ''} older than {days} "
                f"day{'s' if days != 1 else ''} (backend {alias!r}); queued and running "
                "tasks are kept."
            )
