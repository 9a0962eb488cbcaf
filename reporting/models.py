"""Reporting cycles and the quarterly updates leads write in them."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ics_portal.dates import FinancialYearField, PlanDateField, PlanDateTimeField
from ics_portal.periods import Quarter
from ics_portal.richtext import RichTextField
from ics_portal.status import DeliveryStatus
from ics_portal.workflow.states import WorkflowFields


class ReportingCycle(models.Model):
    """One quarter's round of updates, from opening to the board meeting."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        OPEN = "OPEN", "Open"
        CLOSED = "CLOSED", "Closed"
        PUBLISHED = "PUBLISHED", "Published"

    fy_start_year = FinancialYearField(
        "financial year", help_text="The year the financial year starts: 2021 for 2021/22."
    )
    quarter = models.PositiveSmallIntegerField()
    opens_on = PlanDateField()
    submission_deadline = PlanDateField()
    review_deadline = PlanDateField()
    board_forum = models.CharField(
        "board meeting", max_length=200, blank=True, help_text="e.g. System Partnership Board"
    )
    board_meeting_date = PlanDateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fy_start_year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["fy_start_year", "quarter"], name="one_cycle_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="cycle_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(submission_deadline__gte=models.F("opens_on")),
                name="cycle_deadline_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(review_deadline__gte=models.F("submission_deadline")),
                name="cycle_review_after_submission",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("reporting:cycle_detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> Quarter:
        return Quarter(self.fy_start_year, self.quarter)

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class WorkstreamUpdate(WorkflowFields):
    """A workstream's quarterly progress update (one per cycle × workstream)."""

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, related_name="workstream_updates"
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream", on_delete=models.PROTECT, related_name="updates"
    )
    overall_status = models.CharField(max_length=12, choices=DeliveryStatus.choices, blank=True)
    forecast_status = models.CharField(
        "forecast status (next quarter)",
        max_length=12,
        choices=DeliveryStatus.choices,
        blank=True,
        help_text="How confident you are of delivery next quarter.",
    )
    status_explanation = models.TextField(
        blank=True, help_text="Required when the status is At risk or Delayed."
    )
    next_quarter_plans = RichTextField()
    key_risks = RichTextField("key risks and issues")
    baf_risks = models.ManyToManyField(
        "risks.BAFRisk", blank=True, related_name="workstream_updates", verbose_name="BAF risks"
    )
    nothing_to_escalate = models.BooleanField("nothing new to escalate", default=False)
    date_of_update = PlanDateField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[baf_risks])

    class Meta:
        ordering = ["cycle", "workstream"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "workstream"], name="one_update_per_cycle_workstream"
            ),
            *WorkflowFields.constraints_for("workstreamupdate"),
        ]

    def __str__(self) -> str:
        return f"{self.workstream} – {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:update_detail", kwargs={"kind": "workstream", "pk": self.pk})


class ObjectiveProgress(models.Model):
    """Progress against one numbered objective, within a workstream update."""

    update = models.ForeignKey(
        WorkstreamUpdate, on_delete=models.CASCADE, related_name="objective_progress"
    )
    objective = models.ForeignKey(
        "workstreams.Objective", on_delete=models.PROTECT, related_name="+"
    )
    progress = RichTextField()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "objective progress"
        ordering = ["update", "objective__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "objective"], name="one_progress_per_objective"
            )
        ]

    def __str__(self) -> str:
        return f"Objective {self.objective.number} progress"


class MilestoneProgress(models.Model):
    """A key-milestone row of a workstream update: status, revised date, note."""

    update = models.ForeignKey(
        WorkstreamUpdate, on_delete=models.CASCADE, related_name="milestone_progress"
    )
    milestone = models.ForeignKey(
        "workstreams.Milestone", on_delete=models.PROTECT, related_name="progress"
    )
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, blank=True)
    revised_date = PlanDateField(null=True, blank=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "milestone row"
        ordering = ["update", "milestone__due_date", "milestone__title"]
        constraints = [
            models.UniqueConstraint(fields=["update", "milestone"], name="one_row_per_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.milestone} ({self.get_status_display() or 'no status'})"


class GoldenThreadUpdate(WorkflowFields):
    """A golden thread's quarterly update (one per cycle × thread)."""

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, related_name="golden_thread_updates"
    )
    golden_thread = models.ForeignKey(
        "workstreams.GoldenThread", on_delete=models.PROTECT, related_name="updates"
    )
    overall_status = models.CharField(max_length=12, choices=DeliveryStatus.choices, blank=True)
    status_explanation = models.TextField(blank=True)
    quarter_update = RichTextField(
        help_text="Summarise what activity has taken place during the quarter."
    )
    next_quarter_plans = RichTextField(help_text="What will happen next quarter.")
    key_risks = RichTextField()
    nothing_to_escalate = models.BooleanField("no additional risks for escalation", default=False)
    objectives = models.ManyToManyField(
        "workstreams.Objective",
        blank=True,
        related_name="golden_thread_updates",
        help_text="Development-plan objectives this update reports against.",
    )
    baf_risks = models.ManyToManyField(
        "risks.BAFRisk", blank=True, related_name="golden_thread_updates", verbose_name="BAF risks"
    )

    history = HistoricalRecords(m2m_fields=[baf_risks, objectives])

    class Meta:
        ordering = ["cycle", "golden_thread"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "golden_thread"], name="one_update_per_cycle_thread"
            ),
            *WorkflowFields.constraints_for("goldenthreadupdate"),
        ]

    def __str__(self) -> str:
        return f"{self.golden_thread} – {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:update_detail", kwargs={"kind": "thread", "pk": self.pk})


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
        MILESTONES = "milestones", "Milestones due next quarter and overdue"

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
    # Blank too: edit_pack runs full_clean(), which must pass once the creator is deleted.
    created_by = models.ForeignKey(
        "ics_portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
    def section_labels(self) -> list[str]:
        labels = dict(self.Section.choices)
        return [labels[s] for s in self.sections if s in labels]


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


class ReminderSent(models.Model):
    """A reminder email sent to a person about a cycle on a day: the send_reminders command
    (and governance's "send reminder") chase each person at most once a day."""

    class Kind(models.TextChoices):
        REMINDER = "REMINDER", "Reminder before the deadline"
        OVERDUE = "OVERDUE", "Overdue notice"
        MANUAL = "MANUAL", "Reminder sent by the governance team"

    person = models.ForeignKey(
        "ics_portal.User", on_delete=models.CASCADE, related_name="reminders_sent"
    )
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cycle", "kind", "sent_on"], name="one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person} on {self.sent_on}"
