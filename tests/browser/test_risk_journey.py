"""A risk owner reviews a BAF risk in the open cycle and submits; governance accepts; the
register shows the new score and the direction of travel. Runs on the demo data, where
demo.lead owns risk 07 (Q1 9 (3×3), Q2 12 (4×3)) and Q3 2021/22 is open."""

import re

from playwright.sync_api import expect

from .conftest import sign_in


def _fill_rich_text(page, field_id: str, text: str) -> None:
    """Type into the prose editor when it has started, else into its textarea."""
    group = page.locator(f".nhsuk-form-group:has(#{field_id})")
    editor = group.locator(".ProseMirror")
    if editor.count():
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    else:
        page.locator(f"#{field_id}").fill(f"<p>{text}</p>")


def test_owner_reviews_governance_accepts_register_shows_new_score(
    demo_data, live_server, browser, page, screenshot
):
    # Before: the register shows risk 07 at 12 (4×3) High, increased since Q1.
    sign_in(page, live_server, "demo.board@example.nhs.uk")
    page.goto(f"{live_server.url}/risks/")
    row = page.locator("#risk-07")
    assert "12 (4×3) High" in row.inner_text()
    assert "Increased" in row.inner_text()
    screenshot(page, "risk-register-before-review")
    page.goto(f"{live_server.url}/risks/heat-map/")
    expect(page.locator("table#heat-map")).to_be_visible()
    screenshot(page, "risk-heat-map")
    page.goto(f"{live_server.url}/risks/07/")
    assert page.locator("#score-chart-title").text_content() == "Score history of risk 07"
    screenshot(page, "risk-07-before-review")

    # The owner reviews risk 07 in Q3 2021/22: likelihood down to 2, with a rationale.
    owner = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    owner_page = owner.new_page()
    owner_page.set_default_timeout(15_000)
    sign_in(owner_page, live_server, "demo.lead@example.nhs.uk")
    owner_page.goto(f"{live_server.url}/risks/reviews/")
    assert owner_page.locator("h1").count() == 1
    screenshot(owner_page, "risk-reviews-owner")
    owner_page.get_by_role("link", name=re.compile(r"^07 – ")).first.click()
    owner_page.wait_for_load_state("networkidle")
    owner_page.get_by_label("Current likelihood").select_option("2")
    _fill_rich_text(
        owner_page,
        "id_rationale",
        "The new ICB structure was confirmed in October and partners have agreed joint "
        "working arrangements, so the likelihood has reduced.",
    )
    screenshot(owner_page, "risk-review-form")
    owner_page.get_by_role("button", name="Submit review").click()
    owner_page.wait_for_load_state("networkidle")
    assert "Review submitted" in owner_page.content()
    assert "Submitted" in owner_page.locator(".nhsuk-summary-list").inner_text()
    screenshot(owner_page, "risk-review-submitted")
    owner.close()

    # Governance accepts it.
    governance = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    gov_page = governance.new_page()
    gov_page.set_default_timeout(15_000)
    sign_in(gov_page, live_server, "demo.governance@example.nhs.uk")
    gov_page.goto(f"{live_server.url}/risks/reviews/")
    gov_page.get_by_role("link", name=re.compile(r"^07 – ")).first.click()
    gov_page.wait_for_load_state("networkidle")
    assert "6 (2×3) Moderate" in gov_page.locator(".nhsuk-summary-list").inner_text()
    screenshot(gov_page, "risk-review-governance")
    gov_page.get_by_label("Accept", exact=True).check()
    gov_page.get_by_role("button", name="Continue").click()
    assert "What accepting does" in gov_page.content()
    gov_page.get_by_role("button", name="Accept review").click()
    gov_page.wait_for_load_state("networkidle")
    assert "Review accepted" in gov_page.content()
    history = gov_page.locator("table.risk-history").inner_text()
    assert "Q3 2021/22" in history and "6 (2×3) Moderate" in history
    screenshot(gov_page, "risk-07-after-review")
    governance.close()

    # The register shows the new score and the arrow.
    page.goto(f"{live_server.url}/risks/")
    row = page.locator("#risk-07").inner_text()
    assert "6 (2×3) Moderate" in row
    assert "↓" in row and "Reduced" in row
    screenshot(page, "risk-register-after-review")
