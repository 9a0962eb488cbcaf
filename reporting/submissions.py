"""Telling governance what was submitted for review (issue 14), as SUBMISSION_NOTICE says:
"each" emails every active governance officer as each item is submitted (after the commit);
"daily" sends them one digest a day of what was submitted since the last digest and is still
waiting; "off" sends nothing. The items come from reporting/review_queue.py, so an email lists
what home's review queue shows. Templates: templates/emails/submission_received_* and
submission_digest_*."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, Subject, record
from ics_portal.mail import send_on_commit
from ics_portal.models import AuditEvent, User
from ics_portal.roles import GOVERNANCE_OFFICER

from .review_queue import ReviewQueue, WaitingItem, item_waiting, waiting_for_review

DIGEST_SUBJECT = Subject("Submission digest", "", "Daily email of submissions")


def governance_emails() -> list[str]:
    """The addresses of active governance officers."""
    return list(
        User.objects.filter(is_active=True, groups__name=GOVERNANCE_OFFICER.group_name)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def item_submitted(sender, *, item, **kwargs) -> None:
    """Receiver of the workflow's item_submitted signal (connected in apps.py): with
    SUBMISSION_NOTICE "each", email governance about this one item after the commit."""
    if settings.SUBMISSION_NOTICE != "each":
        return
    waiting: WaitingItem = item_waiting(item)
    send_on_commit("submission_received", governance_emails(), {"row": waiting})


def last_digest() -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(verb=AuditVerb.SUBMISSION_DIGEST).order_by("-created_at").first()
    )


def _until(event: AuditEvent) -> datetime:
    """The moment the digest recorded by `event` covered submissions up to."""
    until = (event.after or {}).get("until")
    return datetime.fromisoformat(until) if until else event.created_at


def digest_due(now: datetime) -> str | None:
    """Why no digest is due at `now` (a sentence), or None when one is."""
    if settings.SUBMISSION_NOTICE != "daily":
        return f"SUBMISSION_NOTICE is {settings.SUBMISSION_NOTICE!r}, not 'daily'."
    local = timezone.localtime(now)
    if local.hour < settings.SUBMISSION_DIGEST_HOUR:
        return f"The digest goes from {settings.SUBMISSION_DIGEST_HOUR:02d}:00."
    last = last_digest()
    if last is not None and timezone.localtime(last.created_at).date() == local.date():
        return "Today's digest has been sent."
    return None


def send_digest(now: datetime | None = None, *, dry_run: bool = False) -> ReviewQueue | None:
    """Send today's digest if one is due: what was submitted since the last digest (the last
    day, the first time) and is still waiting. Nothing submitted, no email; either way the
    day is marked done in the audit trail. Returns what it listed (None when not due)."""
    now = now or timezone.now()
    if digest_due(now) is not None:
        return None
    last = last_digest()
    since = _until(last) if last is not None else now - timedelta(days=1)
    queue = waiting_for_review(submitted_after=since, submitted_until=now)
    if dry_run:
        return queue
    with transaction.atomic():
        recipients = governance_emails()
        if queue.count:
            send_on_commit(
                "submission_digest",
                recipients,
                {"queue": queue, "since": since, "waiting": waiting_for_review().count},
            )
        record(
            by=None,
            verb=AuditVerb.SUBMISSION_DIGEST,
            subject=DIGEST_SUBJECT,
            after={
                "since": since.isoformat(),
                "until": now.isoformat(),
                "items": queue.count,
                "recipients": len(recipients) if queue.count else 0,
            },
        )
    return queue
