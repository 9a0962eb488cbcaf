"""A board member finds a workstream through the plan pages (issue 15), on the demo data: Plan
in the header, a theme, a workstream, the quarter before, then a comparison of two quarters;
at 1280 and 320 px, and at 200% zoom, no page is wider than the screen (a wide table scrolls
in its own region). Screenshots: artifacts/screenshots/plan-journey-*.png."""

import pytest

from .conftest import ARTIFACTS, assert_fits, sign_in

SCREENS = [("1280", 1280, 900, 1), ("320", 320, 640, 1), ("zoom200", 640, 450, 2)]


@pytest.fixture
def demo_data(demo_data, settings):
    settings.MFA_REQUIRED = False


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"plan-journey-{name}.png"), full_page=True)


def test_a_board_member_walks_the_plan_to_a_workstreams_quarters(demo_data, live_server, browser):
    for screen, width, height, zoom in SCREENS:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=zoom, locale="en-GB"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            sign_in(page, live_server, "demo.board@example.nhs.uk")
            page.goto(live_server.url + "/")
            if width < 769 and page.get_by_role("button", name="More").is_visible():
                page.get_by_role("button", name="More").click()
            page.get_by_role("link", name="Plan", exact=True).first.click()
            assert page.get_by_role("heading", level=1).inner_text() == "The development plan"
            assert_fits(page, f"index at {screen}")
            page.get_by_role("link", name="7. System and digital transformation").click()
            assert_fits(page, f"theme at {screen}")
            page.get_by_role("link", name="DIGITAL", exact=True).click()
            assert page.get_by_role("heading", level=1).inner_text() == "DIGITAL"
            assert page.get_by_role("heading", name="Q2 2021/22 update").is_visible()
            assert_fits(page, f"workstream at {screen}")
            _shot(page, f"workstream-{screen}")
            page.get_by_role("link", name="Previous quarter").click()
            assert page.get_by_role("heading", name="Q1 2021/22 update").is_visible()
            assert page.get_by_role("link", name="Next quarter").is_visible()
            page.get_by_role("button", name="Compare").click()
            assert "What changed from Q1 2021/22 to Q2 2021/22" in page.inner_text("#comparison")
            assert_fits(page, f"comparison at {screen}")
            _shot(page, f"compared-{screen}")
        finally:
            context.close()
