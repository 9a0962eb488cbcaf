"""On a phone a list's filters fold away behind their summary, so the list comes first; a wide
screen shows them open with no summary; a wrong filter keeps them open (issue 14)."""

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def _panel(page):
    return page.locator("details[data-fold-on-phone]")


def test_the_register_filters_fold_away_on_a_phone(demo_data, live_server, page):
    sign_in(page, live_server, "demo.board@example.nhs.uk")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/risks/?band=High")
    panel, band = _panel(page), page.get_by_label("Current band")
    summary = page.get_by_text("Filter and sort the register (1 applied)")
    expect(panel).not_to_have_attribute("open", "")
    expect(band).to_be_hidden()
    # The list follows the summary (the open filters took some 700 pixels at this width).
    below = summary.bounding_box()
    assert page.locator("#register").bounding_box()["y"] < below["y"] + below["height"] + 60
    summary.click()
    expect(band).to_be_visible()
    expect(band).to_have_value("High")
    assert axe_violations(page) == []

    # Wider than a phone: the filters are open and the summary gone, as before.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/risks/")
    expect(page.get_by_label("Current band")).to_be_visible()
    expect(page.get_by_text("Filter and sort the register")).to_be_hidden()
    # Turning a tablet past the phone width opens folded filters, which it could not reach.
    page.set_viewport_size({"width": 320, "height": 640})
    expect(_panel(page)).not_to_have_attribute("open", "")
    page.set_viewport_size({"width": 800, "height": 640})
    expect(page.get_by_label("Current band")).to_be_visible()


def test_a_wrong_filter_stays_open_on_a_phone(demo_data, live_server, page):
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/audit/?date_from_day=40&date_from_month=1&date_from_year=2021")
    expect(_panel(page)).to_have_attribute("open", "")
    expect(page.locator("#id_date_from_day")).to_be_visible()
    expect(page.locator("#id_date_from-error")).to_contain_text("must be a real date")
