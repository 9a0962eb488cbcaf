"""The Board Assurance Framework: risk matrix (bands as data), BAF risks and their quarterly
reviews. Scores and bands are always derived from likelihood and consequence, never typed."""

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ics_portal.dates import PlanDateField
from ics_portal.richtext import RichTextField
from ics_portal.workflow.states import WorkflowFields

SCALE = range(1, 6)
# Which of a risk's three scores: as first assessed, now, and where it should get to.
SCORE_BASES = ("current", "target", "initial")


def _one_to_five(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}), name=name
    )


class RiskMatrixQuerySet(models.QuerySet):
    def current(self) -> "RiskMatrix":
        """The matrix in force (highest version); new scores are made under it."""
        return self.prefetch_related("bands").order_by("-version").first()


class RiskMatrix(models.Model):
    """A versioned scoring matrix. Changing bands means a new version; old scores keep theirs."""

    version = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RiskMatrixQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "risk matrices"

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def band_for(self, score: int) -> "RiskBand | None":
        # Uses the prefetched bands when present, so a page costs no query per risk.
        for band in self.bands.all():
            if band.min_score <= score <= band.max_score:
                return band
        return None


class RiskBand(models.Model):
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(max_length=40)
    min_score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()
    colour = models.CharField(
        max_length=20, help_text="Colour key: green, yellow, amber, red (drawn with its word)."
    )

    class Meta:
        ordering = ["matrix", "min_score"]
        constraints = [
            models.UniqueConstraint(fields=["matrix", "name"], name="band_name_unique_in_matrix"),
            models.CheckConstraint(
                condition=Q(
                    min_score__gte=1, max_score__lte=25, min_score__lte=models.F("max_score")
                ),
                name="band_range_within_1_to_25",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.min_score}-{self.max_score})"


@dataclass(frozen=True)
class Score:
    """A likelihood × consequence pair with its derived score and band."""

    likelihood: int
    consequence: int
    band: RiskBand | None

    @property
    def value(self) -> int:
        return self.likelihood * self.consequence

    @property
    def band_name(self) -> str:
        return self.band.name if self.band else "Unbanded"

    @property
    def colour(self) -> str:
        return self.band.colour if self.band else "grey"

    @property
    def label(self) -> str:
        """ "16 (4×4) Extreme"."""
        return f"{self.value} ({self.likelihood}×{self.consequence}) {self.band_name}"

    def __str__(self) -> str:
        return self.label


# What a reference may be: it names the risk's pages (/risks/07/), so only what fits there.
REFERENCE_PATTERN = "[A-Za-z0-9-]{1,10}"


