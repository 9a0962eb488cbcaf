"""Emails about cycles: opened, reopened, and reminders of what a lead still owes. The emails
about one item (returned, extended, approved) are the workflow's (ics_portal/workflow/notify.py)."""

from ics_portal.mail import send_on_commit

from .numbers import cycle_rows, owed_by_person, updates_by_person


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


def reminder(person, updates, cycle, *, overdue: bool) -> None:
    """Remind one lead of the updates they still owe (templates/emails/update_reminder_* or,
    after the deadline, update_overdue_*)."""
    send_on_commit(
        "update_overdue" if overdue else "update_reminder",
        [person.email],
        {"person": person, "updates": updates, "cycle": cycle},
    )
