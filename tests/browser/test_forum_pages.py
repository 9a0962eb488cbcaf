"""The governance structure (issue 16), on the demo data: a board member goes from the plan's
index to the structure and reads who reports to whom, at 1280 and 320 px (the drawing scrolls
in its own region; the page is never wider than the screen); governance follows the link to
the forum names as written. axe finds nothing on either page.
Screenshots: artifacts/screenshots/forums-*.png."""

import pytest
from django.urls import reverse

from .conftest import ARTIFACTS, assert_fits, axe_violations, sign_in


@pytest.fixture
def demo_data(demo_data, settings):
    settings.MFA_REQUIRED = False


@pytest.mark.parametrize("width", [1280, 320])
def test_a_board_member_reads_the_governance_structure(demo_data, live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "demo.board@example.nhs.uk")
        page.goto(live_server.url + reverse("plan:index"))
        page.get_by_role("link", name="The governance structure").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Governance structure"
        audit = page.locator("main li", has=page.locator("strong", has_text="Audit Committee"))
        assert "chaired by the Lay Member Governance" in audit.first.inner_text()
        governing_body = page.locator("main ul.app-forum-tree--top > li").first
        assert "Audit Committee" in governing_body.inner_text()
        assert page.get_by_role("img", name="Governance structure diagram").is_visible()
        assert page.get_by_role("link", name="Forum names as written").count() == 0
        assert_fits(page, f"structure at {width}")
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"forums-structure-{width}.png"), full_page=True)
    finally:
        context.close()


def test_governance_follows_the_structure_to_the_names_as_written(demo_data, live_server, page):
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.goto(live_server.url + reverse("forums:structure"))
    page.get_by_role("link", name="Forum names as written").click()
    row = page.locator("main tbody tr", has_text="System Partnership Board Meeting in Public")
    assert "System Partnership Board" in row.locator("td").nth(2).inner_text()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert_fits(page, "names at 320")
