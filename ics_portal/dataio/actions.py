"""State changes of spreadsheet imports that run in the task worker (ADR 0001's actions).

`queue_import` hands a previewed upload to the worker; `run_queued_import` is the worker's
side; `fail_abandoned_imports` ends jobs a stopped worker left behind. The rows are imported
by `importers.run_import`, all or nothing, and the job's DONE is written in the same
transaction as the rows: a job never says "imported" about rows that are not there, nor
"importing" about rows that are.
"""

import logging
import time

from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, record

from . import uploads
from .importers import run_import
from .models import ImportJob
from .resources import RESOURCES

logger = logging.getLogger(__name__)

# A job's page lists this many of the row problems that stopped it (the count is whole).
PROBLEMS_SHOWN = 200
# Progress is noted at most this often (seconds): each note is a write to file storage.
PROGRESS_EVERY = 1.0

ABANDONED = (
    "The import did not finish within a day: the task worker may have stopped. Nothing was "
    "imported. Upload the file again; if this happens again, tell the portal's administrators."
)
GONE = (
    "The uploaded rows had been deleted before the import could start (uploads are kept for "
    "a day). Nothing was imported: upload the file again."
)


def data_rows(sheet) -> int:
    """Rows a file holds below its (first) header row: what a job counts as rows to import."""
    return max(0, len(sheet.rows) - 1)


def queue_import(*, kind: str, token: str, sheet, by) -> ImportJob:
    """Hand the upload kept under `token` to the task worker, which imports it as `kind`."""
    from .tasks import import_spreadsheet

    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=by,
            kind=kind,
            label=RESOURCES[kind].label,
            filename=sheet.filename,
            upload_token=token,
            rows_total=data_rows(sheet),
        )
        record(
            by=by,
            verb=AuditVerb.DATA_IMPORT_QUEUED,
            obj=job,
            after={"kind": kind, "filename": sheet.filename, "rows": job.rows_total},
        )
        transaction.on_commit(lambda: import_spreadsheet.enqueue(job_id=job.pk))
    return job


class _ProgressNote:
    """Notes rows done beside the upload, at most every PROGRESS_EVERY seconds (and always
    the first and the last)."""

    def __init__(self, token: str):
        self.token = token
        self.noted_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and self.noted_at is not None and now - self.noted_at < PROGRESS_EVERY:
            return
        self.noted_at = now
        uploads.note_progress(self.token, done, total)


def _end(job: ImportJob, state: str, *, rows_total: int | None = None, **fields) -> None:
    total = job.rows_total if rows_total is None else rows_total
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        finished_at=timezone.now(),
        rows_total=total,
        rows_done=total if state == ImportJob.State.DONE else 0,
        **fields,
    )


def run_queued_import(*, job_id: int) -> ImportJob:
    """Import a queued job's rows (run by the task worker). Ends DONE with the summary, or
    FAILED with the reason and nothing written; an unexpected error is re-raised after the
    job is marked FAILED, so the worker logs it too."""
    started = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if not started:  # run already (a task delivered twice), or ended by the sweep
        return job
    try:
        sheet = uploads.load(job.upload_token)
        if sheet is None:
            _end(job, ImportJob.State.FAILED, error=GONE)
            return _reload(job)
        with transaction.atomic():
            report = run_import(
                job.kind,
                sheet,
                by=job.owner,
                commit=True,
                progress=_ProgressNote(job.upload_token),
            )
            if report.committed:
                _end(
                    job,
                    ImportJob.State.DONE,
                    rows_total=len(report.outcomes),
                    summary=report.summary(),
                )
        if not report.committed:
            count = len(report.errors)
            _end(
                job,
                ImportJob.State.FAILED,
                error=(
                    f"{count} problem{'s' if count != 1 else ''} found when the rows were "
                    "imported: the plan may have changed since the preview. Nothing was "
                    "imported. Fix the file and upload it again."
                ),
                problems=[str(e) for e in report.errors[:PROBLEMS_SHOWN]],
                problem_count=count,
            )
    except Exception as error:
        logger.exception("Import job %s failed", job_id)
        _end(
            job,
            ImportJob.State.FAILED,
            error=(
                "The import stopped on an unexpected error, so nothing was imported. Try "
                "again; if it happens again, tell the portal's administrators "
                f"(the error was: {str(error)[:500] or type(error).__name__})."
            ),
        )
        raise
    finally:
        uploads.discard(job.upload_token)
    return _reload(job)


def _reload(job: ImportJob) -> ImportJob:
    job.refresh_from_db()
    return job


def fail_abandoned_imports(*, now=None) -> int:
    """End jobs queued or running for longer than uploads are kept (their worker stopped, or
    never ran): FAILED, with the reason. Nothing of theirs was written, since a job's rows
    and its DONE are one transaction. Returns how many."""
    cutoff = (now or timezone.now()) - uploads.KEEP_FOR
    return ImportJob.objects.filter(
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING], created_at__lt=cutoff
    ).update(state=ImportJob.State.FAILED, finished_at=now or timezone.now(), error=ABANDONED)
