"""State changes of spreadsheet imports, which run in the task worker (ADR 0001's actions).

`queue_import` hands a previewed upload to the worker (its side is dataio/running.py): every
confirmed import, whatever its size. `queue_check` does the same for the preview of a file of
more than IMPORT_BACKGROUND_ROWS rows. `forget_upload` deletes an upload and its check;
`fail_abandoned_imports` and `forget_old_checks` clear what a stopped worker left behind. The
rows are imported by `importers.run_import`, all or nothing, and the job's DONE is written in
the same transaction as the rows: a job never says "imported" about rows that are not there,
nor "importing" about rows that are.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, Subject, record

from . import uploads
from .models import ImportCheck, ImportJob
from .resources import RESOURCES
from .tasks import check_spreadsheet, import_spreadsheet

logger = logging.getLogger(__name__)

ABANDONED = (
    "The import did not finish within a day: the task worker may have stopped. Nothing was "
    "imported. Upload the file again; if this happens again, tell the portal's administrators."
)


def data_rows(sheet) -> int:
    """Rows a file holds below its (first) header row: what a job counts as rows to import."""
    return max(0, len(sheet.rows) - 1)


def checked_in_background(sheet) -> bool:
    """Whether the preview of `sheet` is too big to check inside the request."""
    return data_rows(sheet) > settings.IMPORT_BACKGROUND_ROWS


def queue_check(*, kind: str, token: str, sheet, by) -> ImportCheck:
    """The check (preview) of the upload kept under `token`, queued for the task worker the
    first time it is asked for; a reload or a second tab finds the same one."""
    with transaction.atomic():
        check, created = ImportCheck.objects.get_or_create(
            upload_token=token,
            defaults={
                "owner": by,
                "kind": kind,
                "label": RESOURCES[kind].label,
                "filename": sheet.filename,
                "rows_total": data_rows(sheet),
            },
        )
        if created:
            transaction.on_commit(lambda: check_spreadsheet.enqueue(check_id=check.pk))
    return check


def forget_upload(token: str) -> None:
    """Delete an upload that will not be imported (cancelled, or replaced), and its check."""
    uploads.discard(token)
    ImportCheck.objects.filter(upload_token=token).delete()


def forget_old_checks(*, now=None) -> int:
    """Delete checks older than uploads are kept: their rows and report are gone."""
    cutoff = (now or timezone.now()) - uploads.KEEP_FOR
    deleted, _ = ImportCheck.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def queue_import(*, kind: str, token: str, sheet, by) -> ImportJob:
    """Hand the upload kept under `token` to the task worker, which imports it as `kind`
    (checking every row again against the portal as it is then)."""
    with transaction.atomic():
        ImportCheck.objects.filter(upload_token=token).delete()  # its report goes with the rows
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


def fail_abandoned_imports(*, now=None) -> int:
    """End jobs queued or running for longer than uploads are kept (their worker stopped, or
    never ran): FAILED, with the reason. Nothing of theirs was written, since a job's rows
    and its DONE are one transaction. Returns how many."""
    cutoff = (now or timezone.now()) - uploads.KEEP_FOR
    return ImportJob.objects.filter(
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING], created_at__lt=cutoff
    ).update(state=ImportJob.State.FAILED, finished_at=now or timezone.now(), error=ABANDONED)


def record_export(*, kind: str, result, fmt: str, cycle, by, request=None, comment: str = ""):
    """EXPORT_DOWNLOAD for an export that names people (exporters.PERSONAL_DATA_KINDS), from
    the portal's page (`request`) or `manage.py export_data` (`by` None: the server's operator,
    named in `comment`). Exports that name no one are not recorded."""
    from .exporters import EXPORT_KINDS, PERSONAL_DATA_KINDS

    if kind not in PERSONAL_DATA_KINDS:
        return None
    return record(
        by=by,
        verb=AuditVerb.EXPORT_DOWNLOAD,
        subject=Subject("dataio.export", kind, EXPORT_KINDS[kind].label),
        after={
            "format": fmt,
            "cycle": cycle.label if cycle else None,
            "filename": result.filename,
        },
        comment=comment,
        request=request,
    )
