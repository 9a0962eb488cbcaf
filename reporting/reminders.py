"""Chasing leads: reminders in the days before a cycle's submission deadline and overdue
notices after it, at most one a day per person and cycle.

Each chase is logged as a ReminderSent row in the same transaction that queues its emails, so
the hourly `send_reminders` run, a second run at the same time and governance's "send
reminder" button never email a person twice in a day. A chase covers everything the person
still owes in the cycle: their updates and, through the risks app, their BAF risk reviews.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction

from ics_portal.audit import AuditVerb, record
from ics_portal.models import ReportingCycle, User
from ics_portal.workflow.errors import ActionError
from risks.notifications import risk_review_reminder

from . import notifications
from .models import ReminderSent
from .numbers import Owed, owed_by_person

# A chase is one person and what they still owe (reporting/numbers.py makes the list).
Chase = Owed


def kind_due(cycle: ReportingCycle, today: date, days_before: int):
    """REMINDER from `days_before` days before the deadline to the deadline (the command
    passes REMINDER_DAYS_BEFORE), OVERDUE after it, None before the reminder window or when
    the cycle is not open."""
    if not cycle.is_open:
        return None
    if today > cycle.submission_deadline:
        return ReminderSent.Kind.OVERDUE
    if today >= cycle.submission_deadline - timedelta(days=days_before):
        return ReminderSent.Kind.REMINDER
    return None


def outstanding(cycle: ReportingCycle) -> dict[int, Chase]:
    """Every active person who still owes an update or a risk review in `cycle`, by id: the
    list the cycle page shows (numbers.owed_by_person)."""
    return owed_by_person(cycle)


def reminded_on(cycle: ReportingCycle, day: date) -> dict[int, ReminderSent]:
    """Who was chased about `cycle` on `day` (any kind), by person id."""
    return {r.person_id: r for r in ReminderSent.objects.filter(cycle=cycle, sent_on=day)}


def due_today(cycle: ReportingCycle, today: date) -> list[Chase]:
    """The chases `send_reminders` would send for `cycle` today: everyone outstanding who
    has not been chased about it today."""
    done = reminded_on(cycle, today)
    return sorted(
        (c for pk, c in outstanding(cycle).items() if pk not in done),
        key=lambda c: (c.person.full_name, c.person.email),
    )


def send(cycle: ReportingCycle, chases: list[Chase], *, kind, today: date) -> list[Chase]:
    """Log and queue the emails of each chase; returns those sent (a person another run has
    chased meanwhile is skipped). Emails go after the transaction commits."""
    overdue = today > cycle.submission_deadline
    sent = []
    with transaction.atomic():
        for chase in chases:
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        person=chase.person, cycle=cycle, kind=kind, sent_on=today
                    )
            except IntegrityError:
                continue
            if chase.updates:
                notifications.reminder(chase.person, chase.updates, cycle, overdue=overdue)
            if chase.reviews:
                risk_review_reminder(chase.person, chase.reviews, cycle, overdue=overdue)
            sent.append(chase)
    return sent


def remind_now(cycle: ReportingCycle, *, by, today: date, person: User | None = None):
    """Governance's "send reminder" for one outstanding lead or all of them. Returns (sent,
    already chased today) lists of chases; audited."""
    if not cycle.is_open:
        raise ActionError("Reminders can only be sent while the cycle is open.")
    chases = outstanding(cycle)
    if person is not None:
        if person.pk not in chases:
            raise ActionError(f"{person.full_name} has nothing outstanding in {cycle.label}.")
        chases = {person.pk: chases[person.pk]}
    done = reminded_on(cycle, today)
    skipped = [c for pk, c in chases.items() if pk in done]
    due = [c for pk, c in chases.items() if pk not in done]
    with transaction.atomic():
        sent = send(cycle, due, kind=ReminderSent.Kind.MANUAL, today=today)
        if sent:
            record(
                by=by,
                verb=AuditVerb.CYCLE_REMIND,
                obj=cycle,
                after={"people": sorted(c.person.email for c in sent)},
            )
    return sent, skipped
