"""Portal email: each message is a subject / text / HTML template triple under templates/emails/,
sent only after the surrounding transaction commits, and never from inside `muted()`."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

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
