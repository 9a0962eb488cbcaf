"""What the task worker runs for a queued import or check (dataio/tasks.py): the rows, the
progress notes beside the upload, the check's report, and each one's end state."""

import logging
import time

from django.db import transaction
from django.utils import timezone

from ics_portal.permissions import Perm, has_permission

from . import uploads
from .importers import run_import
from .models import ImportCheck, ImportJob

logger = logging.getLogger(__name__)

# A job's page lists this many of the row problems that stopped it (the count is whole).
PROBLEMS_SHOWN = 200
# Progress is noted at most this often (seconds): each note is a write to file storage.
PROGRESS_EVERY = 1.0

GONE = (
    "The uploaded rows had been deleted before the import could start (uploads are kept for "
    "a day). Nothing was imported: upload the file again."
)


CHECK_GONE = (
    "The uploaded rows had been deleted before they could be checked (uploads are kept for a "
    "day). Nothing was imported: upload the file again."
)


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
        refusal = _owner_refusal(job)
        if refusal:
            _end(job, ImportJob.State.FAILED, error=refusal)
            return _reload(job)
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


def _owner_refusal(job: ImportJob) -> str:
    """Why the job may not run now ("" if it may). The import acts as the person who confirmed
    it, with their rights (a governance officer's import cannot give the governance role);
    with nobody behind it, it would act as "the system", unrestricted. So a job whose person
    was deleted, made inactive or lost the right to import since confirming is not run."""
    if job.owner is None:
        return (
            "The account of the person who confirmed this import has been deleted, so it was "
            "not run. Nothing was imported. Ask a governance officer to upload the file again."
        )
    if not has_permission(job.owner, Perm.DATA_IMPORT):
        return (
            f"{job.owner.full_name or job.owner.email} can no longer import spreadsheets, so "
            "this import was not run. Nothing was imported. Ask a governance officer to upload "
            "the file again."
        )
    return ""


def _reload(job: ImportJob) -> ImportJob:
    job.refresh_from_db()
    return job


# --- checks: the preview of a big file ------------------------------------------------------------


def _end_check(check_id: int, state: str, **fields) -> None:
    ImportCheck.objects.filter(pk=check_id).update(
        state=state, finished_at=timezone.now(), **fields
    )


def run_queued_check(*, check_id: int) -> str:
    """Check (dry-run) a queued check's rows, as the preview of a small file does inside the
    request, and keep the report beside the rows for the preview page. Ends DONE, or FAILED
    with the reason; writes nothing to the database either way (the dry run is rolled back).
    Returns the state it ended in ("" if it had run already, or its upload was cancelled)."""
    started = ImportCheck.objects.filter(pk=check_id, state=ImportCheck.State.QUEUED).update(
        state=ImportCheck.State.RUNNING, started_at=timezone.now()
    )
    check = ImportCheck.objects.select_related("owner").filter(pk=check_id).first()
    if not started or check is None:  # delivered twice, cancelled, or ended by the sweep
        return ""
    token = check.upload_token
    try:
        sheet = uploads.load(token)
        if sheet is None:
            _end_check(check_id, ImportCheck.State.FAILED, error=CHECK_GONE)
            return ImportCheck.State.FAILED
        report = run_import(
            check.kind, sheet, by=check.owner, commit=False, progress=_ProgressNote(token)
        )
        uploads.keep_report(token, report.as_json())
        _end_check(check_id, ImportCheck.State.DONE)
        return ImportCheck.State.DONE
    except Exception as error:
        logger.exception("Import check %s failed", check_id)
        _end_check(
            check_id,
            ImportCheck.State.FAILED,
            error=(
                "The check stopped on an unexpected error. Nothing was imported. Upload the "
                "file again; if it happens again, tell the portal's administrators "
                f"(the error was: {str(error)[:500] or type(error).__name__})."
            ),
        )
        raise
    finally:
        uploads.forget_progress(token)  # the import, if confirmed, notes its own
