"""Fixtures for the task-queue tests: a Redis database of the test's own, and the settings of
each backend (the database queue, Redis/RQ) as TASK_BACKEND would give them.

The Redis tests run against the machine's Redis at 127.0.0.1:6379 (.ci/run starts it). When it
is not there they fail under CI (CI=true) and are skipped elsewhere, with the reason and the
command that starts it.
"""

import os
import signal
import uuid

import pytest
import redis
from django.contrib import admin

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
# Databases 8-15 are tried from the top; a run claims one with this key, so that two test
# runs (xdist workers, two checkouts, SQLite and PostgreSQL at once) never share a queue.
CLAIM_KEY = "ics-portal-tests:claim"
CLAIMABLE = range(15, 7, -1)
CLAIM_SECONDS = 15 * 60


def _client(db: int = 0) -> redis.Redis:
    return redis.Redis(
        host=REDIS_HOST, port=REDIS_PORT, db=db, socket_connect_timeout=2, socket_timeout=10
    )


@pytest.fixture
def redis_url():
    """The URL of a Redis database claimed for this test, holding no RQ keys of anyone else's.
    Afterwards the keys the test made there (and the claim) are deleted, and nothing else."""
    try:
        _client().ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} ({error}). Start it: {START_REDIS}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    token = uuid.uuid4().hex
    for db in CLAIMABLE:
        client = _client(db)
        if not client.set(CLAIM_KEY, token, nx=True, ex=CLAIM_SECONDS):
            continue
        if next(client.scan_iter(match="rq:*", count=1000), None) is None:
            break
        client.delete(CLAIM_KEY)  # someone's RQ keys live there: leave them be
    else:
        pytest.fail(f"No Redis database among {list(CLAIMABLE)} is free for the tests.")
    before = set(client.scan_iter(count=1000))
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
    finally:
        made = set(client.scan_iter(count=1000)) - before
        if made:
            client.delete(*made)
        if client.get(CLAIM_KEY) == token.encode():
            client.delete(CLAIM_KEY)
        client.close()


@pytest.fixture
def rq_settings(settings, redis_url):
    """TASK_BACKEND=rq, against the claimed Redis database."""
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_tasks_rq", "django_rq"]
    settings.RQ_QUEUES = {
        "default": {"URL": redis_url, "DEFAULT_TIMEOUT": settings.TASK_TIMEOUT_SECONDS}
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    yield settings
    # Installing django_rq registered its admin page; once it is uninstalled again, the admin
    # index of a later test would look up an app that is not there.
    for model in [m for m in admin.site._registry if m._meta.app_label == "django_rq"]:
        admin.site.unregister(model)


@pytest.fixture
def database_settings(settings):
    """TASK_BACKEND=database."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return settings


@pytest.fixture
def keep_signal_handlers():
    """An RQ worker run in the test process installs its own SIGINT/SIGTERM handlers; put
    pytest's back afterwards."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)
