"""`manage.py prune_task_results` deletes finished task results older than TASK_RESULTS_KEEP_DAYS
(default 14) from the database queue, in every queue, and never a queued or running task."""

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

ROOT = Path(__file__).resolve().parents[2]
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE


def result(status: str, *, age_days: float, queue: str = "default") -> DBTaskResult:
    """A task result enqueued (and, if finished, finished) `age_days` ago."""
    when = timezone.now() - timedelta(days=age_days)
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ics_portal.tasks.send_email",
        backend_name="default",
        queue_name=queue,
        run_after=get_date_max(),
        started_at=when if status != "READY" else None,
        finished_at=when if status in ("SUCCESSFUL", "FAILED") else None,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=when)
    return row


def prune(*args) -> str:
    out = io.StringIO()
    call_command("prune_task_results", *args, stdout=out)
    return out.getvalue()


def keep_days(**environ) -> subprocess.CompletedProcess:
    """TASK_RESULTS_KEEP_DAYS as the settings read it from exactly this environment."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from ics_portal import settings; print(settings.TASK_RESULTS_KEEP_DAYS)",
        ],
        cwd=ROOT,
        env={**keep, "TESTING": "1", **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_default_is_fourteen_days_and_the_environment_sets_it():
    assert keep_days().stdout.strip() == "14"
    assert keep_days(TASK_RESULTS_KEEP_DAYS="30").stdout.strip() == "30"


@pytest.mark.parametrize("value", ["0", "-1", "two weeks"])
def test_a_bad_value_names_the_variable(value):
    run = keep_days(TASK_RESULTS_KEEP_DAYS=value)
    assert run.returncode != 0 and "TASK_RESULTS_KEEP_DAYS" in run.stderr


def test_finished_results_older_than_the_setting_go_and_nothing_else(database_queue, db, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 14
    old_ok = result("SUCCESSFUL", age_days=15)
    old_failed = result("FAILED", age_days=30, queue="imports")  # every queue
    recent_ok = result("SUCCESSFUL", age_days=13)
    recent_failed = result("FAILED", age_days=1)
    old_queued = result("READY", age_days=60)  # a worker that has been down: still to run
    old_running = result("RUNNING", age_days=60)
    assert "Would delete 2 finished task results" in prune("--dry-run")
    assert DBTaskResult.objects.count() == 6

    out = prune()
    assert "Deleted 2 finished task results older than 14 days" in out
    assert "queued and running tasks are kept" in out
    kept = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert kept == {r.pk for r in (recent_ok, recent_failed, old_queued, old_running)}
    assert not DBTaskResult.objects.filter(pk__in=[old_ok.pk, old_failed.pk]).exists()
    assert "Deleted 0 finished task results" in prune()  # safe to run again


def test_the_setting_decides_how_long(database_queue, db, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 3
    result("SUCCESSFUL", age_days=4)
    result("SUCCESSFUL", age_days=2)
    assert "Deleted 1 finished task result older than 3 days" in prune()
    assert DBTaskResult.objects.count() == 1


def test_a_backend_without_database_results_has_nothing_to_prune(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result("SUCCESSFUL", age_days=40)
    assert "nothing to prune" in prune()
    assert DBTaskResult.objects.count() == 1
