"""What the import pages show about work in the task worker (ADR 0001's presenters): one
job's progress, the check (preview) of a big file, and the recent jobs a person may follow."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from ics_portal.permissions import imports_visible_to

from . import uploads
from .models import ImportCheck, ImportJob

# A job still waiting after this long gets a hint that the task worker may not be running.
SLOW_START = timedelta(minutes=2)
# The live announcement (for screen readers) changes at most at these steps while importing.
ANNOUNCE_EVERY_PERCENT = 25


@dataclass(frozen=True)
class ImportProgress:
    job: ImportJob
    rows_done: int
    rows_total: int
    slow_start: bool

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.job.state == ImportJob.State.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def done_text(self) -> str:
        return f"{self.rows_done:,}"

    @property
    def total_text(self) -> str:
        return f"{self.rows_total:,}"

    @property
    def problems_not_shown(self) -> str:
        more = self.job.problem_count - len(self.job.problems)
        return f"{more:,}" if more > 0 else ""

    @property
    def announcement_key(self) -> str:
        """Changes when the announcement does: the state, and while importing each quarter."""
        if self.job.state == ImportJob.State.RUNNING:
            step = self.percent // ANNOUNCE_EVERY_PERCENT * ANNOUNCE_EVERY_PERCENT
            return f"RUNNING-{step}"
        return self.job.state

    @property
    def announcement(self) -> str:
        """What a screen reader is told as the import moves on (WCAG 4.1.3)."""
        job = self.job
        if job.state == ImportJob.State.QUEUED:
            return "Waiting for the task worker to start the import."
        if job.state == ImportJob.State.RUNNING:
            step = self.percent // ANNOUNCE_EVERY_PERCENT * ANNOUNCE_EVERY_PERCENT
            return f"Importing: {step}% of rows done." if step else "Importing."
        if job.state == ImportJob.State.DONE:
            return f"{job.label} imported from {job.filename}: {job.summary}."
        return f"Nothing was imported from {job.filename}. {job.error}"


def import_progress(job: ImportJob, *, now: datetime | None = None) -> ImportProgress:
    """A job as its page shows it. While it runs, rows done come from the note the worker
    keeps beside the upload (its database writes are invisible until the import ends)."""
    done, total = job.rows_done, job.rows_total
    if job.state == ImportJob.State.RUNNING:
        noted = uploads.read_progress(job.upload_token)
        if noted is not None:
            done, total = noted
    slow = (
        job.state == ImportJob.State.QUEUED
        and (now or timezone.now()) - job.created_at > SLOW_START
    )
    return ImportProgress(job=job, rows_done=done, rows_total=total, slow_start=slow)


def recent_imports(user, *, limit: int = 5) -> list[ImportJob]:
    """The latest background imports `user` may follow: all for governance, else their own.
    One query, however many there are."""
    jobs = ImportJob.objects.select_related("owner__organisation").order_by("-created_at", "-id")
    return list(imports_visible_to(user, jobs)[:limit])


@dataclass(frozen=True)
class CheckProgress:
    """A big file's check as the preview page shows it while the task worker runs it."""

    check: ImportCheck
    rows_done: int
    rows_total: int
    slow_start: bool

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def done_text(self) -> str:
        return f"{self.rows_done:,}"

    @property
    def total_text(self) -> str:
        return f"{self.rows_total:,}"

    @property
    def announcement_key(self) -> str:
        if self.check.state == ImportCheck.State.RUNNING:
            step = self.percent // ANNOUNCE_EVERY_PERCENT * ANNOUNCE_EVERY_PERCENT
            return f"RUNNING-{step}"
        return self.check.state

    @property
    def announcement(self) -> str:
        """What a screen reader is told as the check moves on (WCAG 4.1.3)."""
        check = self.check
        if check.state == ImportCheck.State.QUEUED:
            return "Waiting for the task worker to check the file."
        if check.state == ImportCheck.State.RUNNING:
            step = self.percent // ANNOUNCE_EVERY_PERCENT * ANNOUNCE_EVERY_PERCENT
            return f"Checking: {step}% of rows done." if step else "Checking."
        if check.state == ImportCheck.State.DONE:
            return "Checked."
        return f"{check.filename} could not be checked. {check.error}"


def check_progress(check: ImportCheck, *, now: datetime | None = None) -> CheckProgress:
    """A check as its page shows it: rows done from the note the worker keeps beside the
    upload while it runs."""
    done, total = 0, check.rows_total
    if check.state == ImportCheck.State.RUNNING:
        noted = uploads.read_progress(check.upload_token)
        if noted is not None:
            done, total = noted
    slow = (
        check.state == ImportCheck.State.QUEUED
        and (now or timezone.now()) - check.created_at > SLOW_START
    )
    return CheckProgress(check=check, rows_done=done, rows_total=total, slow_start=slow)
