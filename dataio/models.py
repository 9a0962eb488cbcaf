"""Work handed to the task worker: an import (what it is importing, how far it has got, and how
it ended) and the check (preview) of a big upload. The rows themselves wait in file storage
(uploads.py), not here."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ImportJob(models.Model):
    """A confirmed import: every import runs in the task worker, never inside the request.

    Its uploader and governance can follow it on its page, which survives reloads and second
    tabs. It ends DONE (every row written, in the same transaction as the rows) or FAILED (with
    the reason, and nothing written): an import is all or nothing.
    """

    class State(models.TextChoices):
        QUEUED = "QUEUED", "Waiting to start"
        RUNNING = "RUNNING", "Importing"
        DONE = "DONE", "Imported"
        FAILED = "FAILED", "Not imported"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
        help_text="Who uploaded and confirmed the file (the audit trail names them too).",
    )
    kind = models.CharField(max_length=40, help_text="What the file holds: themes, risks ...")
    label = models.CharField(max_length=100, help_text="The kind as shown: Themes, BAF risks ...")
    filename = models.CharField(max_length=255)
    upload_token = models.CharField(
        max_length=64, help_text="Finds the upload's rows and progress note in file storage."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(help_text="Rows to import.")
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows imported, once it ends.")
    summary = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True, help_text="Why nothing was imported, in plain words.")
    problems = models.JSONField(
        default=list, blank=True, help_text="Row problems found when it ran, as shown."
    )
    problem_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=F("rows_total")), name="import_job_done_within_total"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["QUEUED", "RUNNING"], finished_at__isnull=True)
                | Q(state__in=["DONE", "FAILED"], finished_at__isnull=False),
                name="import_job_finished_when_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} import from {self.filename}"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class ImportCheck(models.Model):
    """The preview (a dry run) of an upload too big to check inside the request (more than
    IMPORT_BACKGROUND_ROWS rows).

    The task worker runs it and keeps its report beside the upload's rows in file storage
    (uploads.keep_report); the preview page shows its progress, then that report, the same
    page a small file gets at once. One per upload, for the uploader's session only; deleted
    with the upload (imported, cancelled or, after a day, by `prune_uploads`). Nothing is ever
    written by a check.
    """

    class State(models.TextChoices):
        QUEUED = "QUEUED", "Waiting to start"
        RUNNING = "RUNNING", "Checking"
        DONE = "DONE", "Checked"
        FAILED = "FAILED", "Not checked"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_checks",
        help_text="Who uploaded the file.",
    )
    kind = models.CharField(max_length=40, help_text="What the file holds: themes, risks ...")
    label = models.CharField(max_length=100, help_text="The kind as shown: Themes, BAF risks ...")
    filename = models.CharField(max_length=255)
    upload_token = models.CharField(
        max_length=64,
        unique=True,
        help_text="Finds the upload's rows, progress note and report in file storage.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(help_text="Rows to check.")
    error = models.TextField(blank=True, help_text="Why the check could not end, in plain words.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["QUEUED", "RUNNING"], finished_at__isnull=True)
                | Q(state__in=["DONE", "FAILED"], finished_at__isnull=False),
                name="import_check_finished_when_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"Check of {self.filename} ({self.label})"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
