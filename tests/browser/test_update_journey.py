"""A lead writes the demo Q3 2021/22 DIGITAL update (a pasted list and table), it autosaves,
they save a draft, reload, submit and are shown the error summary, fix it and submit;
governance returns it with a comment and one section ticked; the lead sees the comment and
the section marked, changes it and resubmits;
governance approves, and the lead can no longer edit it. Screenshots of each step are saved
under artifacts/screenshots/. Runs on the demo data, where demo.lead leads DIGITAL."""

import contextlib
import datetime
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from reporting.models import WorkstreamUpdate

from .conftest import assert_fits, axe_violations, sign_in

PASTED = (
    "<p>Shared care record progress:</p>"
    "<ul><li>Contract signed in October</li><li>Phase 1 plan agreed<ul>"
    "<li>GP practices first</li></ul></li></ul>"
    "<table><tbody><tr><th>Site</th><th>Go-live</th></tr>"
    "<tr><td>Hinchingbrooke</td><td>January 2022</td></tr></tbody></table>"
)


def _context_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _editor(page, field_id: str):
    """The field's prose editor once it has started (its module loads after the page), or an
    empty locator if it does not start within a few seconds."""
    editor = page.locator(f".nhsuk-form-group:has(#{field_id}) .ProseMirror")
    with contextlib.suppress(PlaywrightTimeout):
        editor.wait_for(timeout=5_000)
    return editor


