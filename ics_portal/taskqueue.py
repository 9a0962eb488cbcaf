"""The task queue as operations see it, whichever backend TASK_BACKEND chose (settings.py):
the worker command that serves it (`manage.py task_worker`), how long the oldest waiting task
has waited and whether the queue's store answers (for /health/), and the RQ queue class that
gives RQ jobs the portal's time limit and result lifetime.

Two backends keep a queue: the database queue (django-tasks-db; its `db_worker`) and Redis
through RQ (django-tasks-rq; django-rq's `rqworker`). Any other backend (immediate, dummy)
has no queue and no worker.
"""

import datetime

import django_rq
import redis
from django.conf import settings
from django.db import DatabaseError
from django.db.models.functions import Greatest
from django.utils import timezone
from django_rq.queues import DjangoRQ
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.base import BaseTaskBackend
from django_tasks_db import DatabaseBackend
from django_tasks_rq import RQBackend

DATABASE, RQ = "database", "rq"

# How many jobs at the head of an RQ queue are read to find the oldest. An RQ queue is a list
# in the order jobs were enqueued (django-tasks-rq never puts one at the front), so the head
# is the oldest; a few more are read in case the head's job has gone (deleted or expired).
RQ_HEAD = 10
# Seconds /health/ waits for Redis before saying it is unreachable.
REDIS_CHECK_TIMEOUT = 2


def backend(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> BaseTaskBackend:
    return task_backends[alias]


def kind(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> str | None:
    """`database`, `rq`, or None for a backend without a queue (immediate, dummy)."""
    configured = backend(alias)
    if isinstance(configured, DatabaseBackend):
        return DATABASE
    if isinstance(configured, RQBackend):
        return RQ
    return None


def worker_command(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> tuple[str, list[str]]:
    """The management command (and its arguments) that runs a worker for `alias`'s queues.
    Raises LookupError for a backend that has no worker."""
    queues = sorted(backend(alias).queues)
    match kind(alias):
        case "database":
            return "db_worker", ["--backend", alias, "--queue-name", ",".join(queues)]
        case "rq":
            # django-tasks-rq's job class runs a task (RQ's own cannot); --with-scheduler:
            # tasks deferred with run_after wait in RQ's scheduled registry until a scheduler
            # moves them to the queue.
            return "rqworker", ["--job-class", "django_tasks_rq.Job", "--with-scheduler", *queues]
    raise LookupError(
        f"The task backend {settings.TASKS[alias]['BACKEND']} keeps no queue, so there is no "
        "worker to start: it runs each task as it is enqueued. Set TASK_BACKEND=database or "
        "TASK_BACKEND=rq to run tasks in a worker."
    )


def oldest_queued_age(
    alias: str = DEFAULT_TASK_BACKEND_ALIAS, *, now: datetime.datetime | None = None
) -> datetime.timedelta | None:
    """How long the task that has waited longest for a worker has waited, or None when no
    task is waiting (or the backend keeps no queue). Tasks deferred to a later time count
    only once that time has come. Raises when the queue's store cannot be read (see
    queue_reachable)."""
    now = now or timezone.now()
    match kind(alias):
        case "database":
            enqueued = _oldest_in_database(alias)
        case "rq":
            enqueued = _oldest_in_rq(alias)
        case _:
            return None
    return None if enqueued is None else max(now - enqueued, datetime.timedelta(0))


def _oldest_in_database(alias: str) -> datetime.datetime | None:
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting = DBTaskResult.objects.ready().filter(
        backend_name=alias, queue_name__in=backend(alias).queues
    )
    # A task not deferred has waited since it was enqueued; a deferred one (now due) since
    # its time came.
    not_deferred = (
        waiting.filter(run_after=get_date_max())
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    deferred = (
        waiting.exclude(run_after=get_date_max())
        .annotate(since=Greatest("enqueued_at", "run_after"))
        .order_by("since")
        .values_list("since", flat=True)
        .first()
    )
    moments = [moment for moment in (not_deferred, deferred) if moment is not None]
    return min(moments) if moments else None


def _oldest_in_rq(alias: str) -> datetime.datetime | None:
    from django_tasks_rq import Job

    oldest = None
    for name in sorted(backend(alias).queues):
        queue = django_rq.get_queue(name, job_class=Job)
        jobs = Job.fetch_many(queue.get_job_ids(0, RQ_HEAD), connection=queue.connection)
        for job in jobs:
            if job is not None and job.enqueued_at is not None:
                oldest = job.enqueued_at if oldest is None else min(oldest, job.enqueued_at)
    return oldest


def queue_reachable(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> bool:
    """Whether the queue's store answers: the database for the database queue, Redis (within
    REDIS_CHECK_TIMEOUT seconds) for RQ. True for a backend without a queue."""
    match kind(alias):
        case "database":
            from django_tasks_db.models import DBTaskResult

            try:
                DBTaskResult.objects.exists()
            except DatabaseError:
                return False
            return True
        case "rq":
            return all(_redis_answers(name) for name in backend(alias).queues)
    return True


def _redis_answers(queue_name: str) -> bool:
    pool = django_rq.get_connection(queue_name).connection_pool
    client = redis.Redis(
        connection_pool=redis.ConnectionPool(
            connection_class=pool.connection_class,
            **{
                **pool.connection_kwargs,
                "socket_connect_timeout": REDIS_CHECK_TIMEOUT,
                "socket_timeout": REDIS_CHECK_TIMEOUT,
            },
        )
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class PortalQueue(DjangoRQ):
    """django-rq's queue, with the portal's result lifetime: RQ keeps a finished task's result
    (and a failed one's traceback) for TASK_RESULTS_KEEP_DAYS, like the database queue's
    pruning, instead of RQ's 500 seconds (and a year for failures). The time limit comes from
    RQ_QUEUES' DEFAULT_TIMEOUT (settings.TASK_TIMEOUT_SECONDS)."""

    def create_job(self, *args, result_ttl=None, failure_ttl=None, **kwargs):
        keep = int(datetime.timedelta(days=_keep_days()).total_seconds())
        return super().create_job(
            *args,
            result_ttl=keep if result_ttl is None else result_ttl,
            failure_ttl=keep if failure_ttl is None else failure_ttl,
            **kwargs,
        )


def _keep_days() -> int:
    return getattr(settings, "TASK_RESULTS_KEEP_DAYS", 14)
