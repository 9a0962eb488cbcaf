"""Which reviewed items (of any kind) a person's lists show."""

from django.db.models import Q
from django.utils import timezone

from ics_portal.models import ReportingCycle

from .states import CLOSED_CYCLE_STATUSES, OUTSTANDING_STATES


def shown_to_leads() -> Q:
    """The cycles a lead's lists show: open ones; the latest cycle if it has closed (until the
    next one opens, so a lead sees what they missed and that they must ask governance to
    reopen it); and any closed cycle where governance gave them an extension."""
    shown = Q(cycle__status=ReportingCycle.Status.OPEN) | Q(
        cycle__status__in=CLOSED_CYCLE_STATUSES, extended_until__gte=timezone.localdate()
    )
    latest = (
        ReportingCycle.objects.exclude(status=ReportingCycle.Status.DRAFT)
        .order_by("-fy_start_year", "-quarter")
        .values_list("pk", "status")
        .first()
    )
    if latest and latest[1] in CLOSED_CYCLE_STATUSES:
        shown |= Q(cycle_id=latest[0], state__in=OUTSTANDING_STATES)
    return shown
