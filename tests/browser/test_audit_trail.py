"""Governance reads the audit trail in a browser: the demo's events plus a run of autosaves
folded into one entry, filtered by person, with no WCAG 2.2 AA violation (axe-core). A
screenshot of each is kept (artifacts/screenshots/audit-*.png)."""

import datetime

import pytest
from django.utils import timezone

from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent, User

from .conftest import axe_violations, sign_in


@pytest.fixture
def trail(demo_data):
    lead = User.objects.get(email="demo.lead@example.nhs.uk")
    start = timezone.now() - datetime.timedelta(hours=2)
    for n in range(14):
        AuditEvent.objects.create(
            created_at=start + datetime.timedelta(minutes=2 * n),
            actor_id=lead.pk,
            actor_name=lead.full_name,
            verb=AuditVerb.UPDATE_SAVE,
            object_type="reporting.WorkstreamUpdate",
            object_id="1",
            object_label="DIGITAL – Q3 2021/22",
            before={"overall_status": "ON_TRACK"} if n == 0 else {"overall_status": "AT_RISK"},
            after={"overall_status": "AT_RISK", "changed": ["key_risks"]},
            ip_address="203.0.113.7",
            session_ref="0123456789abcdef",
        )
    return lead


def test_governance_reads_and_filters_the_audit_trail(trail, live_server, page, screenshot):
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.get_by_role("link", name="Audit trail").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Audit trail"
    assert page.get_by_text("Saved 14 times").count() == 1
    screenshot(page, "audit-trail")
    assert axe_violations(page) == []

    page.get_by_label("Person").fill(trail.full_name.split()[0])
    page.get_by_label("Action").select_option(label="Saved an update")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("row").count() == 2  # the header and the folded run
    screenshot(page, "audit-trail-filtered")

    page.get_by_role("group", name="From date (optional)").get_by_label("Day").fill("10")
    page.get_by_role("group", name="From date (optional)").get_by_label("Month").fill("12")
    page.get_by_role("group", name="From date (optional)").get_by_label("Year").fill("2026")
    page.get_by_role("group", name="To date (optional)").get_by_label("Day").fill("1")
    page.get_by_role("group", name="To date (optional)").get_by_label("Month").fill("12")
    page.get_by_role("group", name="To date (optional)").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("There is a problem").is_visible()
    screenshot(page, "audit-trail-error")
    assert axe_violations(page) == []
