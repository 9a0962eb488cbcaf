"""Governance compiles the demo Q2 2021/22 board pack, generates the PDF in the background,
publishes it; a board member and the public read it; the published pages pass axe-core."""

import hashlib

from packs.models import PublishedPack

from .conftest import axe_violations, fill_date, sign_in

# The demo already holds the published Q2 pack (issue 11): this one is a second pack for Q2.
TITLE = "Partnership Board progress report, Q2 2021/22"


def test_compile_generate_publish_and_read(demo_data, live_server, page, screenshot):
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.get_by_role("link", name="Board packs").first.click()
    page.get_by_role("link", name="Start a board pack").click()
    page.get_by_label("Reporting cycle").select_option(label="Q2 2021/22")
    page.get_by_label("Title").fill(TITLE)
    fill_date(page, "Date of meeting", 27, 10, 2021)
    page.get_by_label("Lead", exact=True).fill("Jan Thomas, Joint Accountable Officer")
    page.get_by_label("Author", exact=True).fill("Sharon Fox, Director of Governance")
    page.get_by_label("Assure").check()
    page.get_by_label("Purpose of the paper").fill("To report progress against the plan.")
    page.get_by_label("Recommendation").fill("The Board is asked to note the report.")
    page.get_by_label("Public (meeting held in public)").check()
    screenshot(page, "pack-form")
    page.get_by_role("button", name="Create board pack").click()

    assert page.locator("h1").inner_text() == TITLE
    # Tests run tasks at once, inside this request: the click waits for the whole render
    # (a minute on a busy machine), as a person would wait for the page.
    page.get_by_role("button", name="Generate the PDF").click(timeout=120_000)
    # The task runs in the background; the page polls with htmx until the draft is ready.
    page.get_by_text("Draft PDF ready").wait_for(timeout=120_000)
    screenshot(page, "pack-ready")
    page.get_by_role("link", name="Publish this version").click()
    # The question says what is not approved before anything goes to the board.
    assert page.locator("h1").inner_text() == "Publish version 1?"
    assert axe_violations(page) == []
    screenshot(page, "pack-publish-question")
    page.get_by_role("button", name="Yes, publish version 1").click()
    page.get_by_text("Version 1").first.wait_for()
    published = PublishedPack.objects.get(pack__title=TITLE)
    assert published.page_count > 20

    # A board member finds it under Reports, reads it, and the pages pass axe.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "demo.board@example.nhs.uk")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name=TITLE).click()
    assert axe_violations(page) == []
    screenshot(page, "published-detail")
    page.get_by_role("button", name="Read the report").click()
    page.wait_for_url("**/report.html")
    page.locator("h1").first.wait_for()
    assert page.locator("h1").count() >= 1
    assert axe_violations(page) == []
    screenshot(page, "published-report-html")

    # The public pack is readable without signing in (its embargo has passed), and the PDF
    # downloaded is the one whose SHA-256 the page shows.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/reports/{published.pk}/")
    assert published.sha256 in page.content()
    link = page.get_by_role("link", name=f"{published.title} (version 1) (PDF")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.body()).hexdigest() == published.sha256
