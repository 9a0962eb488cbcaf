"""The review workflow shared by workstream updates, golden-thread updates and risk reviews.

    not started -save-> draft -submit-> submitted -approve-> approved -(pack published)-> published
                          ^                 |  |                |
                          +---- return -----+  +-- withdraw     +-- reopen (governance, before
                          +------------------------------------------ publication) --> returned

Leads act only while their window is open: the cycle is open, or governance gave the update
an extension that has not ended (docs/adr/0006-no-dead-ends.md). Governance reviews in open
and closed cycles.

The fields live on an abstract model so every reviewed thing has the same columns and the same
database constraints; the transitions live in ics_portal/workflow/actions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone

from ics_portal.status import WorkflowState

from .kinds import kind_of

EDITABLE_STATES = {WorkflowState.NOT_STARTED, WorkflowState.DRAFT, WorkflowState.RETURNED}
OUTSTANDING_STATES = EDITABLE_STATES  # what a lead still owes
READABLE_BY_BOARD_STATES = {WorkflowState.APPROVED, WorkflowState.PUBLISHED}
# Cycle statuses past the submission deadline. A published cycle is a closed one whose board
# pack has gone out: what was approved went with it and is locked for good; what was not is
# still reviewed as in a closed cycle and goes into the pack's next version (ADR 0010).
CLOSED_CYCLE_STATUSES = frozenset({"CLOSED", "PUBLISHED"})
# Cycle statuses in which governance still reviews, returns, approves, extends and reopens.
LIVE_CYCLE_STATUSES = frozenset({"OPEN"}) | CLOSED_CYCLE_STATUSES


def cycle_is_live(cycle) -> bool:
    """Open, closed or published: not a draft, where there is nothing to review yet."""
    return cycle.status in LIVE_CYCLE_STATUSES


def cycle_is_closed(cycle) -> bool:
    """Past its submission deadline: closed, or closed and published."""
    return cycle.status in CLOSED_CYCLE_STATUSES


def leads_window_open(update) -> bool:
    """May the leads change, submit or withdraw this update now? While its cycle is open,
    or, once the cycle has closed, while governance's extension for it lasts."""
    cycle = update.cycle
    return cycle.status == "OPEN" or (cycle_is_closed(cycle) and update.has_extension)


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
    # Who last changed each section, by merge key (ics_portal/workflow/merge.py): {"by": user id,
    # "name": their name, "at": ISO time}, so a conflict names the other person.
    section_edits = models.JSONField(default=dict, blank=True, editable=False)
    # Keys of the sections the reviewer asked to change (its kind's section_choices, kinds.py);
    # cleared when the update is submitted again.
    returned_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="The sections the reviewer asked to change when the update was last returned.",
    )
    # A late-submission extension: after the cycle closes, the leads may still change and
    # submit this one until the end of this day. Set only by governance, with a reason.
    extended_until = models.DateField(
        "extension until",
        null=True,
        blank=True,
        help_text="The leads may change and submit this after the cycle closes, until the end "
        "of this day.",
    )
    extension_reason = models.TextField(
        blank=True, help_text="Why governance gave the extension (also in the audit trail)."
    )
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
            models.CheckConstraint(
                condition=Q(extended_until__isnull=True) | ~Q(extension_reason=""),
                name=f"{prefix}_extension_has_reason",
            ),
        ]

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def state_label(self) -> str:
        return WorkflowState(self.state).label

    @property
    def has_extension(self) -> bool:
        """Governance's extension is set and has not ended (it runs to the end of its day)."""
        return self.extended_until is not None and self.extended_until >= timezone.localdate()


def closed_window_message(update) -> str:
    """What a lead reads when the cycle has closed on their update (and any extension ended)."""
    noun = kind_of(update).noun
    cycle = update.cycle
    if update.state == WorkflowState.SUBMITTED:
        return (
            f"The {cycle.label} reporting cycle is closed, so this submission can no longer be "
            "withdrawn. The governance team will still review it, and can return it to you "
            "with a new date if it needs changing."
        )
    ended = (
        f"Your extension ended on {formats.date_format(update.extended_until, 'j F Y')}"
        if update.extended_until
        else f"The {cycle.label} reporting cycle is closed"
    )
    return (
        f"{ended}, so this {noun} can no longer be changed or submitted. If it should still go "
        f"to the board, ask the governance team to reopen it: they can give this {noun} an "
        "extension or reopen the cycle."
    )
