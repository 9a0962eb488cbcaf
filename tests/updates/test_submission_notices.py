"""Governance is told what was submitted for review, as SUBMISSION_NOTICE says: an email per
submission ("each"), one digest a day ("daily", the default: never empty, never twice a
day), or nothing ("off"). Recipients are the active governance officers."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ics_portal.models import AuditEvent
from reporting import submissions

from .. import factories
from .support import submit, url


@pytest.fixture
def officers(governance):
    """`governance` and an inactive officer, who gets nothing."""
    from ics_portal.roles import GOVERNANCE_OFFICER
    from tests.conftest import _in_group

    gone = factories.UserFactory(is_active=False)
    _in_group(gone, GOVERNANCE_OFFICER)
    return governance


def _at(hour: int) -> datetime.datetime:
    return timezone.localtime().replace(hour=hour, minute=5, second=0, microsecond=0)


def test_each_submission_emails_governance(
    settings, officers, lead, update, django_capture_on_commit_callbacks
):
    settings.SUBMISSION_NOTICE = "each"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(update, lead)
    [message] = [m for m in mail.outbox if "Submitted for review" in m.subject]
    assert message.to == [officers.email]
    assert message.subject == "Submitted for review: Workstream: DIGITAL, Q3 2021/22"
    assert url(update, "update_review") in message.body
    assert "Lee Lead submitted this workstream update for review" in message.body
    assert url(update, "update_review") in message.alternatives[0][0]


def test_by_default_a_submission_sends_no_email_at_once(
    officers, lead, update, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(update, lead)
    assert not [m for m in mail.outbox if "submitted" in m.subject.lower()]


def test_the_daily_digest_lists_each_item_with_a_link(
    settings, officers, lead, update, thread_update, django_capture_on_commit_callbacks
):
    assert settings.SUBMISSION_NOTICE == "daily"
    submit(update, lead)
    submit(thread_update, lead)
    mail.outbox.clear()
    now = timezone.now() + datetime.timedelta(minutes=1)
    settings.SUBMISSION_DIGEST_HOUR = 0
    with django_capture_on_commit_callbacks(execute=True):
        queue = submissions.send_digest(now)
    assert queue.count == 2
    [message] = mail.outbox
    assert message.to == [officers.email]
    assert message.subject.startswith("2 submitted for review since ")
    for item in (update, thread_update):
        assert url(item, "update_review") in message.body
        assert url(item, "update_review") in message.alternatives[0][0]
    # Once a day: a second run the same day sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions.send_digest(now + datetime.timedelta(minutes=5)) is None
    assert mail.outbox == []


def test_nothing_submitted_sends_no_digest_but_marks_the_day(
    settings, officers, plan, django_capture_on_commit_callbacks
):
    settings.SUBMISSION_DIGEST_HOUR = 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queue = submissions.send_digest(timezone.now())
    assert queue.count == 0
    assert mail.outbox == []
    assert AuditEvent.objects.filter(verb="submissions.digest").count() == 1


def test_the_next_digest_covers_only_what_came_after(
    settings, officers, lead, update, thread_update, django_capture_on_commit_callbacks
):
    settings.SUBMISSION_DIGEST_HOUR = 0
    submit(update, lead)
    first = timezone.now() + datetime.timedelta(seconds=1)
    submissions.send_digest(first)
    later = first + datetime.timedelta(days=1)
    submit(thread_update, lead)
    from reporting.models import GoldenThreadUpdate

    GoldenThreadUpdate.objects.filter(pk=thread_update.pk).update(
        submitted_at=first + datetime.timedelta(hours=2)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queue = submissions.send_digest(later)
    assert [row.item.pk for row in queue.items] == [thread_update.pk]
    [message] = mail.outbox
    assert url(update, "update_review") not in message.body


def test_the_digest_waits_for_its_hour_and_is_off_unless_daily(settings, officers):
    settings.SUBMISSION_DIGEST_HOUR = 8
    assert submissions.digest_due(_at(7)) == "The digest goes from 08:00."
    assert submissions.digest_due(_at(8)) is None
    settings.SUBMISSION_NOTICE = "off"
    assert "not 'daily'" in submissions.digest_due(_at(9))


def test_the_command_says_what_it_did(settings, officers, plan, capsys):
    settings.SUBMISSION_DIGEST_HOUR = 0
    call_command("send_submission_digest")
    assert "no email sent" in capsys.readouterr().out
    call_command("send_submission_digest")
    assert "Today's digest has been sent." in capsys.readouterr().out
