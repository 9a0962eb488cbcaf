"""Every email goes through the task queue (issue 12): rendered when its change commits, sent by
the task worker, never inside the request, never for a rolled-back change, never when muted; a
failure in the worker is logged and the task ends failed (a passing failure is tried again
later where the backend can defer)."""

import io
import json
import re
import signal
import smtplib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks import TaskResultStatus, default_task_backend

from ics_portal import tasks
from ics_portal.mail import muted, send_on_commit
from reporting import notifications

from ..updates.support import submit, url

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
SEND_EMAIL = "ics_portal.tasks.send_email"


def queued(path=SEND_EMAIL) -> list:
    return [r for r in default_task_backend.results if r.task.module_path == path]


@pytest.fixture
def recording(settings):
    """A task backend that records what is queued and runs nothing (no worker)."""
    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield
    default_task_backend.clear()


# --- the immediate backend (tests, `make`): the mail arrives -----------------------------------


def test_with_the_immediate_backend_the_mail_arrives(lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("update_approved", [lead.email, lead.email], {"person": lead})
    (message,) = mail.outbox
    assert message.to == [lead.email]  # once, however often named
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert message.subject.startswith("Approved:")
    assert message.alternatives[0][1] == "text/html"


# --- a recording backend: queued, not sent ------------------------------------------------------


def test_a_notification_queues_a_send_email_task_and_sends_nothing_in_the_request(
    recording, client, lead, governance, update, django_capture_on_commit_callbacks
):
    submit(update, lead)
    mail.outbox.clear()
    client.force_login(governance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(update, "update_approve"))
    assert response.status_code == 302
    assert mail.outbox == []  # nothing sent inside the request
    (result,) = queued()
    kwargs = result.kwargs
    assert kwargs["recipients"] == [lead.email]
    assert kwargs["subject"] == "Approved: your Q3 2021/22 update for Workstream: DIGITAL"
    assert update.get_absolute_url() in kwargs["text"] and "<" in kwargs["html"]
    assert json.loads(json.dumps(result.args)) == [] and json.loads(json.dumps(kwargs)) == kwargs

    # What the worker does with it.
    tasks.send_email.call(**kwargs)
    (message,) = mail.outbox
    assert (message.subject, message.body) == (kwargs["subject"], kwargs["text"])
    assert message.alternatives == [(kwargs["html"], "text/html")]


def test_the_email_says_what_was_committed(recording, lead, django_capture_on_commit_callbacks):
    """Rendered after the commit, not when the change was asked for."""
    context = {"person": lead, "updates": [], "cycle": None}
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("update_reminder", [lead.email], context)
        lead.full_name = "Renamed Before Commit"
    (result,) = queued()
    assert "Renamed Before Commit" in result.kwargs["text"]


def test_a_rolled_back_change_queues_nothing(recording, lead, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_on_commit("update_approved", [lead.email], {"person": lead})
        raise RuntimeError("rolled back")
    assert callbacks == [] and queued() == [] and mail.outbox == []


def test_muted_queues_nothing(recording, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), muted():
        send_on_commit("update_approved", [lead.email], {"person": lead})
    assert queued() == []
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("update_approved", [lead.email], {"person": lead})
    assert len(queued()) == 1  # muting ends with the block


def test_cycle_emails_and_reminders_go_through_the_queue(
    recording, settings, plan, django_capture_on_commit_callbacks
):
    settings.REMINDER_DAYS_BEFORE = 30  # the plan's deadline is ten days away
    with django_capture_on_commit_callbacks(execute=True):
        notifications.cycle_opened(plan.cycle)
    opened = len(queued())
    assert opened >= 2  # one per lead
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    assert len(queued()) > opened
    assert mail.outbox == []
    subjects = [r.kwargs["subject"] for r in queued()]
    assert any("reminder" in s.lower() or "due" in s.lower() for s in subjects[opened:]), subjects


def test_the_password_reset_email_is_queued_not_sent(recording, client, lead):
    response = client.post(reverse("password_reset"), {"email": lead.email})
    assert response.status_code == 302
    assert mail.outbox == []
    (result,) = queued()
    assert result.kwargs["recipients"] == [lead.email]
    assert re.search(r"/password-reset/[^/]+/[^/]+/", result.kwargs["text"])


def test_the_password_reset_email_arrives_with_the_immediate_backend(client, lead):
    client.post(reverse("password_reset"), {"email": lead.email})
    (message,) = mail.outbox
    assert "/password-reset/" in message.body and message.to == [lead.email]


# --- failures in the worker -----------------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    error: BaseException = smtplib.SMTPDataError(554, b"rejected")

    def send_messages(self, messages):
        raise self.error


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    yield FailingBackend
    FailingBackend.error = smtplib.SMTPDataError(554, b"rejected")


EMAIL = {"subject": "S", "text": "T", "html": "<p>H</p>", "recipients": ["a@example.nhs.uk"]}


def test_a_failure_in_the_worker_is_logged_and_the_task_fails(failing, caplog):
    result = tasks.send_email.enqueue(**EMAIL)  # the immediate backend runs it now
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "smtplib.SMTPDataError"
    assert "Could not send the email 'S' to ['a@example.nhs.uk'] (try 1 of 3)" in caplog.text
    assert "trying again" not in caplog.text  # the immediate backend cannot defer a retry


def test_a_request_never_sees_a_mail_server_failure(
    failing, lead, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("update_approved", [lead.email], {"person": lead})  # does not raise
    assert "Could not send the email" in caplog.text


def test_a_passing_failure_is_tried_again_later_then_given_up(recording, failing, caplog):
    failing.error = ConnectionRefusedError("mail server down")
    for attempt in (1, 2, 3):
        with pytest.raises(ConnectionRefusedError):
            tasks.send_email.call(**EMAIL, attempt=attempt)
    retries = queued()
    assert [r.kwargs["attempt"] for r in retries] == [2, 3]  # none after the third try
    assert all(r.task.run_after is not None for r in retries)
    assert all({k: r.kwargs[k] for k in EMAIL} == EMAIL for r in retries)
    assert "(try 3 of 3)" in caplog.text


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected(), True),
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPDataError(554, b"no"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"later")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), False),
        (ValueError("bad header"), False),
    ],
)
def test_which_failures_are_tried_again(error, transient):
    assert tasks.is_transient(error) is transient


