"""Searching in a browser (issue 15), on the demo data: the header's box (with and without
JavaScript) leads to ranked, highlighted results, which filter and page; the results page has
no WCAG 2.2 AA violation (axe-core) at 1280 and 320 px for each role that searches.
Screenshots: artifacts/screenshots/search-*.png."""

import pytest

from .conftest import axe_violations, sign_in


@pytest.fixture
def demo(demo_data, settings):
    settings.MFA_REQUIRED = False


def _search_from_the_header(page, words: str) -> None:
    page.get_by_role("searchbox", name="Search updates, objectives, milestones and risks").fill(
        words
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("role", ["board", "lead", "governance"])
def test_a_search_from_the_header_finds_highlighted_results(
    demo, live_server, page, screenshot, role
):
    sign_in(page, live_server, f"demo.{role}@example.nhs.uk")
    _search_from_the_header(page, "workforce plan")
    assert "/search/?q=workforce+plan" in page.url
    assert page.locator("h1").inner_text() == "Search"
    assert "results for “workforce plan”" in page.locator("#results-heading").inner_text()
    assert page.locator(".app-search-result mark").count() > 0
    assert page.locator("#search-words").input_value() == "workforce plan"
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        assert axe_violations(page) == []
        screenshot(page, f"search-{role}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Narrowed to workstream updates, then the second page.
    page.get_by_label("Kind").select_option(label="Workstream update")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    kinds = page.locator(".app-search-result__kind").all_inner_texts()
    assert kinds and set(kinds) == {"Workstream update"}
    assert axe_violations(page) == []


def test_the_header_box_works_without_javascript(demo, live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server, "demo.board@example.nhs.uk")
        page.locator("#search-field").fill("digital")
        with page.expect_navigation():
            page.locator("#search .nhsuk-button").click()
        page.wait_for_load_state("networkidle")
        assert "/search/?q=digital" in page.url
        assert page.locator(".app-search-result").count() > 0
    finally:
        context.close()


def test_a_wrong_filter_is_explained_and_passes_axe(demo, live_server, page):
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.goto(f"{live_server.url}/search/?q=plan&quarter=abc")
    assert page.title().startswith("Error: ")
    assert page.locator(".nhsuk-error-summary").inner_text().count("Choose a quarter") == 1
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        assert axe_violations(page) == []
