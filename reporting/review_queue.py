"""What is waiting for governance's review: every submitted workstream update, golden-thread
update and risk review, oldest submission first. One function makes the list, so the count on
home and the items in the submission email and daily digest agree (reporting/submissions.py).
Three queries however many items wait."""

from dataclasses import dataclass
from datetime import datetime

from ics_portal.models import ReportingCycle, User
from ics_portal.status import WorkflowState
from ics_portal.workflow.kinds import kind_of
from risks.models import RiskReview

from .models import GoldenThreadUpdate, WorkstreamUpdate

# How many of the items waiting longest home lists; the count always covers them all.
HOME_QUEUE_SHOWN = 10


@dataclass(frozen=True)
class WaitingItem:
    """One submitted item and the page governance reviews it on."""

    item: object
    title: str
    kind_label: str  # "Workstream update", "Golden-thread update", "Risk review"
    cycle: ReportingCycle
    submitted_at: datetime | None
    submitted_by: User | None
    review_url: str
    # Returned before and submitted again: the review page shows what changed since.
    resubmitted: bool


@dataclass(frozen=True)
class ReviewQueue:
    items: list[WaitingItem]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def shown(self) -> list[WaitingItem]:
        return self.items[:HOME_QUEUE_SHOWN]

    @property
    def more(self) -> int:
        return max(0, self.count - HOME_QUEUE_SHOWN)

    @property
    def cycles(self) -> list[ReportingCycle]:
        """The cycles with something waiting, newest first (their pages list the rest)."""
        found = {i.cycle.pk: i.cycle for i in self.items}
        return sorted(found.values(), key=lambda c: c.period, reverse=True)


def item_waiting(item) -> WaitingItem:
    """One submitted update or risk review as the queue lists it (its kind names it)."""
    kind = kind_of(item)
    return WaitingItem(
        item=item,
        title=kind.queue_title(item),
        kind_label=kind.queue_label,
        cycle=item.cycle,
        submitted_at=item.submitted_at,
        submitted_by=item.submitted_by,
        review_url=kind.review_url(item),
        resubmitted=item.returned_at is not None,
    )


def waiting_for_review(
    *, submitted_after: datetime | None = None, submitted_until: datetime | None = None
) -> ReviewQueue:
    """Everything submitted and not yet approved or returned, oldest submission first; with
    `submitted_after` (and `submitted_until`), only what was submitted after that moment (and
    up to the other): the daily digest."""
    filters = {"state": WorkflowState.SUBMITTED}
    if submitted_after is not None:
        filters["submitted_at__gt"] = submitted_after
    if submitted_until is not None:
        filters["submitted_at__lte"] = submitted_until
    related = ("cycle", "submitted_by")
    querysets = [
        WorkstreamUpdate.objects.select_related(*related, "workstream"),
        GoldenThreadUpdate.objects.select_related(*related, "golden_thread"),
        RiskReview.objects.select_related(*related, "risk"),
    ]
    items = [item_waiting(item) for queryset in querysets for item in queryset.filter(**filters)]
    items.sort(key=lambda i: (i.submitted_at is None, i.submitted_at, i.title))
    return ReviewQueue(items)
