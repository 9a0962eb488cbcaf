"""Several task workers are safe at once (issue 12): two real `manage.py db_worker --batch`
processes on the same database queue never run the same task twice (django_tasks_db claims each
task in a transaction with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one
writer at a time and the claim is an EXCLUSIVE transaction), and two generations of the same
board pack picked up by two workers leave one current PDF (packs/generation.py).

Runs on whichever database the suite runs on: on PostgreSQL the workers connect to the test
database itself; on SQLite (whose test database is in memory) it is copied to a file for them
and copied back afterwards.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from packs import actions as pack_actions
from packs.defaults import default_pack
from packs.models import BoardPack
from packs.tasks import generate_board_pack
from risks.actions import ensure_default_matrix

from .. import factories
from . import worker_race

ROOT = Path(__file__).resolve().parents[2]
TASKS = 50
WORKERS = 2


@pytest.fixture
def database_queue(settings, transactional_db, tmp_path):
    """Tasks go to the database queue, committed where worker processes can see them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


class SharedDatabase:
    """The test database as worker processes reach it."""

    def __init__(self, tmp_path: Path):
        self.file = tmp_path / "shared.sqlite3"

    def url(self) -> str:
        """Call once the test has written what the workers need."""
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            # As a database the portal has used already is: in WAL mode. Two workers opening a
            # fresh file at once would both try to switch it (settings' init_command), and the
            # switch can fail at once with "database is locked" instead of waiting its turn.
            target.execute("PRAGMA journal_mode=WAL")
            target.close()
            return f"sqlite:///{self.file}"
        assert connection.vendor == "postgresql", connection.vendor
        db = connection.settings_dict
        login = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            login += ":" + quote(db["PASSWORD"], safe="")
        return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def collect(self) -> None:
        """Bring back what the workers wrote (SQLite: copy the file into the test database)."""
        if connection.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()


def run_workers(database_url: str, tmp_path: Path, count: int = WORKERS) -> list[str]:
    """Start `count` real task workers at once, each processing until the queue is empty;
    returns their output."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TESTING", "DJANGO_SETTINGS_MODULE", "CONN_MAX_AGE"}
    }
    env.update(
        DATABASE_URL=database_url,
        TASK_BACKEND="django_tasks_db.DatabaseBackend",
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
            + ["--no-startup-delay", "--interval", "0", "--worker-id", f"worker-{n}"],
            cwd=ROOT,
            env={**env, "WORKER_NAME": f"worker-{n}"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(count)
    ]
    outputs = []
    for worker in workers:
        try:
            output, _ = worker.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for other in workers:
                other.kill()
            raise
        assert worker.returncode == 0, output[-3000:]
        outputs.append(output)
    return outputs


@pytest.fixture
def runs_table(database_queue):
    worker_race.create_table()
    yield
    worker_race.drop_table()


def test_two_workers_never_run_the_same_task_twice(runs_table, tmp_path):
    for n in range(TASKS):
        worker_race.record_run.enqueue(n=n)
    shared = SharedDatabase(tmp_path)
    outputs = run_workers(shared.url(), tmp_path)
    shared.collect()

    runs = worker_race.runs()
    ran = [n for n, _ in runs]
    detail = "\n".join(o[-1500:] for o in outputs)
    assert sorted(ran) == list(range(TASKS)), detail  # each task ran, and exactly once
    results = DBTaskResult.objects.all()
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)  # each claimed once
    by_worker = {worker for _, worker in runs}
    assert by_worker == {"worker-0", "worker-1"}, "both workers ran tasks at the same time"
    for result in results:  # the worker that claimed it is the one that ran it
        assert dict(runs)[result.return_value] == result.worker_ids[0]


@pytest.fixture
def pack(database_queue, governance):
    ensure_default_matrix()  # a transactional test starts without the migrations' data
    cycle = factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    pack = default_pack(cycle)
    pack.created_by = governance
    pack.lead = pack.author = "Gus Governance, Head of Governance"
    pack.save()
    return pack


def test_two_workers_on_two_generations_of_a_pack_keep_the_current_one(pack, governance, tmp_path):
    """Generation 1 was asked for and ended (its render failed), but a second delivery of its
    task is still queued; generation 2 is asked for, and its task delivered twice. Two workers
    take the three tasks at once: only one render of generation 2 is kept."""
    pack_actions.request_generation(pack=pack, by=governance)  # queues generation 1
    BoardPack.objects.filter(pk=pack.pk).update(state="DRAFT", generation_error="failed")
    pack_actions.request_generation(pack=BoardPack.objects.get(pk=pack.pk), by=governance)
    generate_board_pack.enqueue(pack_id=pack.pk, generation=2)  # delivered twice
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.args_kwargs["kwargs"]["generation"] for t in tasks] == [1, 2, 2]

    shared = SharedDatabase(tmp_path)
    outputs = run_workers(shared.url(), tmp_path)
    shared.collect()

    detail = "\n".join(o[-1500:] for o in outputs)
    pack.refresh_from_db()
    assert (pack.state, pack.generation, pack.generation_error) == ("READY", 2, ""), detail
    kept = {}
    for task in DBTaskResult.objects.all():
        assert task.status == "SUCCESSFUL", task.traceback
        kept.setdefault(task.args_kwargs["kwargs"]["generation"], []).append(task.return_value)
    assert kept[1] == [0]  # the stale generation changed nothing
    assert sorted(kept[2]) == [0, pack.draft_page_count] and pack.draft_page_count > 0
    drafts = sorted((tmp_path / "media" / "packs" / "drafts").iterdir())
    assert [p.name for p in drafts] == [f"pack-{pack.pk}-v1.pdf"], detail  # no orphan
    assert hashlib.sha256(drafts[0].read_bytes()).hexdigest() == pack.draft_sha256
