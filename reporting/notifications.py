"""Emails about updates. Each is a subject / text / HTML template triple under
templates/emails/, and is sent only after the surrounding transaction commits."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse_lazy

from ics_portal.permissions import update_lead_ids

from .numbers import cycle_rows, owed_by_person, updates_by_person

logger = logging.getLogger(__name__)


def _send(template: str, recipients: list[str], context: dict) -> None:
    if not recipients:
        return
    context = {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        **context,
    }
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    message.send()


_muted = threading.local()


@contextmanager
def muted():
    """Send no emails inside this block (loading demo data, bulk imports)."""
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = False


def _send_logged(template: str, recipients: list[str], context: dict) -> None:
    # The change is already committed: a mail-server failure is logged, not shown as a 500.
    try:
        _send(template, recipients, context)
    except Exception:
        logger.exception("Could not send %s email to %s", template, recipients)


def send_on_commit(template: str, recipients: list[str], context: dict) -> None:
    """Queue an email for after the current transaction commits (never for a rolled-back one)."""
    if getattr(_muted, "on", False):
        return
    transaction.on_commit(lambda: _send_logged(template, sorted(set(recipients)), context))


def _lead_emails(update) -> list[str]:
    from ics_portal.models import User

    ids = update_lead_ids(update)
    return list(User.objects.filter(pk__in=ids, is_active=True).values_list("email", flat=True))


def update_url(update) -> str:
    if hasattr(update, "get_absolute_url"):  # a risk review has its own page
        return update.get_absolute_url()
    kind = "workstream" if hasattr(update, "workstream") else "thread"
    return reverse_lazy("reporting:update_detail", kwargs={"kind": kind, "pk": update.pk})


def cycle_opened(cycle) -> None:
    """Email every lead the list of updates they owe in a newly opened cycle."""
    for person, updates in updates_by_person(cycle_rows(cycle)).items():
        send_on_commit(
            "cycle_opened",
            [person.email],
            {"cycle": cycle, "person": person, "updates": updates},
        )


def cycle_reopened(cycle, *, reason: str) -> None:
    """Email everyone who still owes an update or a risk review in a reopened cycle: why it was
    reopened, the deadline and what they owe (one email per person)."""
    for chase in owed_by_person(cycle).values():
        send_on_commit(
            "cycle_reopened",
            [chase.person.email],
            {
                "cycle": cycle,
                "person": chase.person,
                "updates": chase.updates,
                "reviews": chase.reviews,
                "reason": reason,
            },
        )


def resubmit_by(update):
    """The last day the leads can submit `update`: in a closed cycle, governance's extension;
    in an open one, the cycle's deadline or a later extension."""
    deadline = update.cycle.submission_deadline
    if update.extended_until and (
        update.cycle.status == "CLOSED" or update.extended_until > deadline
    ):
        return update.extended_until
    return deadline


def update_submitted(update) -> None:
    # Governance sees submissions on the cycle progress page; no email needed.
    return None


def _template(update, name: str) -> str:
    # Risk reviews share the workflow but are worded as reviews (templates/emails/risk_review_*).
    prefix = "risk_review" if update._meta.label == "risks.RiskReview" else "update"
    return f"{prefix}_{name}"


def update_returned(update, *, comment: str, reopened: bool = False) -> None:
    """Tell the leads their update was returned with comments, or (`reopened`) that their
    approved update was reopened for changes, and the date to submit it again by."""
    from .review import sections_to_change

    send_on_commit(
        _template(update, "returned"),
        _lead_emails(update),
        {
            "update": update,
            "comment": comment,
            "sections": sections_to_change(update),
            "url": update_url(update),
            "reopened": reopened,
            "resubmit_by": resubmit_by(update),
        },
    )


def update_extended(update, *, reason: str) -> None:
    """Tell the leads governance gave their update an extension after the cycle closed."""
    send_on_commit(
        _template(update, "extended"),
        _lead_emails(update),
        {"update": update, "reason": reason, "url": update_url(update)},
    )


def update_approved(update) -> None:
    send_on_commit(
        _template(update, "approved"),
        _lead_emails(update),
        {"update": update, "url": update_url(update)},
    )


def reminder(person, updates, cycle, *, overdue: bool) -> None:
    """Remind one lead of the updates they still owe (templates/emails/update_reminder_* or,
    after the deadline, update_overdue_*)."""
    send_on_commit(
        "update_overdue" if overdue else "update_reminder",
        [person.email],
        {"person": person, "updates": updates, "cycle": cycle},
    )
