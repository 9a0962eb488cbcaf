"""Governance's cycle page, its close question, the publish question and the pack form with
errors, at 1280 px and 320 px: filtered by a GET form, no page-wide horizontal scroll at
320 px (the reminder buttons stay on screen), and every page passes axe-core."""

from ics_portal.models import ReportingCycle
from packs.models import BoardPack

from .conftest import assert_fits, axe_violations, sign_in

NARROW = {"width": 320, "height": 900}
WIDE = {"width": 1280, "height": 900}


def _both_widths(page, screenshot, name):
    for size, label in ((WIDE, "1280"), (NARROW, "320")):
        page.set_viewport_size(size)
        assert_fits(page, label)
        assert axe_violations(page) == [], label
        screenshot(page, f"{name}-{label}")


def test_governance_pages_filter_ask_first_and_reflow(demo_data, live_server, page, screenshot):
    cycle = ReportingCycle.objects.get(status=ReportingCycle.Status.OPEN)
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.goto(f"{live_server.url}{cycle.get_absolute_url()}")
    page.locator("#id_state").select_option(label="Not started")
    page.locator("#id_sort").select_option(label="Update, A to Z")
    page.get_by_role("button", name="Apply filters").click()
    assert "state=NOT_STARTED" in page.url and "sort=update" in page.url
    assert page.locator("#updates-count").inner_text().startswith("Showing ")
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Update")
    _both_widths(page, screenshot, "cycle-filtered")
    # At 320 px every reminder button is on screen, without scrolling the page sideways.
    buttons = page.get_by_role("button", name="Send reminder")
    assert buttons.count() > 0
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box
    # A bad value in the address is a message naming the field, linked to it.
    page.goto(f"{live_server.url}{cycle.get_absolute_url()}?state=BOGUS")
    page.get_by_role("link", name="Select a state from the list").click()
    assert page.evaluate("document.activeElement.id") == "id_state"
    _both_widths(page, screenshot, "cycle-bad-filter")

    # The pack form's errors name their fields, and the summary links to each.
    page.goto(f"{live_server.url}/packs/new/")
    page.get_by_label("Title").fill("")
    page.get_by_label("Lead", exact=True).fill("")
    page.get_by_role("button", name="Create board pack").click()
    summary = page.get_by_role("alert", name="There is a problem")
    assert "Enter the lead" in summary.inner_text()
    assert "This field is required." not in page.content()
    summary.get_by_role("link", name="Enter the lead").click()
    assert page.evaluate("document.activeElement.id") == "id_lead"
    _both_widths(page, screenshot, "pack-form-errors")

    # Closing the cycle asks first, with its numbers; Cancel changes nothing.
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}{cycle.get_absolute_url()}")
    page.get_by_role("link", name="Close the cycle").click()
    assert page.locator("h1").inner_text() == f"Close the {cycle.label} cycle?"
    _both_widths(page, screenshot, "cycle-close-question")
    page.get_by_role("link", name="Cancel").click()
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPEN
    page.get_by_role("link", name="Close the cycle").click()
    page.get_by_role("button", name="Yes, close the cycle").click()
    assert "is closed to further submissions" in page.content()
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.CLOSED

    # The question before publishing (a generated draft is only needed to publish itself).
    pack = BoardPack.objects.order_by("pk").first()
    BoardPack.objects.filter(pk=pack.pk).update(state=BoardPack.State.READY)
    page.goto(f"{live_server.url}/packs/{pack.pk}/publish/")
    assert page.locator("h1").inner_text().startswith("Publish version")
    assert page.get_by_role("button", name="Yes, publish version").count() == 1
    _both_widths(page, screenshot, "pack-publish-question")
