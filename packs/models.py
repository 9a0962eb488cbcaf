"""Board packs: a cover sheet and chosen sections for a cycle, and what was published."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ics_portal.dates import PlanDateField, PlanDateTimeField
from ics_portal.models import ReportingCycle


class BoardPack(models.Model):
    """A board pack for a cycle: the cover sheet, the chosen sections and how it is published."""

    class Purpose(models.TextChoices):
        APPROVAL = "APPROVAL", "Approval"
        DECISION = "DECISION", "Decision"
        ASSURE = "ASSURE", "Assure"
        INFORM = "INFORM", "Inform"

    class Visibility(models.TextChoices):
        MEMBERS = "MEMBERS", "Board members only"
        PUBLIC = "PUBLIC", "Public (meeting held in public)"

    class State(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        GENERATING = "GENERATING", "Generating"
        READY = "READY", "Ready to publish"
        PUBLISHED = "PUBLISHED", "Published"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"

    class Section(models.TextChoices):
        SUMMARY = "summary", "Summary and what changed since last quarter"
        GOLDEN_THREADS = "golden_threads", "Golden threads"
        WORKSTREAMS = "workstreams", "Workstream progress by theme"
        RISK_REGISTER = "risk_register", "BAF risk register and heat map"
        MILESTONES = "milestones", "Milestones due and overdue"

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="board_packs")
    meeting = models.CharField(
        max_length=200, help_text="e.g. System Partnership Board Meeting in Public"
    )
    date_of_meeting = PlanDateField()
    agenda_item = models.CharField(max_length=20, blank=True, help_text="e.g. 03.1")
    title = models.CharField(max_length=300)
    lead = models.CharField(max_length=300, help_text="Who presents the paper, with role.")
    author = models.CharField(max_length=300, help_text="Who wrote the paper, with role.")
    purpose = models.CharField("report purpose", max_length=10, choices=Purpose.choices)
    presented_before = models.TextField(
        "committees/groups where this has been presented before (including date)", blank=True
    )
    purpose_of_paper = models.TextField("purpose of the paper")
    recommendation = models.TextField()
    sections = models.JSONField(default=list, help_text="Section codes, in order.")
    exception_only = models.BooleanField(
        "report by exception",
        default=False,
        help_text="Only At risk and Delayed items in threads and workstreams.",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    embargo_until = PlanDateTimeField(
        null=True,
        blank=True,
        help_text="Public packs are readable without signing in from this time.",
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Generation progress, 0-100.")
    progress_message = models.CharField(max_length=200, blank=True)
    generation_error = models.TextField(blank=True)
    draft_pdf = models.FileField(upload_to="packs/drafts/", blank=True)
    draft_html = models.TextField(blank=True, help_text="The HTML the draft PDF was made from.")
    draft_sha256 = models.CharField(max_length=64, blank=True)
    draft_page_count = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    generation = models.PositiveIntegerField(
        default=0,
        help_text="Counts the requests to generate the PDF: only the task of the latest one, "
        "while the pack is generating, may keep its PDF (packs/generation.py).",
    )
    # Blank too: edit_pack runs full_clean(), which must pass once the creator is deleted.
    created_by = models.ForeignKey(
        "ics_portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "reporting_boardpack"  # the table it had in the reporting app (ADR 0009)
        ordering = ["-date_of_meeting", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="PUBLIC") | Q(embargo_until__isnull=False),
                name="public_pack_has_embargo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.cycle})"

    @property
    def generation_stalled(self) -> bool:
        """Generating, with no sign of life for longer than a task may run
        (TASK_TIMEOUT_SECONDS): the worker stopped or lost the task, and the PDF may be asked
        for again. A task still running then is harmless: a new request makes it a no-op
        (generation.py keeps only the current generation's PDF)."""
        if self.state != self.State.GENERATING or self.updated_at is None:
            return False
        quiet = timezone.now() - self.updated_at
        return quiet > datetime.timedelta(seconds=settings.TASK_TIMEOUT_SECONDS)

    @property
    def is_editable(self) -> bool:
        """Its cover sheet can still change: not generating, not published."""
        return self.state in EDITABLE_PACK_STATES

    @property
    def section_labels(self) -> list[str]:
        labels = dict(self.Section.choices)
        return [labels[s] for s in self.sections if s in labels]


# States in which a pack's cover sheet and sections can still change.
EDITABLE_PACK_STATES = frozenset(
    {BoardPack.State.DRAFT, BoardPack.State.READY, BoardPack.State.WITHDRAWN}
)


class PublishedPack(models.Model):
    """An immutable published version of a board pack: what the board read, for ever."""

    pack = models.ForeignKey(BoardPack, on_delete=models.PROTECT, related_name="published_versions")
    number = models.PositiveIntegerField("version")
    pdf = models.FileField(upload_to="packs/published/")
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField()
    html = models.TextField(help_text="The frozen HTML report, as published.")
    title = models.CharField(max_length=300)
    visibility = models.CharField(max_length=10, choices=BoardPack.Visibility.choices)
    embargo_until = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        "ics_portal.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "ics_portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    # Only the withdrawal stamp may change after publication.
    MUTABLE_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawn_reason"})

    class Meta:
        db_table = "reporting_publishedpack"  # the table it had in the reporting app (ADR 0009)
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "number"], name="published_version_unique"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args, update_fields=None, **kwargs):
        if self.pk and (update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS):
            raise ValueError("A published pack is immutable; only its withdrawal can be recorded.")
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
