"""The lead's shortest submit, counted (issue 14): from the signed-in home page to a submitted
DIGITAL update with the least input the demo data needs: the update's link in "What I owe"
opens its form, which flags the two overdue milestones when it opens; the lead gives one a
revised date and the other a reason, checks the update and submits it. Every click is
counted; clicking into a field to type in it counts as a click.

Measured on the code before issue 14 (the same demo data): 6 clicks (the update's link, "Start
the update", Submit, which refused the two overdue milestones it had not flagged, a click
into each of the two fields, Submit again). Screenshots at 1280 and 320 px."""

from playwright.sync_api import expect

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from reporting.models import WorkstreamUpdate

from .conftest import axe_violations, sign_in

CLICKS_BEFORE_ISSUE_14 = 6
CLICKS_NOW = 5


class Clicks:
    """Clicks the journey makes, counted as it makes them."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        locator.click()
        self.count += 1

    def type_into(self, locator, text: str):
        self.click(locator)
        locator.fill(text)


def test_the_leads_shortest_submit(demo_data, live_server, page, screenshot):
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    update = WorkstreamUpdate.objects.get(cycle=cycle, workstream__code="DIG")
    overdue = [
        row.milestone
        for row in update.milestone_progress.select_related("milestone")
        if row.milestone.due_date and row.milestone.due_date < cycle.period.end
    ]
    sign_in(page, live_server, "demo.lead@example.nhs.uk")
    assert page.locator("h1").inner_text() == "Home"
    owed = page.locator("table.app-owed")
    expect(owed.get_by_role("link", name="Workstream: DIGITAL")).to_be_visible()
    expect(owed.get_by_role("link", name="Golden thread: Workforce")).to_be_visible()
    expect(owed.get_by_text("Risk review").first).to_be_visible()  # the lead owns two risks
    assert axe_violations(page) == []
    screenshot(page, "lead-1-home")
    page.set_viewport_size({"width": 320, "height": 800})
    screenshot(page, "lead-1-home-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    clicks = Clicks(page)
    clicks.click(owed.get_by_role("link", name="Workstream: DIGITAL"))
    page.wait_for_load_state("networkidle")
    # The form opens on the update, and flags the overdue milestones at once.
    callout = page.locator("#overdue-milestones")
    expect(callout).to_contain_text("2 milestones are overdue")
    expect(page.locator(f"#milestone-{overdue[0].pk}")).to_contain_text("Overdue")
    expect(page.get_by_text("Copied from Q2 2021/22, unchanged.").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "lead-2-form-flags-overdue")
    # One click into the day box; the month and year boxes are reached with Tab.
    clicks.click(page.locator(f"#id_milestone_{overdue[0].pk}_revised_date_day"))
    for part in ("31", "1", "2022"):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    clicks.type_into(
        page.locator(f"#id_milestone_{overdue[1].pk}_note"), "Sign-off at the November board."
    )
    # Leaving the box autosaves it; let that save land before the next click. (The test
    # database is SQLite in memory, where two writes at once fail at once instead of waiting
    # their turn as the portal's file database and PostgreSQL do.)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    clicks.click(page.get_by_role("button", name="Check and submit"))
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Check your update before you submit it", (
        page.locator("main").inner_text()[:1500]
    )
    expect(page.locator(".nhsuk-summary-list__actions").first).to_contain_text("Change")
    expect(page.get_by_text("Unchanged since Q2 2021/22").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "lead-3-check")
    page.set_viewport_size({"width": 320, "height": 800})
    screenshot(page, "lead-3-check-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    clicks.click(page.get_by_role("button", name="Submit update"))
    page.wait_for_load_state("networkidle")
    assert "Update submitted" in page.locator(".nhsuk-notification-banner").inner_text()
    screenshot(page, "lead-4-submitted")

    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED
    print(f"\nLead's shortest submit: {CLICKS_BEFORE_ISSUE_14} clicks before, {clicks.count} now")
    assert clicks.count == CLICKS_NOW < CLICKS_BEFORE_ISSUE_14