class BAFRisk(models.Model):
    class Category(models.TextChoices):
        SERVICE_DELIVERY = "SERVICE_DELIVERY", "Service/transformation delivery"
        STAKEHOLDER = "STAKEHOLDER", "Stakeholder management"
        QUALITY = "QUALITY", "Quality management"
        FINANCIAL = "FINANCIAL", "Financial management"
        GOVERNANCE = "GOVERNANCE", "Governance/leadership"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CLOSED = "CLOSED", "Closed"

    reference = models.CharField(
        max_length=10,
        unique=True,
        help_text='Canonical two-digit reference, e.g. "07".',
        validators=[
            RegexValidator(
                f"^{REFERENCE_PATTERN}$",
                "Enter a reference of up to 10 letters, numbers and hyphens, like 07",
            )
        ],
    )
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="The risk as the board approved it.")
    category = models.CharField(max_length=20, choices=Category.choices)
    themes = models.ManyToManyField(
        "workstreams.Theme", blank=True, related_name="baf_risks", verbose_name="strategic themes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
        verbose_name="senior risk owner",
    )
    owner_role = models.CharField(
        "senior risk owner (role)",
        max_length=200,
        blank=True,
        help_text="e.g. Chief Finance Officer",
    )
    initial_likelihood = models.PositiveSmallIntegerField()
    initial_consequence = models.PositiveSmallIntegerField()
    current_likelihood = models.PositiveSmallIntegerField()
    current_consequence = models.PositiveSmallIntegerField()
    target_likelihood = models.PositiveSmallIntegerField()
    target_consequence = models.PositiveSmallIntegerField()
    matrix = models.ForeignKey(
        RiskMatrix,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The matrix version the current scores were made under.",
    )
    rationale = RichTextField("rationale for current score")
    controls = RichTextField()
    assurances = RichTextField()
    gaps_in_control = RichTextField()
    gaps_in_assurance = RichTextField()
    mitigating_actions = RichTextField()
    risk_appetite = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    next_review = PlanDateField("next review date", null=True, blank=True)
    # Optimistic locking for governance edits (ADR 0002): a stale edit is refused, not merged.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        verbose_name = "BAF risk"
        constraints = [
            _one_to_five("initial_likelihood", "risk_initial_likelihood_1_to_5"),
            _one_to_five("initial_consequence", "risk_initial_consequence_1_to_5"),
            _one_to_five("current_likelihood", "risk_current_likelihood_1_to_5"),
            _one_to_five("current_consequence", "risk_current_consequence_1_to_5"),
            _one_to_five("target_likelihood", "risk_target_likelihood_1_to_5"),
            _one_to_five("target_consequence", "risk_target_consequence_1_to_5"),
            models.CheckConstraint(
                condition=Q(status="OPEN") | ~Q(closed_reason=""),
                name="risk_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def save(self, *args, **kwargs):
        # However a reference arrives (form, import, admin), it is stored canonically.
        self.reference = self.canonical_reference(self.reference)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", kwargs={"reference": self.reference})

    @staticmethod
    def canonical_reference(text: str) -> str:
        """ "7" -> "07"; references are found however they were typed."""
        text = str(text).strip()
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
        return f"{int(text):02d}" if text.isascii() and text.isdigit() else text.upper()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def _score(self, prefix: str) -> Score:
        likelihood = getattr(self, f"{prefix}_likelihood")
        consequence = getattr(self, f"{prefix}_consequence")
        return Score(likelihood, consequence, self.matrix.band_for(likelihood * consequence))

    @property
    def initial_score(self) -> Score:
        return self._score("initial")

    @property
    def current_score(self) -> Score:
        return self._score("current")

    @property
    def target_score(self) -> Score:
        return self._score("target")

    @property
    def owner_label(self) -> str:
        parts = [p for p in (str(self.owner) if self.owner else "", self.owner_role) if p]
        return ", ".join(parts)


class RiskReview(WorkflowFields):
    """One quarterly review of a BAF risk by its owner: the scores at that quarter."""

    risk = models.ForeignKey(BAFRisk, on_delete=models.CASCADE, related_name="reviews")
    cycle = models.ForeignKey(
        "ics_portal.ReportingCycle", on_delete=models.PROTECT, related_name="risk_reviews"
    )
    likelihood = models.PositiveSmallIntegerField("current likelihood")
    consequence = models.PositiveSmallIntegerField("current consequence")
    target_likelihood = models.PositiveSmallIntegerField()
    target_consequence = models.PositiveSmallIntegerField()
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="+")
    rationale = RichTextField("rationale for the score")
    controls = RichTextField()
    assurances = RichTextField()
    gaps_in_control = RichTextField()
    gaps_in_assurance = RichTextField()
    mitigating_actions = RichTextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["risk", "cycle"], name="one_review_per_risk_per_cycle"),
            _one_to_five("likelihood", "review_likelihood_1_to_5"),
            _one_to_five("consequence", "review_consequence_1_to_5"),
            _one_to_five("target_likelihood", "review_target_likelihood_1_to_5"),
            _one_to_five("target_consequence", "review_target_consequence_1_to_5"),
            *WorkflowFields.constraints_for("riskreview"),
        ]

    def __str__(self) -> str:
        return f"Risk {self.risk.reference} review, {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("risks:review", kwargs={"pk": self.pk})

    @property
    def score(self) -> Score:
        value = self.likelihood * self.consequence
        return Score(self.likelihood, self.consequence, self.matrix.band_for(value))

    @property
    def target_score(self) -> Score:
        value = self.target_likelihood * self.target_consequence
        return Score(self.target_likelihood, self.target_consequence, self.matrix.band_for(value))
