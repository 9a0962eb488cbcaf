"""SQLite is a real embedded default: autosaves and the task worker, each with its own
connection to the same file (as `make run` has them), never see "database is locked".

The database settings are read in fresh processes from DATABASE_URL, as ics_portal/settings.py
gives them to `make run`, not from the test settings (whose SQLite database is in memory).
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, database_url: str) -> dict[str, str]:
    """`make run`'s environment: no TESTING (so tasks go to the database queue)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TESTING", "TASK_BACKEND", "DJANGO_SETTINGS_MODULE", "CONN_MAX_AGE"}
    }
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _database_settings(tmp_path, database_url: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    env = {**_env(tmp_path, database_url), "DJANGO_SETTINGS_MODULE": "ics_portal.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_a_sqlite_database_url_gets_wal_a_busy_timeout_and_immediate_transactions(tmp_path):
    options = _database_settings(tmp_path, f"sqlite:///{tmp_path / 'portal.sqlite3'}")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    pragmas = [p.strip() for p in options["init_command"].split(";") if p.strip()]
    assert "PRAGMA journal_mode=WAL" in pragmas
    assert "PRAGMA synchronous=NORMAL" in pragmas


def test_a_postgresql_database_url_gets_none_of_the_sqlite_options(tmp_path):
    settings = _database_settings(tmp_path, "postgres://portal@127.0.0.1:5432/portal")
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert not {"init_command", "timeout", "transaction_mode"} & set(settings["OPTIONS"])


@pytest.fixture
def schema_file(tmp_path, transactional_db) -> Path:
    """A file SQLite database holding the migrated schema: a copy of the (in-memory) test
    database when that is SQLite, which is fast; else migrated afresh."""
    path = tmp_path / "portal.sqlite3"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return path
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_env(tmp_path, f"sqlite:///{path}"),
        check=True,
    )
    return path


def test_concurrent_autosaves_and_the_task_worker_never_see_database_is_locked(
    schema_file, tmp_path
):
    worker_log = tmp_path / "worker.log"
    result = subprocess.run(
        [sys.executable, "-m", "tests.database.sqlite_contention", "--seconds", "6"]
        + ["--clients", "6", "--packs", "2", "--worker-log", str(worker_log)],
        cwd=ROOT,
        env=_env(tmp_path, f"sqlite:///{schema_file}"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    detail = json.dumps(report, indent=1) + "\n" + worker_log.read_text()[-2000:]

    assert report["locked"] == 0, detail
    assert report["worker_claims_locked"] == 0, detail
    assert report["worker_output_locked"] == 0, detail
    assert report["task_lock_failures"] == 0, detail
    assert report["errors"] == [], detail
    assert report["lost"] == [], detail  # every answered save is stored, and audited
    # Each client saves its own update, so none is stale; the load was real.
    assert report["stale"] == 0, detail
    assert report["saves"] >= 6 * 5, detail
    assert report["packs_queued"] >= 2, detail
    assert report["tasks"].get("SUCCESSFUL", 0) == report["packs_queued"], detail
    assert report["journal_mode"] == "wal", detail
