"""What /health/ reads of the task queue (ics_portal/taskqueue.py), on both backends: how long
the oldest waiting task has waited, and whether the queue's store answers."""

import datetime
from unittest import mock

import pytest
import redis
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from django_rq import get_queue
from django_tasks_db.models import DBTaskResult

from ics_portal import taskqueue
from packs.tasks import announce_publication, generate_board_pack

MINUTE = datetime.timedelta(minutes=1)


def close_to(age, expected):
    return age is not None and abs(age - expected) < datetime.timedelta(seconds=30)


# --- the database queue -------------------------------------------------------------------------


@pytest.mark.django_db
def test_database_queue_empty_has_no_age(database_settings):
    assert taskqueue.kind() == "database"
    assert taskqueue.oldest_queued_age() is None


@pytest.mark.django_db
def test_database_queue_age_is_the_oldest_waiting_task(database_settings):
    now = timezone.now()
    old = generate_board_pack.enqueue(pack_id=1)
    newer = announce_publication.enqueue(published_id=1)
    DBTaskResult.objects.filter(pk=old.id).update(enqueued_at=now - 20 * MINUTE)
    DBTaskResult.objects.filter(pk=newer.id).update(enqueued_at=now - 5 * MINUTE)
    assert close_to(taskqueue.oldest_queued_age(now=now), 20 * MINUTE)


@pytest.mark.django_db
def test_database_queue_ignores_finished_running_and_not_yet_due_tasks(database_settings):
    now = timezone.now()
    done = generate_board_pack.enqueue(pack_id=1)
    running = generate_board_pack.enqueue(pack_id=2)
    later = generate_board_pack.using(run_after=now + 60 * MINUTE).enqueue(pack_id=3)
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL")
    DBTaskResult.objects.filter(pk=running.id).update(status="RUNNING")
    DBTaskResult.objects.filter(pk=later.id).update(enqueued_at=now - 90 * MINUTE)
    assert taskqueue.oldest_queued_age(now=now) is None


@pytest.mark.django_db
def test_database_queue_deferred_task_waits_from_when_it_fell_due(database_settings):
    now = timezone.now()
    due = generate_board_pack.using(run_after=now - 3 * MINUTE).enqueue(pack_id=1)
    DBTaskResult.objects.filter(pk=due.id).update(enqueued_at=now - 60 * MINUTE)
    assert close_to(taskqueue.oldest_queued_age(now=now), 3 * MINUTE)


@pytest.mark.django_db
def test_database_queue_is_reachable_until_the_database_fails(database_settings):
    assert taskqueue.queue_reachable() is True
    with mock.patch.object(
        DBTaskResult.objects, "exists", side_effect=DatabaseError("server closed")
    ):
        assert taskqueue.queue_reachable() is False


# --- Redis / RQ -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rq_queue_empty_has_no_age(rq_settings):
    assert taskqueue.kind() == "rq"
    assert taskqueue.oldest_queued_age() is None


@pytest.mark.django_db
def test_rq_queue_age_is_the_oldest_job_enqueued(rq_settings):
    first = generate_board_pack.enqueue(pack_id=1)
    announce_publication.enqueue(published_id=1)
    assert get_queue("default").count == 2
    later = first.enqueued_at + 7 * MINUTE
    assert close_to(taskqueue.oldest_queued_age(now=later), 7 * MINUTE)
    assert taskqueue.oldest_queued_age() < MINUTE


@pytest.mark.django_db
def test_rq_queue_age_skips_a_job_that_has_gone_from_redis(rq_settings):
    gone = generate_board_pack.enqueue(pack_id=1)
    waiting = generate_board_pack.enqueue(pack_id=2)
    queue = get_queue("default")
    queue.connection.delete(f"rq:job:{gone.id}")  # its id is still at the head of the queue
    assert queue.get_job_ids()[0] == gone.id
    later = waiting.enqueued_at + 7 * MINUTE
    assert close_to(taskqueue.oldest_queued_age(now=later), 7 * MINUTE)


@pytest.mark.django_db
def test_rq_queue_is_reachable_with_redis_up(rq_settings):
    assert taskqueue.queue_reachable() is True


def test_rq_queue_is_unreachable_when_redis_is_down(settings):
    """No Redis needed: nothing listens on port 1."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    assert taskqueue.queue_reachable() is False
    with pytest.raises(redis.ConnectionError):
        taskqueue.oldest_queued_age()


# --- no queue -----------------------------------------------------------------------------------------


def test_immediate_backend_has_no_queue_to_wait_in(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert taskqueue.kind() is None
    assert taskqueue.oldest_queued_age() is None
    assert taskqueue.queue_reachable() is True


# --- /health/ with Redis --------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_is_503_without_detail_when_redis_is_down(settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    response = Client().get("/health/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "task_queue: unavailable" in body
    assert "127.0.0.1" not in body and "Redis" not in body
    assert "does not answer" in caplog.text


@pytest.mark.django_db
def test_health_is_200_with_redis_up_and_nothing_waiting(rq_settings, tmp_path):
    rq_settings.MEDIA_ROOT = tmp_path
    response = Client().get("/health/")
    assert response.status_code == 200, response.content
    assert "task_queue: working" in response.content.decode()
