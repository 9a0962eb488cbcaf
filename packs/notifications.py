"""Telling the board a pack has been published (templates/emails/pack_published_*): one
email to each active board member and governance officer, sent by the task worker."""

from ics_portal.mail import send_on_commit
from ics_portal.models import User
from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER

from .models import PublishedPack


def announcement_recipients():
    """Whom a publication is emailed to: every active board member and governance officer
    (the publish confirmation counts them)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=[BOARD_MEMBER.group_name, GOVERNANCE_OFFICER.group_name],
        )
        .distinct()
        .order_by("full_name")
    )


def publication_announced(published_id: int) -> int:
    """Email the board and governance a link to a published version that is still live;
    returns how many were emailed (none for a version withdrawn before the worker ran)."""
    report = (
        PublishedPack.objects.select_related("pack")
        .filter(pk=published_id, withdrawn_at__isnull=True)
        .first()
    )
    if report is None:
        return 0
    people = announcement_recipients()
    count = 0
    for person in people:
        send_on_commit(
            "pack_published",
            [person.email],
            {"person": person, "report": report, "pack": report.pack},
        )
        count += 1
    return count