def _paste_rich_text(page, field_id: str, html: str) -> None:
    """Paste HTML (as from Word) into the prose editor, or type it into its textarea when the
    editor has not started."""
    editor = _editor(page, field_id)
    if not editor.count():
        page.locator(f"#{field_id}").fill(html)
        page.locator(f"#{field_id}").dispatch_event("input")
        return
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    editor.evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", html.replace(/<[^>]+>/g, " "));
            element.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
            }));
        }""",
        html,
    )


def _type_rich_text(page, field_id: str, text: str) -> None:
    editor = _editor(page, field_id)
    if editor.count():
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    else:
        page.locator(f"#{field_id}").fill(f"<p>{text}</p>")


def _rich_html(page, field_id: str) -> str:
    editor = _editor(page, field_id)
    if editor.count():
        return editor.inner_html()
    return page.locator(f"#{field_id}").input_value()


def test_lead_submits_governance_returns_lead_resubmits_governance_approves(
    demo_data, live_server, browser, page, screenshot
):
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    update = WorkstreamUpdate.objects.get(cycle=cycle, workstream__code="DIG")
    objective = update.objective_progress.select_related("objective").first().objective
    field = f"id_objective_{objective.pk}"
    overdue = [
        row.milestone
        for row in update.milestone_progress.select_related("milestone")
        if row.milestone.due_date and row.milestone.due_date < cycle.period.end
    ]
    assert len(overdue) == 2

    # The lead finds the update under "My updates".
    sign_in(page, live_server, "demo.lead@example.nhs.uk")
    page.get_by_role("link", name="My updates").first.click()
    assert page.locator("h1").inner_text() == "My updates"
    screenshot(page, "update-1-my-updates")
    # The row links straight to the form while the update can be changed.
    page.get_by_role("link", name="Workstream: DIGITAL", exact=True).click()
    page.wait_for_url("**/edit/")
    assert page.locator("h1").inner_text() == "Workstream: DIGITAL"
    expect(page.locator("#unchanged-sections")).to_be_visible()  # pre-filled from Q2
    expect(page.get_by_role("heading", name="Plans for Q4 2021/22")).to_be_visible()

    # A list and a table pasted into the first objective autosave as the lead writes.
    _paste_rich_text(page, field, PASTED)
    page.locator("#autosave-status").get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for()
    screenshot(page, "update-2-autosaved")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    assert "Draft saved at" in page.locator(".nhsuk-notification-banner").inner_text()
    page.reload()
    page.wait_for_load_state("networkidle")
    html = _rich_html(page, field)
    assert "GP practices first" in html and "Hinchingbrooke" in html
    # Stored as a nested list and a table (the editor wraps cell and item text in <p>).
    stored = re.sub(r"</?p>", "", update.objective_progress.get(objective=objective).progress)
    assert "agreed<ul><li>GP practices first</li></ul>" in stored
    assert "<td>Hinchingbrooke</td>" in stored
    screenshot(page, "update-3-draft-reloaded")

    # Checking before submitting lists what is still to fill: two milestones due in Q2 are
    # not complete (the form flagged them when it opened).
    expect(page.locator("#overdue-milestones")).to_be_visible()
    page.get_by_role("button", name="Check and submit").click()
    page.wait_for_load_state("networkidle")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link").count() == 2
    assert page.get_by_role("button", name="Submit update").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "update-4-error-summary")
    # The first link goes to the revised date's day box; the lead types a UK date, box by box.
    summary.get_by_role("link").first.click()
    expect(page.locator(f"#id_milestone_{overdue[0].pk}_revised_date_day")).to_be_focused()
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("2022")
    assert page.locator(f"#id_milestone_{overdue[0].pk}_revised_date_year").input_value() == "2022"
    page.locator(f"#id_milestone_{overdue[1].pk}_note").fill(
        "Phase 1 plan agreed in principle; sign-off at the November board."
    )
    page.get_by_role("button", name="Check and submit").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Submit update").click()
    page.wait_for_load_state("networkidle")
    assert "Update submitted" in page.locator(".nhsuk-notification-banner").inner_text()
    assert "Submitted" in page.locator(".nhsuk-summary-list").first.inner_text()
    revised = update.milestone_progress.get(milestone=overdue[0]).revised_date
    assert revised == datetime.date(2022, 1, 31)  # 31 1 2022, never 0031 or 32022
    screenshot(page, "update-5-submitted")

    # Governance reads it beside Q2 and returns it with a comment.
    governance_context, gov = _context_page(browser)
    sign_in(gov, live_server, "demo.governance@example.nhs.uk")
    gov.get_by_role("link", name="Reporting cycles").first.click()
    gov.get_by_role("link", name="Q3 2021/22").click()
    gov.locator(f"#update-workstream-{update.pk}").get_by_text("Submitted").wait_for()
    assert axe_violations(gov) == []
    screenshot(gov, "update-6-cycle-progress")
    gov.locator(f"#update-workstream-{update.pk}").get_by_role("link", name="Review").click()
    expect(gov.locator(".app-diff ins").first).to_be_visible()
    assert "Compared with the approved Q2 2021/22 update" in gov.content()
    assert axe_violations(gov) == []
    screenshot(gov, "update-7-review")
    gov.get_by_label("Return to the lead").check()
    gov.get_by_role("button", name="Continue").click()
    expect(gov.locator(".nhsuk-error-summary")).to_be_visible()  # a comment is required
    gov.locator("#decision").get_by_label("Key risks and issues").check()
    gov.get_by_label("Why are you returning this update?").fill(
        "Please say what the November board decided on the Phase 1 plan."
    )
    gov.get_by_role("button", name="Continue").click()
    assert "returned to its leads" in gov.locator(".nhsuk-notification-banner").inner_text()

    # The lead sees the comment at the top, changes the update and resubmits.
    page.goto(f"{live_server.url}{update.get_absolute_url()}")
    callout = page.locator("#review-comments")
    assert "what the November board decided" in callout.inner_text()
    assert callout.locator("#sections-to-change").inner_text() == "Key risks and issues"
    screenshot(page, "update-8-returned")
    page.get_by_role("link", name="Edit and submit").click()
    page.wait_for_url("**/edit/")
    # is_visible() does not wait; wait_for() does, so a slow page load is not a failure.
    page.locator("#review-comments").wait_for(state="visible")
    # The section the reviewer ticked is marked on the form, and the link at the top goes to it.
    marked = page.locator(".app-returned")
    assert marked.count() == 1
    assert "The reviewer asked for changes here" in marked.inner_text()
    assert marked.locator("#id_key_risks").count() == 1
    page.locator("#review-comments").get_by_role("link", name="Key risks and issues").click()
    assert page.url.endswith("#id_key_risks")
    assert axe_violations(page) == []
    screenshot(page, "update-8b-returned-sections-marked")
    _type_rich_text(
        page,
        "id_key_risks",
        "The November board approved the Phase 1 plan; the risk is supplier capacity.",
    )
    page.get_by_role("button", name="Check and submit").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Submit update").click()
    page.wait_for_load_state("networkidle")
    assert "Update submitted" in page.locator(".nhsuk-notification-banner").inner_text()

    # Governance's home counts it as waiting for review and links to its review page.
    gov.goto(f"{live_server.url}/")
    queue = gov.locator("#review-queue")
    assert "waiting for review" in queue.inner_text()
    assert "Resubmitted after return" in queue.inner_text()
    assert axe_violations(gov) == []
    screenshot(gov, "update-8c-home-review-queue")
    gov.set_viewport_size({"width": 320, "height": 900})
    assert_fits(gov, "home")
    screenshot(gov, "update-8c-home-review-queue-320")
    gov.set_viewport_size({"width": 1280, "height": 900})
    queue.get_by_role("link", name="Review Workstream: DIGITAL").click()

    # The review page shows the return (who, why) and what changed since the returned version.
    since = gov.locator("#since-return")
    assert "what the November board decided" in since.locator("#return-comment").inner_text()
    assert "November board approved" in since.locator(".app-diff ins").first.inner_text()
    assert axe_violations(gov) == []
    screenshot(gov, "update-8d-review-since-return")
    gov.set_viewport_size({"width": 320, "height": 900})
    assert_fits(gov, "review page")
    screenshot(gov, "update-8d-review-since-return-320")
    gov.set_viewport_size({"width": 1280, "height": 900})

    # One decision: "Return" reveals the comment box; "Approve" asks to confirm first.
    decision = gov.locator("#decision")
    comment = decision.get_by_label("Why are you returning this update?")
    expect(comment).to_be_hidden()
    decision.get_by_label("Return to the lead").check()
    expect(comment).to_be_visible()
    screenshot(gov, "update-8e-decision-return-revealed")
    decision.get_by_label("Approve", exact=True).check()
    expect(comment).to_be_hidden()
    decision.scroll_into_view_if_needed()
    gov.set_viewport_size({"width": 320, "height": 900})
    screenshot(gov, "update-8e-decision-320")
    gov.set_viewport_size({"width": 1280, "height": 900})
    decision.get_by_role("button", name="Continue").click()
    assert "What approving does" in gov.locator("#approve-consequences").inner_text()
    assert axe_violations(gov) == []
    screenshot(gov, "update-8f-approve-confirm")
    gov.get_by_role("button", name="Approve update").click()
    assert "approved" in gov.locator(".nhsuk-notification-banner").inner_text()
    screenshot(gov, "update-9-approved")
    governance_context.close()

    update.refresh_from_db()
    assert update.state == WorkflowState.APPROVED
    page.goto(f"{live_server.url}{update.get_absolute_url()}")
    assert "approved and locked" in page.content()
    assert page.get_by_role("link", name="Edit and submit").count() == 0
    response = page.goto(f"{live_server.url}{update.get_absolute_url()}edit/")
    assert response.status == 403
    screenshot(page, "update-10-locked")
