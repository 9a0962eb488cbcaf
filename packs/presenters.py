"""What the publish confirmation tells governance before a pack goes to the board."""

from dataclasses import dataclass

from ics_portal.workflow.history import COUNTED_STATES
from reporting.numbers import cycle_counts
from risks.models import RiskReview

from .models import BoardPack


@dataclass(frozen=True)
class PublishCheck:
    """The pack about to be published and what in its cycle is not yet approved."""

    pack: BoardPack
    version: int
    updates: int
    updates_not_approved: int
    reviews: int
    reviews_not_accepted: int

    @property
    def cycle_open(self) -> bool:
        return self.pack.cycle.is_open

    @property
    def all_approved(self) -> bool:
        return not (self.updates_not_approved or self.reviews_not_accepted)


def publish_check(pack: BoardPack) -> PublishCheck:
    """Three queries, however many updates and reviews the cycle has."""
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
    )
