"""Emails to risk owners about their quarterly reviews (templates/emails/risk_review_*).

Sent after the transaction commits (ics_portal/mail.py). The reminder run
(reporting/reminders.py) sends `risk_review_reminder` in the same daily chase as the owner's
updates. Returned, extended and accepted reviews are announced by the shared workflow
(ics_portal/workflow/notify.py), with the risk_review_ templates the risk-review kind names."""

from ics_portal.mail import send_on_commit
from risks.presenters import risk_reviews_owed_by_person


def risk_reviews_opened(cycle) -> None:
    """Tell each owner which risk reviews a newly opened cycle asks of them."""
    for person, reviews in risk_reviews_owed_by_person(cycle).items():
        send_on_commit(
            "risk_review_opened",
            [person.email],
            {"person": person, "reviews": reviews, "cycle": cycle},
        )


def risk_review_reminder(person, reviews, cycle, *, overdue: bool) -> None:
    """Remind one owner of the reviews they still owe (before the deadline, or overdue)."""
    send_on_commit(
        "risk_review_overdue" if overdue else "risk_review_reminder",
        [person.email],
        {"person": person, "reviews": reviews, "cycle": cycle},
    )