def test_the_database_worker_sends_the_queued_email(settings, transactional_db, lead):
    """The real queue: the change commits and leaves a task row; `db_worker --batch` (in this
    process, so it sees the test's outbox) sends it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        send_on_commit("update_approved", [lead.email], {"person": lead})
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    assert mail.outbox == []
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.status) == (SEND_EMAIL, "READY")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, interval=0
        )
    finally:  # the worker takes over the signals; give them back to pytest
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.return_value == 1
    (message,) = mail.outbox
    assert message.to == [lead.email]


# --- nothing else sends mail ----------------------------------------------------------------------

PORTAL = Path(django_settings.BASE_DIR)
SENDING = re.compile(
    r"django\.core\.mail import|from django\.core import mail\b|send_mail\(|mail_admins\(|"
    r"send_mass_mail\(|EmailMessage\(|EmailMultiAlternatives\("
)


def test_only_the_send_email_task_talks_to_the_mail_server():
    """A new notification must use ics_portal.mail (send_on_commit or queue), not Django's
    mail functions, or it would send inside the request again."""
    offenders = []
    for app in django_settings.PORTAL_APPS:
        for path in (PORTAL / app).rglob("*.py"):
            if "migrations" in path.parts or path == PORTAL / "ics_portal" / "tasks.py":
                continue
            text = path.read_text()
            if path == PORTAL / "ics_portal" / "forms.py":
                text = text.replace("def send_mail(", "")  # the reset form's override
            if SENDING.search(text):
                offenders.append(str(path.relative_to(PORTAL)))
    assert offenders == []
