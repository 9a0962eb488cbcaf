"""Posts, forums and their meetings (issue 16, ADR 0020): who chairs, who reports to whom, and
when a forum sits. In the bottom layer because a reporting cycle's board meeting, a pack's
meeting, an action's owner and source meeting and a risk's SRO all name them.

A post ("AO", "CFO") is a role with its holder, so an action owned by "AO" follows the person
who holds the post. Forum names as written elsewhere are matched through `forum_names`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .dates import PlanDateField
from .forum_names import normalise_forum_name


class Post(models.Model):
    """A role people are named by in papers: "Accountable Officer" (AO), "Chief Finance
    Officer" (CFO). Its holder is the person who answers for what the post owns."""

    title = models.CharField(max_length=120, help_text="e.g. Accountable Officer")
    short_name = models.CharField(
        max_length=30, unique=True, help_text="As papers write it, e.g. AO, CFO, Dir. Gov"
    )
    holder = models.ForeignKey(
        "ics_portal.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts_held",
        help_text="The person who holds the post now; empty while it is vacant.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.short_name})"


class _Alias(models.Model):
    """Another name something is written by, unique once normalised (forum_names.py)."""

    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalised = normalise_forum_name(self.name)
        super().save(*args, **kwargs)


class PostAlias(_Alias):
    """Another name a post is written by ("Chief Officer" for the AO, "Chairman")."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="aliases")

    class Meta(_Alias.Meta):
        verbose_name_plural = "post aliases"


class Forum(models.Model):
    """A board, committee, group or forum that papers go to."""

    class Kind(models.TextChoices):
        BOARD = "BOARD", "Board"
        COMMITTEE = "COMMITTEE", "Committee"
        GROUP = "GROUP", "Group"
        FORUM = "FORUM", "Forum"

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        FORTNIGHTLY = "FORTNIGHTLY", "Every two weeks (2/52)"
        MONTHLY = "MONTHLY", "Monthly"
        QUARTERLY = "QUARTERLY", "Quarterly"
        ANNUAL = "ANNUAL", "Annually"
        AS_NEEDED = "AS_NEEDED", "As needed"

    class Sittings(models.TextChoices):
        PUBLIC = "PUBLIC", "In public"
        PRIVATE = "PRIVATE", "In private"
        BOTH = "BOTH", "In public and in private"

    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=20, blank=True, help_text="e.g. SOAG")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMITTEE)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, blank=True)
    frequency_label = models.CharField(
        max_length=60, blank=True, help_text='As the paper writes it, e.g. "2/52"'
    )
    chair_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="forums_chaired"
    )
    deputy_chair_post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forums_deputy_chaired",
    )
    chair_label = models.CharField(
        max_length=120, blank=True, help_text='The chair as written, e.g. "Lay Member Assurance"'
    )
    purpose = models.TextField(blank=True, help_text="The forum's summary of objectives.")
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    meets_in = models.CharField(max_length=7, choices=Sittings.choices, default=Sittings.PRIVATE)
    active_from = PlanDateField(null=True, blank=True)
    active_to = PlanDateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("pk")), name="forum_not_reporting_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="forum_active_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def clean(self):
        super().clean()
        chosen = self.reports_to
        if chosen is None:
            return
        if self.pk is not None and chosen.pk == self.pk:
            raise ValidationError({"reports_to": "A forum cannot report to itself."})
        seen, parent = {chosen.pk}, chosen.reports_to
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError(
                    {"reports_to": f"{chosen.name} already reports, through others, to this one."}
                )
            seen.add(parent.pk)
            parent = parent.reports_to

    def names(self) -> list[str]:
        """Every name the forum answers to: its name, abbreviation and aliases."""
        return [self.name, self.abbreviation, *(alias.name for alias in self.aliases.all())]


class ForumAlias(_Alias):
    """Another name the forum is written by: "SQG", "Partnership Board"."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="aliases")

    class Meta(_Alias.Meta):
        verbose_name_plural = "forum aliases"


class ForumMember(models.Model):
    """A seat on the forum, as its terms of reference list it: "2 Lay Members", "CFO and CCG
    Secretary (in attendance)"."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="members")
    role_label = models.CharField(max_length=200, help_text='e.g. "GP Governing Body Members"')
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL)
    count = models.PositiveSmallIntegerField(default=1)
    in_attendance = models.BooleanField(default=False, help_text="Attends without being a member.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["forum", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="forum_member_count_positive")
        ]

    def __str__(self) -> str:
        seat = f"{self.count} {self.role_label}" if self.count > 1 else self.role_label
        return f"{seat} (in attendance)" if self.in_attendance else seat


class Meeting(models.Model):
    """One sitting of a forum: its date, whether it is held in public, when papers are due."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    date = PlanDateField()
    in_public = models.BooleanField(default=False)
    papers_due = PlanDateField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "forum__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "date", "in_public"], name="one_meeting_per_forum_day_sitting"
            ),
            models.CheckConstraint(
                condition=Q(papers_due__isnull=True) | Q(papers_due__lte=models.F("date")),
                name="meeting_papers_due_before_the_meeting",
            ),
        ]

    def __str__(self) -> str:
        sitting = "Meeting in Public" if self.in_public else "Meeting"
        return f"{self.forum.name} {sitting}, {self.date.day} {self.date:%B %Y}"
