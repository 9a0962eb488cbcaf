"""`manage.py task_worker` starts the worker of the configured backend, with the portal's
defaults first and the caller's options after them."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from ics_portal.management.commands import task_worker
from packs.tasks import announce_publication

DATABASE_WORKER = ["--backend", "default", "--queue-name", "default"]
RQ_WORKER = ["--job-class", "django_tasks_rq.Job", "--with-scheduler", "default"]


@pytest.fixture
def started():
    with mock.patch.object(task_worker, "call_command") as underlying:
        yield underlying


def test_database_backend_starts_db_worker(database_settings, started):
    call_command("task_worker")
    started.assert_called_once_with("db_worker", *DATABASE_WORKER, verbosity=1)


def test_rq_backend_starts_rqworker_with_the_tasks_job_class(settings, started):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    call_command("task_worker")
    started.assert_called_once_with("rqworker", *RQ_WORKER, verbosity=1)


def test_extra_options_are_passed_to_the_worker_after_the_defaults(settings, started):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    call_command("task_worker", "--burst", "--max-jobs", "3", "-v", "2")
    started.assert_called_once_with(
        "rqworker", *RQ_WORKER, "--burst", "--max-jobs", "3", verbosity=2
    )


def test_extra_options_may_follow_a_double_dash(database_settings, started):
    call_command("task_worker", "--", "--batch", "--interval", "5")
    started.assert_called_once_with(
        "db_worker", *DATABASE_WORKER, "--batch", "--interval", "5", verbosity=1
    )


def test_the_command_line_passes_options_through(database_settings, started):
    """As an operator types it: manage.py task_worker --batch --queue-name=*"""
    command = task_worker.Command()
    command.run_from_argv(["manage.py", "task_worker", "--batch", "--queue-name=*"])
    started.assert_called_once_with(
        "db_worker", *DATABASE_WORKER, "--batch", "--queue-name=*", verbosity=1
    )


def test_a_backend_without_a_queue_has_no_worker(settings, started):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="TASK_BACKEND=database or TASK_BACKEND=rq"):
        call_command("task_worker")
    started.assert_not_called()


@pytest.mark.django_db
def test_the_real_database_worker_runs_a_queued_task(database_settings):
    """Not mocked: db_worker, with the portal's arguments, works through the queue once.
    It drops connections that are not in autocommit mode between tasks, as the test's
    transaction is not, and takes over SIGINT and SIGTERM: both are held off, so the test's
    data stays visible to it and is rolled back afterwards (a transactional test would flush
    the tables, and with them the risk matrix the migrations put in, under later tests)."""
    queued = announce_publication.enqueue(published_id=0)  # no such pack: emails nobody
    with (
        mock.patch.object(db_worker, "close_old_connections"),
        mock.patch.object(db_worker.Worker, "configure_signals"),
    ):
        call_command("task_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    finished = DBTaskResult.objects.get(pk=queued.id)
    assert finished.status == "SUCCESSFUL"
    assert finished.return_value == 0


def test_an_rq_worker_stops_without_waiting_out_its_pub_sub_poll(rq_settings):
    """rq 3.0 listens for stop commands on a pub/sub thread that polls Redis every 60 s and
    stops it when the worker stops. With redis 8.2 stopping that thread waited for the poll to
    end, so an RQ worker (a burst run, a deploy, a SIGTERM) often took a minute to stop: here
    the stop is asked for while the thread is waiting, and must return at once."""
    import threading
    import time

    from django_rq import get_connection
    from rq import SimpleWorker

    worker = SimpleWorker(["default"], connection=get_connection("default"))
    worker.subscribe()
    time.sleep(0.5)  # the thread is now inside its 60 s wait for a message
    stopping = threading.Thread(target=worker.pubsub_thread.stop, daemon=True)
    stopping.start()
    stopping.join(timeout=15)  # a bound on a hang, not a timing measurement
    try:
        assert not stopping.is_alive(), "stopping the worker waited for its pub/sub poll"
    finally:
        worker.pubsub.unsubscribe()
