"""Sessions and caching for shared workstations (issue 13).

`NoStoreMiddleware`: nothing shown to a signed-in person, and no download (board-pack PDFs,
spreadsheets), is kept by the browser or a proxy: `Cache-Control: no-store` with Django's
never-cache semantics (max-age=0, no-cache, no-store, must-revalidate, private). Downloads
are no-store for anonymous people too: a public board pack can be withdrawn, and a cached
copy would outlive that. Static files never reach it (WhiteNoise answers them first, with
its long-lived immutable caching), nor does anything else an anonymous person reads.

`IdleTimeoutMiddleware`: a session unused for SESSION_IDLE_TIMEOUT minutes is ended. The
request that finds it so is handled as a signed-out one, so each page answers as it already
does to someone signed out: a page sends them to sign in and back, the update editor's
autosave gets its "You have been signed out" notice (the text stays in the browser and comes
back after signing in: ADR 0005). The ending is audited (SESSION_EXPIRED) and the sign-in
page says why. The last activity is written to the session at most once a minute, so there
is no session write on every request; SESSION_COOKIE_AGE stays the absolute limit, counted
from sign-in (`start_session`).
"""

import datetime
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from . import audit

# Session keys: when the person last did anything (seconds since the epoch).
LAST_ACTIVITY = "last_activity"
# How stale the stored last activity may get before a request writes it again.
TOUCH_EVERY_SECONDS = 60


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def is_download(response) -> bool:
    """A file handed over rather than a page: an attachment or a streamed file."""
    return isinstance(response, FileResponse) or response.has_header("Content-Disposition")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Asked after the view: signing in makes the answer personal, signing out does not.
        if _signed_in(request) or is_download(response):
            add_never_cache_headers(response)
        return response


def idle_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"You were signed out after {minutes} {unit} without activity. Sign in again; "
        "anything you were typing in an update is kept in this browser."
    )


@receiver(user_logged_in, dispatch_uid="ics_portal.middleware.start_session")
def start_session(sender, request, user, **kwargs):
    """At sign-in: the session's clock starts, and it ends SESSION_COOKIE_AGE from now however
    often it is touched (a session saved again would otherwise get a fresh 8 hours)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LAST_ACTIVITY] = int(time.time())
    request.session.set_expiry(
        timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def end_idle_session(request, last_activity: float) -> None:
    """Audit, end the session, and carry on as signed out, with the reason to show."""
    user = request.user
    minutes = settings.SESSION_IDLE_TIMEOUT
    with transaction.atomic():
        audit.record(
            by=user,
            verb=audit.AuditVerb.SESSION_EXPIRED,
            obj=user,
            after={
                "reason": "idle",
                "idle_minutes": minutes,
                "last_activity": datetime.datetime.fromtimestamp(
                    last_activity, tz=datetime.UTC
                ).isoformat(timespec="seconds"),
            },
            request=request,
        )
        # As auth.logout() does, without its user_logged_out signal: nobody signed out.
        request.session.flush()
    request.user = AnonymousUser()
    messages.info(request, idle_message(minutes))


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware (it ends sessions and says so)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            if not isinstance(last, int | float):
                last = None
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT * 60:
                end_idle_session(request, last)
            elif last is None or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_ACTIVITY] = int(now)
                if "_session_expiry" not in request.session:  # began before the idle timeout
                    start_session(None, request, request.user)
        return self.get_response(request)
