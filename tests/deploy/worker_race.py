"""A task for tests/deploy/test_workers.py: each run notes itself in a table of its own, so a
test can see whether two task workers running at once ever ran the same task twice.

The task is imported by path by real `manage.py db_worker` processes, so it lives in a module of
its own (not collected by pytest). Each worker names itself in WORKER_NAME.
"""

import os
import time

from django.db import connection
from django_tasks import task

TABLE = "worker_race_runs"
# Long enough that both workers are running tasks at the same time.
TASK_SECONDS = 0.1


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (n integer NOT NULL, worker varchar(40) NOT NULL)")


def drop_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def runs() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, worker FROM {TABLE} ORDER BY n")
        return [(n, worker) for n, worker in cursor.fetchall()]


@task()
def record_run(n: int) -> int:
    time.sleep(TASK_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (n, worker) VALUES (%s, %s)",
            [n, os.environ.get("WORKER_NAME", "?")],
        )
    return n
