"""Emails to risk owners about their quarterly reviews (templates/emails/risk_review_*).

Sent after the transaction commits, through reporting's mailer. Returned and accepted reviews
are announced by the shared workflow (reporting.notifications picks the risk_review_ templates
for a RiskReview)."""

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


def send_risk_review_reminders(cycle, *, overdue: bool, people=None) -> int:
    """The risk part of the reminder run: one email per owner still owing reviews in `cycle`.
    `people`, when given, limits the run to those people (the ones due a reminder today).
    Returns the number of emails queued."""
    sent = 0
    for person, reviews in risk_reviews_owed_by_person(cycle).items():
        if people is not None and person not in people:
            continue
        risk_review_reminder(person, reviews, cycle, overdue=overdue)
        sent += 1
    return sent
