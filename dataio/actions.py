"""State changes of spreadsheet imports that run in the task worker (ADR 0001's actions).

`queue_import` hands a previewed upload to the worker (its side is dataio/running.py);
`fail_abandoned_imports` ends jobs a stopped worker left behind. The rows are imported
by `importers.run_import`, all or nothing, and the job's DONE is written in the same
transaction as the rows: a job never says "imported" about rows that are not there, nor
"importing" about rows that are.
"""

import logging

from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, record

from . import uploads
from .models import ImportJob
from .resources import RESOURCES
from .tasks import import_spreadsheet

logger = logging.getLogger(__name__)

ABANDONED = (
    "The import did not finish within a day: the task worker may have stopped. Nothing was "
    "imported. Upload the file again; if this happens again, tell the portal's administrators."
)


def data_rows(sheet) -> int:
    """Rows a file holds below its (first) header row: what a job counts as rows to import."""
    return max(0, len(sheet.rows) - 1)


def queue_import(*, kind: str, token: str, sheet, by) -> ImportJob:
    """Hand the upload kept under `token` to the task worker, which imports it as `kind`."""
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


def fail_abandoned_imports(*, now=None) -> int:
    """End jobs queued or running for longer than uploads are kept (their worker stopped, or
    never ran): FAILED, with the reason. Nothing of theirs was written, since a job's rows
    and its DONE are one transaction. Returns how many."""
    cutoff = (now or timezone.now()) - uploads.KEEP_FOR
    return ImportJob.objects.filter(
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING], created_at__lt=cutoff
    ).update(state=ImportJob.State.FAILED, finished_at=now or timezone.now(), error=ABANDONED)
