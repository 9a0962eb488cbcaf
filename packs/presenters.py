"""What the publish confirmation tells governance before a pack goes to the board."""

from dataclasses import dataclass

from ics_portal.status import WorkflowState
from ics_portal.workflow.history import COUNTED_STATES
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from reporting.numbers import cycle_counts
from risks.models import RiskReview

from .models import BoardPack
from .notifications import announcement_recipients


@dataclass(frozen=True)
class PublishCheck:
    """The pack about to be published and what in its cycle is not yet approved."""

    pack: BoardPack
    version: int
    updates: int
    updates_not_approved: int
    reviews: int
    reviews_not_accepted: int
    to_publish: int  # approved updates that publishing locks for good
    recipients: int  # board members and governance officers emailed a link

    @property
    def cycle_open(self) -> bool:
        return self.pack.cycle.is_open

    @property
    def all_approved(self) -> bool:
        return not (self.updates_not_approved or self.reviews_not_accepted)


def publish_check(pack: BoardPack) -> PublishCheck:
    """Seven queries, however many updates, reviews and people there are."""
    overall = cycle_counts(pack.cycle).overall
    reviews = RiskReview.objects.filter(cycle=pack.cycle)
    total_reviews = reviews.count()
    accepted = reviews.filter(state__in=COUNTED_STATES).count()
    latest = pack.published_versions.order_by("-number").values_list("number", flat=True).first()
    return PublishCheck(
        pack=pack,
        version=(latest or 0) + 1,
        updates=overall.total,
        updates_not_approved=overall.total - overall.approved,
        reviews=total_reviews,
        reviews_not_accepted=total_reviews - accepted,
        to_publish=sum(
            model.objects.filter(cycle=pack.cycle, state=WorkflowState.APPROVED).count()
            for model in (WorkstreamUpdate, GoldenThreadUpdate)
        ),
        recipients=announcement_recipients().count(),
    )
