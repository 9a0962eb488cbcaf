"""What the portal can tell about its task queue without running a task: how long the oldest
task still waiting to start has waited (/health/ turns 503 when that passes
HEALTH_TASK_QUEUE_MAX_AGE: no worker is taking tasks). One function per question, with a
branch per task backend (TASK_BACKEND)."""

import datetime

from django.db.models import Min
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def oldest_queued_age() -> datetime.timedelta | None:
    """How long the oldest queued task (ready to run, not yet started) has waited since it
    was enqueued; None when no task waits, or when the configured backend keeps its queue
    where this function cannot look (then the health check passes). One query, however many
    tasks wait."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        oldest = (
            DBTaskResult.objects.ready()
            .filter(backend_name=backend.alias)
            .aggregate(oldest=Min("enqueued_at"))["oldest"]
        )
        return None if oldest is None else timezone.now() - oldest
    # A backend with no branch above (the immediate one has no queue) is not judged here.
    return None
