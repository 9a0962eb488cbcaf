"""`manage.py send_reminders [--dry-run]`: reminders from REMINDER_DAYS_BEFORE days before the
submission deadline, overdue notices after it, each person at most once a day however often
cron runs it; risk owners are reminded of their reviews in the same run."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ics_portal.models import ReportingCycle
from reporting.models import ReminderSent
from risks.models import RiskReview

from .support import approve


def _deadline_in(plan, days: int):
    deadline = timezone.localdate() + datetime.timedelta(days=days)
    ReportingCycle.objects.filter(pk=plan.cycle.pk).update(
        submission_deadline=deadline,
        opens_on=deadline - datetime.timedelta(days=30),
        review_deadline=deadline + datetime.timedelta(days=14),
    )


def _run(django_capture_on_commit_callbacks, *args) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def quiet_outbox(plan):
    mail.outbox.clear()


def test_nothing_before_the_reminder_window(
    plan, settings, quiet_outbox, django_capture_on_commit_callbacks
):
    settings.REMINDER_DAYS_BEFORE = 5
    _deadline_in(plan, 6)
    out = _run(django_capture_on_commit_callbacks)
    assert "Q3 2021/22: no reminders today" in out and "0 reminders sent." in out
    assert mail.outbox == []


def test_reminders_in_the_window_once_a_day(
    plan, lead, other_lead, settings, quiet_outbox, django_capture_on_commit_callbacks
):
    settings.REMINDER_DAYS_BEFORE = 5
    _deadline_in(plan, 5)
    out = _run(django_capture_on_commit_callbacks)
    assert "sent reminder to Lee Lead" in out and "2 updates" in out
    assert "2 reminders sent." in out
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {lead.email, other_lead.email}
    message = by_person[lead.email]
    assert message.subject.startswith("Reminder: 2 Q3 2021/22 updates due by")
    assert "DIGITAL" in message.body and "Health inequalities" in message.body
    assert {r.kind for r in ReminderSent.objects.all()} == {ReminderSent.Kind.REMINDER}
    # The hourly run again the same day sends nothing.
    mail.outbox.clear()
    out = _run(django_capture_on_commit_callbacks)
    assert "0 reminders sent." in out and mail.outbox == []
    # Tomorrow (yesterday's rows, as the command sees them) it reminds again.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ReminderSent.objects.update(sent_on=yesterday)
    _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_overdue_notices_after_the_deadline_only_for_what_is_outstanding(
    plan, lead, other_lead, governance, update, thread_update, quiet_outbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    approve(update, lead, governance)
    approve(thread_update, lead, governance)
    _deadline_in(plan, -1)
    mail.outbox.clear()
    out = _run(django_capture_on_commit_callbacks)
    assert "sent overdue notice to Ola Otherlead" in out and "Lee Lead" not in out
    [message] = mail.outbox
    assert message.to == [other_lead.email]
    assert message.subject.startswith("Overdue: 1 Q3 2021/22 update not submitted by")
    assert "WORKFORCE" in message.body
    assert ReminderSent.objects.get().kind == ReminderSent.Kind.OVERDUE


def test_a_dry_run_lists_and_sends_nothing(
    plan, lead, settings, quiet_outbox, django_capture_on_commit_callbacks
):
    _deadline_in(plan, 1)
    out = _run(django_capture_on_commit_callbacks, "--dry-run")
    assert "would send reminder to Lee Lead <" in out and "2 reminders would be sent." in out
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_a_manual_reminder_today_counts(
    client, plan, lead, governance, quiet_outbox, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    _deadline_in(plan, 2)
    client.force_login(governance)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:cycle_remind", args=[plan.cycle.pk]), {"person": lead.pk})
    mail.outbox.clear()
    out = _run(django_capture_on_commit_callbacks)
    assert "Lee Lead" not in out and "1 reminder sent." in out


def test_closed_cycles_are_not_chased(plan, quiet_outbox, django_capture_on_commit_callbacks):
    _deadline_in(plan, -3)
    ReportingCycle.objects.filter(pk=plan.cycle.pk).update(status=ReportingCycle.Status.CLOSED)
    out = _run(django_capture_on_commit_callbacks)
    assert "0 reminders sent." in out and mail.outbox == []


def test_risk_owners_are_reminded_of_their_reviews_in_the_same_run(
    plan, lead, governance, update, thread_update, quiet_outbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """A lead who has submitted every update but still owes a risk review gets only the
    risk-review reminder."""
    approve(update, lead, governance)
    approve(thread_update, lead, governance)
    plan.risk.owner = lead
    plan.risk.save()
    assert RiskReview.objects.filter(risk=plan.risk, cycle=plan.cycle).exists()
    _deadline_in(plan, 3)
    mail.outbox.clear()
    out = _run(django_capture_on_commit_callbacks)
    assert "sent reminder to Lee Lead" in out and "1 risk review" in out
    [message] = [m for m in mail.outbox if m.to == [lead.email]]
    assert "BAF risk review" in message.subject
    _run(django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if m.to == [lead.email]]) == 1
