"""The idle timeout in Chromium (issue 13): a lead types in an update, the session goes idle
past SESSION_IDLE_TIMEOUT (its stored last activity is moved back, as 31 minutes at lunch
would), the autosave is refused as signed out, the sign-in page says why, and after signing in
again the typed text is put back and saved. Every request the browser makes on the way stays
on the portal: no font (or anything else) comes from another host.

Runs on the demo data, where demo.lead leads DIGITAL (DIG)."""

from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from ics_portal.audit import AuditVerb
from ics_portal.middleware import LAST_ACTIVITY
from ics_portal.models import AuditEvent, ReportingCycle, User
from reporting.models import WorkstreamUpdate

from .conftest import fill_sign_in, sign_in
from .test_update_journey import _editor, _rich_html, _type_rich_text

LEAD = "demo.lead@example.nhs.uk"
TYPED = "Typed just before a long lunch."


@pytest.fixture
def digital(demo_data):
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    return WorkstreamUpdate.objects.get(cycle=cycle, workstream__code="DIG")


def _go_idle(page, minutes: int) -> None:
    """Move the browser's session's last activity `minutes` back, in the database."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[LAST_ACTIVITY] = session[LAST_ACTIVITY] - minutes * 60
    session.save()


def test_text_typed_when_the_idle_timeout_ends_the_session_comes_back(
    digital, live_server, page, screenshot
):
    portal = urlsplit(live_server.url).netloc
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc != portal
            and elsewhere.append(request.url)
        ),
    )
    sign_in(page, live_server, LEAD)
    page.goto(f"{live_server.url}{digital.get_absolute_url()}edit/")
    page.wait_for_load_state("networkidle")
    _editor(page, "id_key_risks")

    _go_idle(page, 31)
    _type_rich_text(page, "id_key_risks", TYPED)
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("You have been signed out, so this was not saved")
    digital.refresh_from_db()
    assert TYPED not in digital.key_risks
    lead = User.objects.get(email=LEAD)
    assert AuditEvent.objects.filter(verb=AuditVerb.SESSION_EXPIRED, actor_id=lead.pk).exists()
    screenshot(page, "idle-timeout-1-autosave-refused")

    status.get_by_role("link", name="Sign in again to carry on").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "You were signed out after 30 minutes without activity. Sign in again; anything you "
        "were typing in an update is kept in this browser."
    )
    screenshot(page, "idle-timeout-2-sign-in")
    fill_sign_in(page, LEAD)
    assert page.url.endswith("/edit/")
    expect(page.locator("#draft-restore")).to_contain_text("We put back the changes")
    assert TYPED in _rich_html(page, "id_key_risks")
    screenshot(page, "idle-timeout-3-restored")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    digital.refresh_from_db()
    assert TYPED in digital.key_risks
    assert elsewhere == []
