"""Reporting cycles and the quarterly updates leads write in them."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ics_portal.dates import PlanDateField
from ics_portal.models import ReportingCycle
from ics_portal.richtext import RichTextField
from ics_portal.status import DeliveryStatus
from ics_portal.workflow.states import WorkflowFields


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

    def _own_due(self):
        """The workstream's own delivery date and label for this milestone, where it gives one
        (a shared milestone may be due at a different time in each workstream). Reads
        update.workstream.milestone_links: prefetch it to keep a page's queries fixed."""
        for link in self.update.workstream.milestone_links.all():
            if link.milestone_id == self.milestone_id and link.has_own_date:
                return link.due_date, link.due_label
        return None

    @property
    def due_date(self):
        """The delivery-by date in this update's workstream."""
        own = self._own_due()
        return own[0] if own else self.milestone.due_date

    @property
    def due_text(self) -> str:
        """The delivery-by date as written for this update's workstream ("Delivery by July
        2021"), else the date itself."""
        due_date, due_label = self._own_due() or (self.milestone.due_date, self.milestone.due_label)
        return due_label or (f"{due_date:%-d %B %Y}" if due_date else "")


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
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        ordering = ["-sent_on", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cycle", "kind", "sent_on"], name="one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person} on {self.sent_on}"


class SearchDocument(models.Model):
    """One searchable text (issue 15): an update, objective, milestone, BAF risk or risk review,
    flattened to plain text with what the results page shows and filters by. Kept up to date by
    signal (reporting/search_index.py) from the sources apps register
    (ics_portal/search_sources.py); `manage.py rebuild_search_index` builds it afresh.

    The full-text index over `title` and `text` is the database's own, made by migration 0013:
    on PostgreSQL a generated tsvector column with a GIN index, on SQLite an FTS5 table kept in
    step by triggers. Neither is a Django field (reporting/search_query.py asks them in SQL).
    """

    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=600)
    text = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=400, blank=True)
    # Plain ids, not foreign keys: the index is rebuilt from its sources, and deleting a
    # source row never waits on it.
    cycle_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The themes the text belongs to (SearchEntry.theme_ids), as " 3 7 ": found by
    # in_theme(). A risk or a golden thread spans themes; one column keeps the index a table.
    themes = models.CharField(max_length=400, blank=True, default="")
    workstream_id = models.PositiveBigIntegerField(null=True, blank=True)
    golden_thread_id = models.PositiveBigIntegerField(null=True, blank=True)
    risk_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, blank=True)
    state = models.CharField(max_length=12, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_document_per_object")
        ]
        indexes = [models.Index(fields=["cycle_id", "kind"], name="searchdoc_cycle_kind")]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def themes_value(theme_ids) -> str:
        """The `themes` column for these theme ids: each between spaces."""
        return f" {' '.join(str(pk) for pk in sorted(set(theme_ids)))} " if theme_ids else ""

    @staticmethod
    def in_theme(theme_id: int) -> Q:
        """The documents that belong to this theme."""
        return Q(themes__contains=f" {int(theme_id)} ")
