"""Portal email: each message is a subject / text / HTML template triple under templates/emails/.

Nothing is sent inside a request. After the surrounding transaction commits (never for a
rolled-back one), the message is rendered (so it says what was committed, and the task's
arguments are plain strings) and handed to the task queue as `ics_portal.tasks.send_email`;
the task worker sends it, waiting at most EMAIL_TIMEOUT seconds for the mail server. Nothing
is queued from inside `muted()`.
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from .tasks import send_email

logger = logging.getLogger(__name__)


def render(template: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), text and HTML of templates/emails/<template>_*."""
    context = {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        **context,
    }
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


_muted = threading.local()


@contextmanager
def muted():
    """Send no emails inside this block (loading demo data, bulk imports)."""
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = False


def is_muted() -> bool:
    return getattr(_muted, "on", False)


def queue(
    *, subject: str, text: str, html: str | None, recipients: list[str], name: str = "email"
) -> None:
    """Hand a rendered message to the task worker now (`send_on_commit` does once its
    transaction has committed; the password-reset form does at once). A failure to queue it is logged,
    never raised: the change it tells of is already committed."""
    try:
        send_email.enqueue(subject=subject, text=text, html=html, recipients=recipients)
    except Exception:
        logger.exception("Could not queue the %s email to %s", name, recipients)


def _render_and_queue(template: str, recipients: list[str], context: dict) -> None:
    try:
        subject, text, html = render(template, context)
    except Exception:
        logger.exception("Could not render the %s email to %s", template, recipients)
        return
    queue(subject=subject, text=text, html=html, recipients=recipients, name=template)


def send_on_commit(template: str, recipients: list[str], context: dict) -> None:
    """Queue an email for after the current transaction commits (never for a rolled-back
    one, nor inside `muted()`): rendered then, and sent by the task worker."""
    if is_muted():
        return
    recipients = sorted(set(recipients))
    if not recipients:
        return
    transaction.on_commit(lambda: _render_and_queue(template, recipients, context))
