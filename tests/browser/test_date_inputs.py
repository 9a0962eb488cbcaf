"""Every date on the portal's own forms is the NHS.UK date input (day, month and year): the
lead's update form, a BAF risk's form, the board pack's cover sheet, and governance's
extension forms for an update and a risk review once the cycle is closed. Each is drawn at
1280 px and 320 px, shows a date typed wrongly with its message and the boxes as typed, and
passes axe. Runs on the demo data."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ics_portal.models import ReportingCycle, User
from reporting import actions
from reporting.models import WorkstreamUpdate
from risks.models import RiskReview

from .conftest import axe_violations, sign_in

GOVERNANCE = "demo.governance@example.nhs.uk"


def _check_date_input(page, name: str, width: int, screenshot) -> None:
    date = page.locator(".nhsuk-date-input").first
    expect(date).to_be_visible()
    boxes = date.locator("input")
    assert boxes.count() == 3
    for i in range(3):
        assert boxes.nth(i).get_attribute("inputmode") == "numeric"
    screenshot(page, f"date-input-{name}-{width}")
    # The three boxes sit within the page, side by side, even at 320 px.
    tops = {round(boxes.nth(i).bounding_box()["y"]) for i in range(3)}
    assert len(tops) == 1, f"{name}: the boxes wrap at {width} px"
    right = max(
        boxes.nth(i).bounding_box()["x"] + boxes.nth(i).bounding_box()["width"] for i in range(3)
    )
    assert right <= width, f"{name}: the year box is off-screen at {width} px"
    # 31 2 22: not a real date, and a year of 2 numbers. What was typed stays.
    for i, typed in enumerate(("31", "2", "22")):
        boxes.nth(i).fill(typed)
    page.locator("form:has(.nhsuk-date-input) button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    date = page.locator(".nhsuk-date-input").first
    boxes = date.locator("input")
    assert [boxes.nth(i).input_value() for i in range(3)] == ["31", "2", "22"]
    assert "must include a year with 4 numbers" in summary.inner_text()
    assert "nhsuk-input--error" in (boxes.nth(2).get_attribute("class") or "")
    screenshot(page, f"date-input-{name}-error-{width}")
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [1280, 320])
def test_every_date_is_typed_as_day_month_and_year(
    demo_data, live_server, browser, screenshot, width
):
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    update = WorkstreamUpdate.objects.get(cycle=cycle, workstream__code="DIG")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, GOVERNANCE)

    page.goto(
        f"{live_server.url}{reverse('reporting:update_edit', args=['workstream', update.pk])}"
    )
    page.wait_for_load_state("networkidle")
    # The first date on the update form is a milestone's revised date.
    _check_date_input(page, "update-form", width, screenshot)
    page.goto(f"{live_server.url}{reverse('risks:edit', kwargs={'reference': '07'})}")
    _check_date_input(page, "risk-form", width, screenshot)
    page.goto(f"{live_server.url}{reverse('packs:create')}")
    _check_date_input(page, "pack-form", width, screenshot)

    governance = User.objects.get(email=GOVERNANCE)
    actions.close_cycle(cycle=cycle, by=governance)
    page.goto(
        f"{live_server.url}{reverse('reporting:update_extend', args=['workstream', update.pk])}"
    )
    _check_date_input(page, "extend-form", width, screenshot)
    review = RiskReview.objects.filter(cycle=cycle).order_by("pk").first()
    page.goto(f"{live_server.url}{reverse('risks:review_extend', args=[review.pk])}")
    _check_date_input(page, "risk-review-extend-form", width, screenshot)
    context.close()
