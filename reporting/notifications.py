"""Emails about updates, sent through ics_portal/mail.py after the transaction commits."""

from django.urls import reverse_lazy

from ics_portal.mail import send_on_commit
from ics_portal.permissions import update_lead_ids

from .numbers import cycle_rows, owed_by_person, updates_by_person


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
