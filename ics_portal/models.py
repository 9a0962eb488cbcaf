"""People, their partner organisations, the audit trail and the reporting cycles: what every app
shares. A cycle is the quarter every reviewed item is reviewed in (ADR 0009); opening, closing
and chasing it are the reporting app's actions."""

import rules
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .dates import FinancialYearField, PlanDateField

# Posts, forums and meetings live in a module of their own (issue 16); Django finds models here.
from .forum_models import Forum, ForumAlias, ForumMember, Meeting, Post, PostAlias  # noqa: F401
from .periods import Quarter


class Organisation(models.Model):
    """A partner organisation of the ICS (ICB, trust, council, VCSE ...)."""

    class Kind(models.TextChoices):
        ICB = "ICB", "Integrated care board"
        NHS_TRUST = "NHS_TRUST", "NHS trust"
        LOCAL_AUTHORITY = "LOCAL_AUTHORITY", "Local authority"
        VCSE = "VCSE", "Voluntary, community and social enterprise"
        OTHER = "OTHER", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The plan pages are reporting's (ADR 0009): named, not imported.
        return reverse("plan:organisation", kwargs={"pk": self.pk})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin (governance officers, administrators)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Name with organisation, as shown beside a person everywhere in the portal."""
        name = self.full_name or self.email
        if self.organisation_id:
            return f"{name} ({self.organisation.short_name})"
        return name

    def get_full_name(self) -> str:
        return self.full_name

    def has_perm(self, perm, obj=None) -> bool:
        """Django's question (the admin, `{% if perms.… %}`) gives the portal's answer for the
        portal's own permissions (registered with rules by ics_portal/permissions.py): an
        inactive person has none, and superusers are held to the same locks as governance.
        Django's model permissions keep Django's rule."""
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AuditTrailIsPermanent(Exception):
    """Something tried to change or delete an audit event. Nothing may (docs/adr/0015)."""

    def __init__(self, what: str = "changed or deleted"):
        super().__init__(f"Audit events cannot be {what}: the audit trail is permanent.")


class AuditEventQuerySet(models.QuerySet):
    """Audit events can be added and read, never updated or deleted in bulk."""

    def update(self, **kwargs):
        raise AuditTrailIsPermanent("changed")

    def delete(self):
        raise AuditTrailIsPermanent("deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTrailIsPermanent("changed")

    # The raw forms are refused too.
    def _update(self, values):
        raise AuditTrailIsPermanent("changed")

    def _raw_delete(self, using):
        raise AuditTrailIsPermanent("deleted")


class AuditEvent(models.Model):
    """Who did what to which object, and when.

    No foreign keys: the row outlives the user and the object it describes. Written by the
    actions in the same transaction as the change itself.

    Permanent: a saved event cannot be saved again or deleted, here (save, delete, the
    queryset's update and delete) nor in the database, whose triggers refuse UPDATE and DELETE
    on the table (migration 0005; docs/adr/0015-audit-trail-is-permanent.md).
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=300, blank=True)
    verb = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # Where and in which session it happened, when it came from a request (ics_portal/audit.py).
    ip_address = models.GenericIPAddressField("client address", null=True, blank=True)
    session_ref = models.CharField("session", max_length=16, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.verb} {self.object_type} {self.object_label}"

    def save(self, *args, **kwargs):
        """Insert a new event; an event already stored is never written again."""
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditTrailIsPermanent("changed")
        kwargs["force_insert"] = True  # never an UPDATE of a row with the same id
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsPermanent("deleted")


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
        # Defined in the reporting app until it moved down a layer (ADR 0009): same table.
        db_table = "reporting_reportingcycle"
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

    @property
    def is_closed(self) -> bool:
        """Past its submission deadline: closed, or closed and its board pack published."""
        return self.status in (self.Status.CLOSED, self.Status.PUBLISHED)


class Feedback(models.Model):
    """What someone told the service team through the phase banner's feedback link. Anyone may
    give it, signed in or not; the client address is kept only to limit how often one address
    can send (ics_portal/feedback.py)."""

    trying_to_do = models.TextField("what were you trying to do?", max_length=2000)
    what_happened = models.TextField("what happened?", max_length=2000)
    email = models.EmailField("email address", blank=True, help_text="Only if they want a reply.")
    page = models.CharField("page they came from", max_length=500, blank=True)
    person = models.ForeignKey(
        "ics_portal.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who was signed in, if anyone.",
    )
    ip_address = models.GenericIPAddressField("client address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "feedback"
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback of {self.created_at:%d %b %Y %H:%M}"
