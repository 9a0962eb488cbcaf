"""The dashboards in a browser (issue 15): axe-core finds nothing on each page for each role
that may see it at 1280 and 320 px; the trend grid's approval shows on keyboard focus and
hides on Escape (WCAG 1.4.13); the charts stay legible at 320 px (they scroll in their region,
the page does not)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import assert_fits, axe_violations, sign_in

pytestmark = pytest.mark.browser

PAGES = ["dashboards:overview", "dashboards:trends", "dashboards:risk_trends"]
PEOPLE = {
    "board": "demo.board@example.nhs.uk",
    "lead": "demo.lead@example.nhs.uk",
    "governance": "demo.governance@example.nhs.uk",
}


@pytest.mark.parametrize("role", PEOPLE)
def test_every_dashboard_passes_axe_at_both_widths(
    demo_data,
    live_server,
    page,
    screenshot,
    role,
):
    sign_in(page, live_server, PEOPLE[role])
    for name in PAGES:
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}{reverse(name)}")
            assert axe_violations(page) == [], (name, width)
            # The page itself never scrolls sideways; wide charts and tables scroll in place.
            assert_fits(page, f"{name} at {width}")
            screenshot(page, f"dashboards-{role}-{name.split(':')[1]}-{width}")
    # The header links to them.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{reverse('home')}")
    expect(page.get_by_role("link", name="Dashboards", exact=True)).to_be_visible()


def test_the_approval_shows_on_focus_and_hides_on_escape(
    demo_data,
    live_server,
    page,
):
    sign_in(page, live_server, PEOPLE["board"])
    page.goto(f"{live_server.url}{reverse('dashboards:trends')}")
    tip = page.locator(".app-tooltip").first
    text = tip.locator("[role=tooltip]")
    expect(text).to_be_hidden()
    tip.focus()
    expect(text).to_be_visible()
    expect(text).to_contain_text("Approved")
    expect(text).to_contain_text("by Gwen Governance (demo)")
    page.keyboard.press("Escape")
    expect(text).to_be_hidden()
    # Moving focus away and back shows it again.
    page.keyboard.press("Tab")
    tip.focus()
    expect(text).to_be_visible()
    # Keyboard reachable: Tab from the grid's scrolling region reaches a status.
    page.locator("#trend-grid").locator("xpath=..").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
        if "app-tooltip" in page.evaluate("document.activeElement.className"):
            break
    assert "app-tooltip" in page.evaluate("document.activeElement.className")
    expect(page.locator(".app-tooltip:focus [role=tooltip]")).to_be_visible()


def test_a_bad_filter_says_so(
    demo_data,
    live_server,
    page,
):
    sign_in(page, live_server, PEOPLE["lead"])
    page.goto(f"{live_server.url}{reverse('dashboards:trends')}?theme=bogus")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select a theme from the list")
    assert axe_violations(page) == []


def test_the_heat_map_keeps_its_words_inside_their_cells_on_a_phone(
    demo_data,
    live_server,
    page,
):
    """At 320 px the grid scrolls in its region rather than squeezing "Catastrophic" and
    "2 risks" over the next cell; its caption is whole above it."""
    sign_in(page, live_server, PEOPLE["governance"])
    page.set_viewport_size({"width": 320, "height": 800})
    for path, table in (("/risks/heat-map/", "#heat-map"), ("/dashboards/", "#overview-heat-map")):
        page.goto(f"{live_server.url}{path}")
        assert_fits(page, path)
        spilling = page.evaluate(
            """(table) => [...document.querySelectorAll(`${table} th, ${table} td`)]
                .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
                .map((cell) => cell.textContent.trim().slice(0, 40))""",
            table,
        )
        assert spilling == [], (path, spilling)
        region = page.locator(table).locator("xpath=..")
        assert region.evaluate("(r) => r.scrollWidth > r.clientWidth")
        caption = page.get_by_text("open risks by current likelihood", exact=False).first
        assert caption.evaluate("(c) => c.scrollWidth <= c.clientWidth")
