"""The development plan's structure: themes, golden threads, workstreams, objectives and
milestones. All of it is data the governance team edits, not code."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ics_portal.dates import FinancialYearField, PlanDateField
from ics_portal.richtext import RichTextField


class Theme(models.Model):
    """A development-plan theme / workstream area ("System Roles and Capabilities")."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other spellings found in papers, for imports."
    )
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_themes")
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "number"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plan:theme", kwargs={"pk": self.pk})


class GoldenThread(models.Model):
    """A golden thread running across the themes ("Health inequalities")."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    aliases = models.JSONField(default=list, blank=True)
    current_drivers = RichTextField("What are the current drivers?")
    system_leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_golden_threads"
    )
    cross_references = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        help_text="Threads whose updates should be read alongside this one.",
    )
    is_cross_referenced = models.BooleanField(
        "cross-referenced (asterisked)",
        default=False,
        help_text="Shown with an asterisk in the summary table.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords(excluded_fields=["order"])

    class Meta:
        ordering = ["order", "number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("plan:thread", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        """How every page and email names it, told apart from a workstream of the same
        name: "Golden thread: Workforce"."""
        return f"Golden thread: {self.name}"


class Milestone(models.Model):
    """A key milestone; one milestone can sit in many workstreams."""

    class Precision(models.TextChoices):
        DAY = "DAY", "Day"
        MONTH = "MONTH", "Month"
        QUARTER = "QUARTER", "Quarter"
        YEAR = "YEAR", "Financial year"

    title = models.CharField(max_length=500, unique=True)
    due_date = PlanDateField(
        "delivery by",
        null=True,
        blank=True,
        help_text="The last day of the period named.",
        what="Delivery date",
    )
    due_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.MONTH
    )
    due_label = models.CharField(
        "delivery by (as written)",
        max_length=100,
        blank=True,
        help_text='As written in the plan, e.g. "Delivery by Sept 2021".',
    )
    critical_path = models.BooleanField(default=True)

    class Meta:
        ordering = ["due_date", "title"]

    def __str__(self) -> str:
        return self.title


class Workstream(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="workstreams")
    name = models.CharField(max_length=300, unique=True)
    code = models.SlugField(
        max_length=20, unique=True, help_text="Short code used in imports and URLs, e.g. DE."
    )
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_workstreams"
    )
    deputies = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="deputised_workstreams"
    )
    golden_threads = models.ManyToManyField(GoldenThread, blank=True, related_name="workstreams")
    baf_risks = models.ManyToManyField(
        "risks.BAFRisk", blank=True, related_name="workstreams", verbose_name="BAF risks"
    )
    milestones = models.ManyToManyField(
        Milestone, blank=True, related_name="workstreams", through="WorkstreamMilestone"
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__order", "theme__number", "order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plan:workstream", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        """How every page and email names it, told apart from a golden thread of the same
        name: "Workstream: WORKFORCE"."""
        return f"Workstream: {self.name}"


class WorkstreamMilestone(models.Model):
    """A milestone as one workstream holds it. A shared milestone may be due at a different time
    in each workstream (001:141: "Delivery by July 2021" where the others say Sept 2021): a date
    or label given here overrides the milestone's for this workstream only."""

    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, related_name="milestone_links"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="workstream_links"
    )
    due_date = PlanDateField(
        "delivery by (this workstream)",
        null=True,
        blank=True,
        help_text="Only where this workstream's date differs from the milestone's.",
        what="Delivery date",
    )
    due_precision = models.CharField(max_length=10, choices=Milestone.Precision.choices, blank=True)
    due_label = models.CharField(
        "delivery by as written (this workstream)",
        max_length=100,
        blank=True,
        help_text='e.g. "Delivery by July 2021"; blank uses the milestone\'s.',
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        # The table and unique pair are the ones the plain many-to-many link had (migration 0003).
        db_table = "workstreams_workstream_milestones"
        unique_together = [("workstream", "milestone")]
        ordering = ["order", "milestone__due_date", "milestone__title"]
        verbose_name = "workstream milestone"

    def __str__(self) -> str:
        return f"{self.milestone} ({self.workstream})"

    @property
    def has_own_date(self) -> bool:
        return self.due_date is not None or bool(self.due_label)

    @property
    def delivery_date(self):
        """This workstream's delivery-by date: its own where given, else the milestone's."""
        return self.due_date if self.has_own_date else self.milestone.due_date

    @property
    def delivery_precision(self) -> str:
        if self.has_own_date and self.due_precision:
            return self.due_precision
        return self.milestone.due_precision

    @property
    def delivery_label(self) -> str:
        """This workstream's delivery-by as written: its own where given, else the milestone's."""
        return self.due_label if self.has_own_date else self.milestone.due_label


class Objective(models.Model):
    """A numbered objective of a workstream ("1: Strengthen clinical leadership model")."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    target_fy_start_year = FinancialYearField(
        "target financial year", null=True, blank=True, help_text="e.g. 2021 for 2021/22."
    )
    target_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["workstream", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "number"], name="objective_number_unique_in_workstream"
            ),
            models.CheckConstraint(
                condition=Q(target_quarter__isnull=True)
                | Q(target_quarter__gte=1, target_quarter__lte=4),
                name="objective_target_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(target_quarter__isnull=True, target_fy_start_year__isnull=True)
                | Q(target_quarter__isnull=False, target_fy_start_year__isnull=False),
                name="objective_target_quarter_with_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.text}"

    @property
    def target_label(self) -> str:
        if self.target_quarter and self.target_fy_start_year:
            from ics_portal.periods import Quarter

            return Quarter(self.target_fy_start_year, self.target_quarter).label
        return ""
