"""Log lines an operator can follow: each names the request it was logged during (the id the
response returns in X-Request-ID, and gunicorn's access log records) and the task it was
logged by; LOG_FORMAT=json makes them one JSON object a line for a log collector.

The formats are tried in a fresh interpreter with exactly the environment given, because
settings read LOG_FORMAT once, at start-up."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks import task
from django_tasks_db.management.commands import db_worker

from ics_portal.observability import RequestContextFilter

ROOT = Path(__file__).resolve().parents[2]
NEW_ID = re.compile(r"[0-9a-f]{32}")

# One request that logs (a 404 is logged by django.request), then one line after it.
PROBE = """
import django, logging
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/no-such-page/")
print(response["X-Request-ID"])
logging.getLogger("probe").warning("after the request")
"""


def run(**environ) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "ics_portal.settings",
            "TESTING": "1",
            "DATABASE_URL": "sqlite:///:memory:",
            **environ,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_lines_carry_the_request_id_the_response_returned():
    result = run(LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    request_id = result.stdout.strip()
    lines = [json.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
    (not_found,) = [line for line in lines if line["message"] == "Not Found: /no-such-page/"]
    assert not_found["request_id"] == request_id
    assert not_found["level"] == "WARNING"
    assert not_found["logger"] == "django.request"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", not_found["time"])
    (after,) = [line for line in lines if line["message"] == "after the request"]
    assert after["request_id"] is None  # logged after the request: none


def test_text_is_the_default_and_shows_the_request_id_too():
    result = run()
    assert result.returncode == 0, result.stderr
    request_id = result.stdout.strip()
    assert f"WARNING django.request [request_id={request_id} task_id=-] Not Found" in result.stderr
    assert "[request_id=- task_id=-] after the request" in result.stderr


def test_an_unknown_log_format_is_refused_naming_the_variable():
    result = run(LOG_FORMAT="xml")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert "LOG_FORMAT='xml'" in last_line
    assert "Set LOG_FORMAT to json" in last_line


# --- in this process: the id itself, and lines logged inside views and tasks ------------------


class Collected(logging.Handler):
    """The console handler's filter, keeping the records it saw."""

    def __init__(self):
        super().__init__()
        self.addFilter(RequestContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collected()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@pytest.mark.django_db
def test_a_new_id_is_made_and_returned_when_none_comes_in():
    assert NEW_ID.fullmatch(Client().get("/health/")["X-Request-ID"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5bd9cb469fa16570867728950e"],
    ids=["uuid", "hex"],
)
def test_a_uuid_from_the_proxy_is_kept(given):
    assert Client().get("/health/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    [
        "<script>alert(1)</script>",
        "abc\r\nX-Injected: yes",
        "id with spaces",
        "x" * 500,
        "request-42",
        "'; DROP TABLE",
    ],
)
def test_anything_else_from_outside_is_replaced(given):
    response = Client().get("/health/", HTTP_X_REQUEST_ID=given)
    assert NEW_ID.fullmatch(response["X-Request-ID"])
    assert "X-Injected" not in response


@pytest.mark.django_db
def test_lines_logged_inside_a_view_carry_the_requests_id(settings, collected):
    # A failing health check logs its reason from inside the view.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # never keeps
    }
    response = Client().get("/health/")
    assert response.status_code == 503
    inside = [r for r in collected if r.name == "health_check"]
    assert inside
    assert {r.request_id for r in inside} == {response["X-Request-ID"]}


@task()
def logs_a_line():
    logging.getLogger("tests.deploy").warning("inside the task")


@pytest.mark.django_db
def test_lines_logged_by_a_task_carry_its_id(collected):
    result = logs_a_line.enqueue()  # the suite's immediate backend runs it now
    (inside,) = [r for r in collected if r.getMessage() == "inside the task"]
    assert inside.task_id == str(result.id)
    logging.getLogger("tests.deploy").warning("after the task")
    assert collected[-1].task_id is None


@pytest.mark.django_db
def test_the_database_worker_lines_carry_the_task_id(settings, collected):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = logs_a_line.enqueue()
    # The worker drops connections that are not in autocommit mode, as the test's
    # transaction is not (left open, the test's data stays visible and is rolled back after),
    # and takes over SIGINT and SIGTERM, which stay pytest's.
    with (
        mock.patch.object(db_worker, "close_old_connections"),
        mock.patch.object(db_worker.Worker, "configure_signals"),
    ):
        call_command("db_worker", batch=True, verbosity=1)
    (inside,) = [r for r in collected if r.getMessage() == "inside the task"]
    assert inside.task_id == str(result.id)
