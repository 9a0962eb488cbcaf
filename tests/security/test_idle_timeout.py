"""The idle timeout (issue 13): a session unused for SESSION_IDLE_TIMEOUT minutes (30 by
default) is ended. The next request is handled as signed out: SESSION_EXPIRED is audited, a
page sends the person to sign in and back with the reason on the sign-in page, and the update
editor's autosave and submit take the path of an expired session (the typed text stays in the
browser and comes back: tests/browser/test_idle_timeout.py). The last activity is written at
most once a minute, and SESSION_COOKIE_AGE stays an absolute limit counted from sign-in."""

import datetime
import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ics_portal.audit import AuditVerb
from ics_portal.middleware import LAST_ACTIVITY, idle_message
from ics_portal.models import AuditEvent
from tests.updates.support import form_data, url

MESSAGE = (
    "You were signed out after 30 minutes without activity. Sign in again; anything you were "
    "typing in an update is kept in this browser."
)


def idle_for(client: Client, seconds: int) -> None:
    """As if the person's last request was `seconds` ago (the stored timestamp moved back)."""
    session = client.session
    session[LAST_ACTIVITY] = session[LAST_ACTIVITY] - seconds
    session.save()


@pytest.fixture
def signed_in(lead):
    client = Client()
    client.force_login(lead)
    return client


def test_the_default_is_thirty_minutes_and_the_message_says_so(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30
    assert idle_message(30) == MESSAGE
    assert idle_message(1).startswith("You were signed out after 1 minute without")


def test_a_session_idle_past_the_limit_is_ended_audited_and_explained(signed_in, lead):
    my_updates = reverse("reporting:my_updates")
    assert signed_in.get(my_updates).status_code == 200
    idle_for(signed_in, 31 * 60)

    response = signed_in.get(my_updates)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(my_updates)}"
    event = AuditEvent.objects.get(verb=AuditVerb.SESSION_EXPIRED)
    assert (event.actor_id, event.object_id) == (lead.pk, str(lead.pk))
    assert event.after["reason"] == "idle" and event.after["idle_minutes"] == 30
    assert event.session_ref  # the session that ended, to match with its events
    sign_in_page = signed_in.get(response["Location"]).content.decode()
    assert MESSAGE in sign_in_page
    # Signed out for good: the old session is gone, not just this request.
    again = signed_in.get(my_updates)
    assert again.status_code == 302 and again["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(verb=AuditVerb.SESSION_EXPIRED).count() == 1


def test_a_session_used_within_the_limit_carries_on(signed_in):
    idle_for(signed_in, 29 * 60)
    assert signed_in.get(reverse("reporting:my_updates")).status_code == 200
    assert not AuditEvent.objects.filter(verb=AuditVerb.SESSION_EXPIRED).exists()
    # That request counted as activity: another 29 minutes later it is still fine.
    idle_for(signed_in, 29 * 60)
    assert signed_in.get(reverse("reporting:my_updates")).status_code == 200


def test_the_limit_follows_the_setting(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT = 5
    idle_for(signed_in, 6 * 60)
    response = signed_in.get(reverse("reporting:my_updates"))
    assert response["Location"].startswith(reverse("login"))
    assert (
        "after 5 minutes without activity" in signed_in.get(response["Location"]).content.decode()
    )


def test_the_session_is_not_written_on_every_request(signed_in):
    home = reverse("home")
    signed_in.get(home)
    stamp = signed_in.session[LAST_ACTIVITY]
    response = signed_in.get(home)
    assert "sessionid" not in response.cookies  # nothing saved, so no cookie sent again
    assert signed_in.session[LAST_ACTIVITY] == stamp
    idle_for(signed_in, 61)
    response = signed_in.get(home)
    assert "sessionid" in response.cookies
    assert abs(signed_in.session[LAST_ACTIVITY] - time.time()) < 5


def test_the_cookie_age_stays_an_absolute_limit_from_sign_in(signed_in, settings):
    ends = signed_in.session.get_expiry_date()
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((ends - expected).total_seconds()) < 5
    idle_for(signed_in, 120)  # the next request writes the session again...
    signed_in.get(reverse("home"))
    assert signed_in.session.get_expiry_date() == ends  # ...without a fresh 8 hours


def test_an_autosave_after_the_idle_timeout_gets_the_signed_out_notice(signed_in, update):
    before = update.version
    data = form_data(update, status_explanation="Typed before lunch.")
    idle_for(signed_in, 31 * 60)
    response = signed_in.post(url(update, "update_autosave"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    # The editor's signed-out answer (reporting/views/_access.signed_out_notice): no version,
    # so autosave.js keeps the text, and a link to sign in and come back with it put back.
    assert "You have been signed out" in html and 'id="id_version"' not in html
    assert "Sign in again to carry on" in html and "restore%3D1" in html
    update.refresh_from_db()
    assert update.version == before and update.status_explanation != "Typed before lunch."
    # The sign-in page that link leads to says why.
    assert MESSAGE in signed_in.get(reverse("login")).content.decode()


def test_a_save_after_the_idle_timeout_goes_to_sign_in_and_back_to_the_text(signed_in, update):
    idle_for(signed_in, 31 * 60)
    response = signed_in.post(url(update, "update_edit"), form_data(update))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "restore%3D1" in response["Location"]
    page = signed_in.get(response["Location"]).content.decode()
    assert MESSAGE in page and 'id="restore-notice"' in page


def test_a_session_from_before_the_timeout_existed_is_given_a_clock(signed_in):
    session = signed_in.session
    del session[LAST_ACTIVITY]
    session.save()
    assert signed_in.get(reverse("home")).status_code == 200
    assert LAST_ACTIVITY in signed_in.session
