"""Background work of the portal's lowest layer, run by the task worker: sending email.

Every email the portal sends is rendered when its change commits (ics_portal/mail.py) and
sent here, so no request ever waits for the mail server; the wait is bounded by
EMAIL_TIMEOUT. A failure is logged and the task ends failed (its result records the
traceback). A failure that is likely to pass (the server could not be reached, timed out, or
answered "try again later") is tried again later, up to SEND_ATTEMPTS times in all, when the
task backend can run a task later (the database and RQ backends can).
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Tries in all, and how long to wait before each retry (the first try is at once).
SEND_ATTEMPTS = 3
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=10))


def is_transient(error: BaseException) -> bool:
    """A failure worth trying again: the mail server was unreachable, too slow, dropped the
    connection, or answered with a temporary (4xx) refusal."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # refused, unreachable, timed out, name not found


@task()
def send_email(
    *, subject: str, text: str, html: str | None, recipients: list[str], attempt: int = 1
) -> int:
    """Send one rendered message to `recipients` (all on its To line, as Django sends it).
    Returns how many messages were sent (1)."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except Exception as error:
        retry = attempt < SEND_ATTEMPTS and is_transient(error) and _can_retry()
        logger.exception(
            "Could not send the email %r to %s (try %d of %d)%s",
            subject,
            recipients,
            attempt,
            SEND_ATTEMPTS,
            "; trying again later" if retry else "",
        )
        if retry:
            send_email.using(run_after=timezone.now() + RETRY_AFTER[attempt - 1]).enqueue(
                subject=subject, text=text, html=html, recipients=recipients, attempt=attempt + 1
            )
        raise


def _can_retry() -> bool:
    return send_email.get_backend().supports_defer
