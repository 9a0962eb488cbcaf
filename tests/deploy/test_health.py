"""/health/ as a load balancer meets it: 200 when the database, file storage, cache and task
queue work, 503 when any does not, no sign-in and no HTTPS redirect in the way, and an answer
that names each check and says "working" or "unavailable" and nothing more: why a check
failed goes to the log, never to whoever asked."""

import datetime
import json
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from ics_portal.taskqueue import oldest_queued_age

CHECKS = ["database", "file_storage", "cache", "task_queue"]
# What a failing check's real error says; none of it may reach the answer.
SECRETS = ["db.internal.example", "10.0.0.5", "5432", "/srv/portal", "Connection", "Error", "6379"]


@task()
def nothing():
    """Enqueued by these tests, never run."""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued(count: int, waited: datetime.timedelta) -> None:
    """`count` tasks waiting to start, enqueued `waited` ago."""
    ids = [nothing.enqueue().id for _ in range(count)]
    DBTaskResult.objects.filter(id__in=ids).update(enqueued_at=timezone.now() - waited)


def health(client=None, **extra):
    return (client or Client()).get("/health/", **extra)


def states(response) -> dict:
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    return dict(line.split(": ", 1) for line in response.content.decode().splitlines())


def assert_tells_nothing_more(response):
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, body
    assert set(states(response)) == set(CHECKS)
    assert set(states(response).values()) <= {"working", "unavailable"}


# --- healthy -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthy_is_200_with_every_check_working_in_plain_text():
    response = health()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "".join(f"{name}: working\n" for name in CHECKS)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [{"data": {"format": "json"}}, {"HTTP_ACCEPT": "application/json"}],
    ids=["format=json", "Accept"],
)
def test_json_when_asked_for(extra):
    response = health(**extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == dict.fromkeys(CHECKS, "working")


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml", "*/*", "nonsense;;"])
def test_anything_else_is_plain_text(accept):
    response = health(HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_no_sign_in_and_no_https_redirect_for_a_plain_http_probe(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/accessibility/").status_code == 301  # the rest of the site redirects
    response = health()
    assert response.status_code == 200
    assert not response.has_header("Location")


@pytest.mark.django_db
def test_a_signed_in_person_sees_the_same(lead):
    client = Client()
    client.force_login(lead)
    assert states(health(client)) == dict.fromkeys(CHECKS, "working")


# --- each check failing -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_database_that_cannot_be_reached_is_503_without_detail(caplog):
    refused = OperationalError(
        "could not connect to server: Connection refused\n\tIs the server running on host "
        '"db.internal.example" (10.0.0.5) and accepting TCP/IP connections on port 5432?'
    )
    with mock.patch.object(BaseDatabaseWrapper, "temporary_connection", side_effect=refused):
        response = health()
    assert response.status_code == 503
    assert states(response)["database"] == "unavailable"
    assert_tells_nothing_more(response)
    # The real reason is in the log, for whoever runs the portal.
    assert "db.internal.example" in caplog.text


class BrokenStorage(FileSystemStorage):
    def _save(self, name, content):
        raise PermissionError(13, "Permission denied", "/srv/portal/media/" + name)


@pytest.mark.django_db
def test_a_storage_that_cannot_save_is_503_without_detail(settings, caplog):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BrokenStorage"},
    }
    response = health(data={"format": "json"})
    assert response.status_code == 503
    assert states(response)["file_storage"] == "unavailable"
    assert states(response)["database"] == "working"
    assert_tells_nothing_more(response)
    assert "/srv/portal/media" in caplog.text


@pytest.mark.django_db
def test_a_cache_server_that_refuses_is_503_without_detail(settings, caplog):
    # Nothing listens on port 1: Redis's client says so, naming the host and port.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = health()
    assert response.status_code == 503
    assert states(response)["cache"] == "unavailable"
    assert_tells_nothing_more(response)
    assert "127.0.0.1" not in response.content.decode()
    assert "Connection" in caplog.text


@pytest.mark.django_db
def test_a_task_waiting_longer_than_the_limit_is_503(database_queue, caplog):
    queued(1, datetime.timedelta(seconds=901))
    response = health()
    assert response.status_code == 503
    assert states(response)["task_queue"] == "unavailable"
    assert_tells_nothing_more(response)
    assert "oldest queued task has waited" in caplog.text


@pytest.mark.django_db
def test_tasks_waiting_less_than_the_limit_are_fine(database_queue):
    queued(3, datetime.timedelta(seconds=880))
    assert health().status_code == 200


@pytest.mark.django_db
def test_the_limit_comes_from_the_setting(database_queue, settings):
    settings.HEALTH_TASK_QUEUE_MAX_AGE = 60
    queued(1, datetime.timedelta(seconds=61))
    assert health().status_code == 503


@pytest.mark.django_db
def test_a_task_already_running_is_not_waiting(database_queue):
    queued(1, datetime.timedelta(hours=2))
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    assert oldest_queued_age() is None
    assert health().status_code == 200


# --- the oldest queued task --------------------------------------------------------------------


@pytest.mark.django_db
def test_oldest_queued_age_is_the_oldest_waiting_task(database_queue):
    assert oldest_queued_age() is None
    queued(1, datetime.timedelta(minutes=5))
    queued(1, datetime.timedelta(minutes=20))
    age = oldest_queued_age()
    assert datetime.timedelta(minutes=20) <= age < datetime.timedelta(minutes=21)


@pytest.mark.django_db
def test_without_the_database_queue_there_is_nothing_to_judge():
    # The suite's immediate backend runs tasks at once: no queue.
    assert oldest_queued_age() is None


@pytest.mark.django_db
def test_as_many_queries_however_many_tasks_wait(database_queue):
    queued(1, datetime.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as few:
        oldest_queued_age()
    queued(30, datetime.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as many:
        oldest_queued_age()
    assert len(many) == len(few) <= 2


@pytest.mark.django_db
def test_the_endpoint_asks_no_more_of_the_database_for_more_tasks(database_queue):
    queued(1, datetime.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as few:
        assert health().status_code == 200
    queued(40, datetime.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as many:
        assert health().status_code == 200
    assert len(many) == len(few)


# --- liveness -----------------------------------------------------------------------------------


def test_the_liveness_probe_answers_without_asking_the_database(settings):
    """/health/live/ touches nothing but the process: no query at all (an unreachable database
    must not make the orchestrator restart every server; this test has no database, so any
    query would fail it), no sign-in, no HTTPS redirect."""
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/health/live/")
    assert (response.status_code, response.content) == (200, b"alive\n")
    assert response["Content-Type"].startswith("text/plain")
