"""TASK_BACKEND by its short name (database, rq, immediate) or a dotted path; anything else
stops the portal naming the variable and the choices. Each case reads the settings in a fresh
interpreter with exactly the environment given."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import json
from ics_portal import settings as s
print(json.dumps({
    "BACKEND": s.TASKS["default"]["BACKEND"], "APPS": s.INSTALLED_APPS,
    "RQ_QUEUES": s.RQ_QUEUES, "RQ": s.RQ,
}))
"""
PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.nhs.uk"}


def run(*command, **environ) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**keep, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_from(**environ) -> dict:
    result = run("-c", PROBE, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_queues_in_the_database_by_default():
    seen = settings_from(**PRODUCTION)
    assert seen["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_rq" not in seen["APPS"]


def test_tests_run_tasks_immediately_by_default():
    assert settings_from(TESTING="1")["BACKEND"] == (
        "django_tasks.backends.immediate.ImmediateBackend"
    )


@pytest.mark.parametrize(
    ("name", "backend"),
    [
        ("database", "django_tasks_db.DatabaseBackend"),
        ("Database", "django_tasks_db.DatabaseBackend"),
        ("rq", "django_tasks_rq.RQBackend"),
        ("immediate", "django_tasks.backends.immediate.ImmediateBackend"),
        ("django_tasks.backends.dummy.DummyBackend", "django_tasks.backends.dummy.DummyBackend"),
    ],
)
def test_a_short_name_or_a_dotted_path_chooses_the_backend(name, backend):
    assert settings_from(**PRODUCTION, TASK_BACKEND=name)["BACKEND"] == backend


def test_rq_reads_redis_url_and_gives_tasks_ten_minutes():
    seen = settings_from(**PRODUCTION, TASK_BACKEND="rq", REDIS_URL="redis://redis.internal:6380/2")
    assert {"django_tasks_rq", "django_rq"} <= set(seen["APPS"])
    assert seen["RQ_QUEUES"] == {
        "default": {"URL": "redis://redis.internal:6380/2", "DEFAULT_TIMEOUT": 600}
    }
    assert seen["RQ"]["JOB_CLASS"] == "django_tasks_rq.Job"


def test_redis_url_defaults_to_the_local_redis():
    seen = settings_from(**PRODUCTION, TASK_BACKEND="rq")
    assert seen["RQ_QUEUES"]["default"]["URL"] == "redis://127.0.0.1:6379/0"


def test_an_unknown_backend_is_refused_naming_the_variable_and_the_choices():
    result = run("-c", PROBE, **PRODUCTION, TASK_BACKEND="redis")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured: TASK_BACKEND='redis' is not a task backend" in last_line
    assert all(choice in last_line for choice in ("database", "rq", "immediate"))


def test_the_rq_backend_passes_the_system_checks():
    """django-tasks-rq checks that django_rq is installed and every queue is configured."""
    result = run("manage.py", "check", "--fail-level", "WARNING", DEBUG="1", TASK_BACKEND="rq")
    assert result.returncode == 0, result.stderr
