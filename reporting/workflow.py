"""The review workflow shared by workstream updates, golden-thread updates and risk reviews.

    not started -save-> draft -submit-> submitted -approve-> approved -(pack published)-> published
                          ^                 |  |
                          +---- return -----+  +-- withdraw (lead, before review) --> draft

The fields live on an abstract model so every reviewed thing has the same columns and the same
database constraints; the transitions live in reporting/actions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .status import WorkflowState

EDITABLE_STATES = {WorkflowState.NOT_STARTED, WorkflowState.DRAFT, WorkflowState.RETURNED}
OUTSTANDING_STATES = EDITABLE_STATES  # what a lead still owes
REVIEWABLE_STATES = {WorkflowState.SUBMITTED}
READABLE_BY_BOARD_STATES = {WorkflowState.APPROVED, WorkflowState.PUBLISHED}


class WorkflowFields(models.Model):
    state = models.CharField(
        max_length=12, choices=WorkflowState.choices, default=WorkflowState.NOT_STARTED
    )
    # Optimistic locking: every save must name the version it was based on.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(
        blank=True, help_text="The reviewer's comments when the update was last returned."
    )
    # Who last changed each section, by merge key (reporting/merge.py): {"by": user id,
    # "name": their name, "at": ISO time}, so a conflict names the other person.
    section_edits = models.JSONField(default=dict, blank=True, editable=False)
    # Keys of the sections the reviewer asked to change (reporting.review.review_sections);
    # cleared when the update is submitted again.
    returned_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="The sections the reviewer asked to change when the update was last returned.",
    )

    class Meta:
        abstract = True

    @staticmethod
    def constraints_for(prefix: str) -> list[models.BaseConstraint]:
        """Database invariants of the workflow, named per concrete model."""
        return [
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_by__isnull=True)
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name=f"{prefix}_approved_at_with_approved_by",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["APPROVED", "PUBLISHED"]) | Q(approved_at__isnull=False),
                name=f"{prefix}_approved_state_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(state="RETURNED") | ~Q(review_comment=""),
                name=f"{prefix}_returned_with_comment",
            ),
        ]

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def state_label(self) -> str:
        return WorkflowState(self.state).label
