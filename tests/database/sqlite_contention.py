"""Autosaves meeting the task worker on a file SQLite database, as `make run` has them.

Run by tests/database/test_sqlite_concurrency.py in a process of its own (not collected by
pytest), so Django is configured by ics_portal/settings.py from DATABASE_URL exactly as
`make run` is, not by the test settings:

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.database.sqlite_contention --seconds 6

The database must already hold the schema. This sets up a lead with one update per client and
a few board packs, starts the real task worker (`manage.py db_worker`) on the same file, and
for `--seconds` has several threads (each with its own connection) save their own update as
fast as they can: half post to the real autosave view, half call `actions.save_update`, while
board-pack generation is requested for the worker. Then it checks that every save landed and
prints one line of JSON with what happened (see `main`).

`python -m tests.database.sqlite_contention worker` runs the real worker loop, noting on stderr
each "database is locked" it would otherwise swallow silently when claiming a task.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import django

from ics_portal.workflow.errors import StaleUpdateError

ROOT = Path(__file__).resolve().parents[2]
LOCKED_NOTE = "worker claim: database is locked"


def _is_locked(error: BaseException) -> bool:
    return "database is locked" in str(error) or "database table is locked" in str(error)


def run_worker(argv: list[str]) -> None:
    """The real db_worker command; a locked claim (which it ignores and retries) is noted."""
    django.setup()
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    real = db_worker.is_locked_database_exception

    def noting(error):
        locked = real(error)
        if locked:
            print(LOCKED_NOTE, file=sys.stderr, flush=True)
        return locked

    db_worker.is_locked_database_exception = noting
    call_command("db_worker", *argv)


def _make_data(clients: int, packs: int):
    from django.contrib.auth.models import Group

    from ics_portal.models import ReportingCycle, User
    from ics_portal.roles import GOVERNANCE_OFFICER, SYSTEM_LEAD
    from reporting.models import WorkstreamUpdate

    from .. import factories

    lead = User.objects.create(email="lead@example.nhs.uk", full_name="Lee Lead")
    lead.groups.add(Group.objects.get_or_create(name=SYSTEM_LEAD.group_name)[0])
    governance = User.objects.create(
        email="governance@example.nhs.uk", full_name="Gus Governance", is_staff=True
    )
    governance.groups.add(Group.objects.get_or_create(name=GOVERNANCE_OFFICER.group_name)[0])
    cycle = factories.ReportingCycleFactory(status=ReportingCycle.Status.OPEN)
    updates = []
    for number in range(clients):
        workstream = factories.WorkstreamFactory(name=f"WORKSTREAM {number}", code=f"W{number}")
        workstream.leads.add(lead)
        factories.ObjectiveFactory(workstream=workstream, number=1)
        update = WorkstreamUpdate.objects.create(cycle=cycle, workstream=workstream)
        update.objective_progress.create(objective=workstream.objectives.get())
        updates.append(update)
    board_packs = [
        factories.BoardPackFactory(cycle=cycle, created_by=governance) for _ in range(packs)
    ]
    return lead, governance, updates, board_packs


class Saver(threading.Thread):
    """Saves one update until the deadline, through the autosave view or the action."""

    def __init__(self, number: int, update, lead, deadline: float, through_view: bool):
        super().__init__(name=f"saver-{number}")
        self.number, self.update_pk, self.lead = number, update.pk, lead
        self.kind = "workstream"
        self.deadline, self.through_view = deadline, through_view
        self.saved = self.stale = self.locked = 0
        self.errors: list[str] = []
        self.last_text = None
        self.version = 1

    def run(self):
        from django.db import connection

        try:
            self._run()
        finally:
            connection.close()

    def _run(self):
        from django.test import Client
        from django.urls import reverse

        from reporting import actions
        from reporting.models import WorkstreamUpdate

        from ..updates.support import form_data

        client = None
        if self.through_view:
            client = Client()
            try:
                client.force_login(self.lead)  # a session row written mid-contention
            except Exception as error:  # every failure is counted
                self._failed(error)
                return
            url = reverse(
                "reporting:update_autosave", kwargs={"kind": self.kind, "pk": self.update_pk}
            )
        n = 0
        while time.monotonic() < self.deadline:
            n += 1
            text = f"<p>Client {self.number}, save {n}.</p>"
            try:
                if client is not None:
                    update = WorkstreamUpdate.objects.get(pk=self.update_pk)
                    data = form_data(update, version=str(self.version), key_risks=text)
                    response = client.post(url, data, HTTP_HX_REQUEST="true")
                    html = response.content.decode()
                    found = re.search(r'name="version" value="(\d+)"', html)
                    if response.status_code == 200 and found:
                        self.version = int(found[1])
                        self._landed(text)
                    elif "app-autosave-conflict" in html:
                        self.stale += 1
                        self.version = WorkstreamUpdate.objects.get(pk=self.update_pk).version
                    else:
                        self.errors.append(f"{response.status_code}: {html[:200]}")
                else:
                    update = WorkstreamUpdate.objects.get(pk=self.update_pk)
                    saved = actions.save_update(
                        update=update,
                        base_version=self.version,
                        by=self.lead,
                        fields={"key_risks": text},
                    )
                    self.version = saved.version
                    self._landed(text)
            except StaleUpdateError as error:
                self.stale += 1
                self.version = error.current.version
            except Exception as error:  # every failure is counted
                self._failed(error)

    def _landed(self, text):
        self.saved += 1
        self.last_text = text

    def _failed(self, error):
        if _is_locked(error):
            self.locked += 1
        else:
            self.errors.append(f"{type(error).__name__}: {error}")


class PackRequester(threading.Thread):
    """Asks for board-pack PDFs through the real action, so the worker has jobs to run."""

    def __init__(self, packs, governance, deadline: float):
        super().__init__(name="packs")
        self.pack_pks, self.governance, self.deadline = [p.pk for p in packs], governance, deadline
        self.queued = self.refused = self.locked = 0
        self.errors: list[str] = []

    def run(self):
        from django.db import connection

        from ics_portal.workflow.errors import ActionError
        from packs.actions import request_generation
        from packs.models import BoardPack

        try:
            while time.monotonic() < self.deadline:
                for pk in self.pack_pks:
                    try:
                        request_generation(pack=BoardPack.objects.get(pk=pk), by=self.governance)
                        self.queued += 1
                    except ActionError:
                        self.refused += 1  # still generating: the worker has it
                    except Exception as error:  # every failure is counted
                        if _is_locked(error):
                            self.locked += 1
                        else:
                            self.errors.append(f"{type(error).__name__}: {error}")
                time.sleep(0.3)
        finally:
            connection.close()


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--packs", type=int, default=2)
    parser.add_argument("--worker-log", default=None)
    args = parser.parse_args(argv)

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name; emails kept in memory

    from django_tasks_db.models import DBTaskResult

    from ics_portal.models import AuditEvent
    from reporting.models import WorkstreamUpdate

    lead, governance, updates, packs = _make_data(args.clients, args.packs)
    connection.close()

    log_path = Path(args.worker_log or os.devnull)
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.database.sqlite_contention", "worker"]
            + ["--interval", "0.05", "--no-startup-delay", "--no-reload", "-v", "1"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            started = time.monotonic()
            deadline = started + args.seconds
            savers = [
                Saver(n, update, lead, deadline, through_view=n % 2 == 0)
                for n, update in enumerate(updates)
            ]
            requester = PackRequester(packs, governance, deadline)
            for thread in [*savers, requester]:
                thread.start()
            for thread in [*savers, requester]:
                thread.join()
            # Let the worker finish what was queued (it keeps polling meanwhile).
            drain_by = time.monotonic() + 20
            while time.monotonic() < drain_by:
                if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    worker_output = log_path.read_text() if args.worker_log else ""

    lost = []
    for saver in savers:
        stored = WorkstreamUpdate.objects.get(pk=saver.update_pk)
        if stored.version != 1 + saver.saved or (
            saver.last_text and stored.key_risks != saver.last_text
        ):
            lost.append(
                f"update {stored.pk}: {saver.saved} saves answered, stored version "
                f"{stored.version}, text {stored.key_risks!r} (last saved {saver.last_text!r})"
            )
    saves = sum(s.saved for s in savers)
    audited = AuditEvent.objects.filter(verb="update.save").count()
    if audited != saves:
        lost.append(f"{saves} saves answered but {audited} audited")
    tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))
    task_lock_failures = sum(
        _is_locked(Exception(tb))
        for tb in DBTaskResult.objects.filter(status="FAILED").values_list("traceback", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()
    return {
        "seconds": round(elapsed, 1),
        "clients": len(savers),
        "saves": saves,
        "stale": sum(s.stale for s in savers),
        "locked": sum(s.locked for s in savers) + requester.locked,
        "errors": [e for s in savers for e in s.errors] + requester.errors,
        "lost": lost,
        "packs_queued": requester.queued,
        "tasks": dict(tasks),
        "task_lock_failures": task_lock_failures,
        "worker_claims_locked": worker_output.count(LOCKED_NOTE),
        "worker_output_locked": worker_output.count("is locked") - worker_output.count(LOCKED_NOTE),
        "worker_exit": worker.returncode,
        "journal_mode": journal_mode,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")
    if sys.argv[1:2] == ["worker"]:
        run_worker(sys.argv[2:])
    else:
        print(json.dumps(main(sys.argv[1:])))
