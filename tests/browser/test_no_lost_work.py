"""Issue 9's scenarios in Chromium, each ending with what the database holds:

1-2. two tabs on one update: a stale tab's autosave and Save draft keep the other tab's
     sections; a section changed in both is shown alone with both texts, autosave stops, and
     the person's choice is saved;
3.   the session expires (and, separately, the CSRF token goes stale) while autosave cannot
     reach the server: the text comes back after signing in again in the same tab;
4.   the update is submitted while another tab edits: the save is refused, saying who and
     when, with the typed text to copy;
8.   a save over the size limit is stopped in the browser with the text kept.

Runs on the demo data, where demo.lead leads DIGITAL (DIG)."""

import datetime
import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from reporting import actions
from reporting.models import WorkstreamUpdate

from .conftest import axe_violations, complete_and_submit, fill_sign_in, sign_in
from .test_update_journey import _editor, _rich_html, _type_rich_text

LEAD = "demo.lead@example.nhs.uk"
SAVED = re.compile(r"Saved at \d\d:\d\d")


@pytest.fixture
def digital(demo_data):
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    return WorkstreamUpdate.objects.get(cycle=cycle, workstream__code="DIG")


def _objectives(update):
    rows = list(update.objective_progress.select_related("objective").order_by("objective__number"))
    return rows[0].objective, rows[1].objective


def _progress(update, objective) -> str:
    return update.objective_progress.get(objective=objective).progress


def _open_form(page, live_server, update):
    page.goto(f"{live_server.url}{update.get_absolute_url()}edit/")
    page.wait_for_load_state("networkidle")
    _editor(page, "id_key_risks")  # the editors have started


def _status(page):
    return page.locator("#autosave-status")


def test_two_tabs_merge_by_section_and_a_real_conflict_is_chosen(
    digital, live_server, browser, screenshot
):
    one, two = _objectives(digital)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    tab_a, tab_b = context.new_page(), context.new_page()
    sign_in(tab_a, live_server, LEAD)
    _open_form(tab_a, live_server, digital)
    _open_form(tab_b, live_server, digital)

    # A changes objective 1 and it autosaves.
    _type_rich_text(tab_a, f"id_objective_{one.pk}", "Tab A on objective one.")
    _status(tab_a).get_by_text(SAVED).wait_for()
    # B, drawn before that, changes objective 2: saved, and told about objective 1.
    _type_rich_text(tab_b, f"id_objective_{two.pk}", "Tab B on objective two.")
    _status(tab_b).get_by_text(SAVED).wait_for()
    expect(_status(tab_b)).to_contain_text("Objective 1 was also changed by you, in another tab")
    # B types one more character (another autosave), then Save draft (seen 1 and 2).
    _editor(tab_b, f"id_objective_{two.pk}").press("End")
    tab_b.keyboard.type("!")
    expect(_status(tab_b)).to_contain_text(SAVED)
    tab_b.wait_for_timeout(3_500)
    tab_b.get_by_role("button", name="Save draft").click()
    tab_b.wait_for_load_state("networkidle")
    assert "Draft saved at" in tab_b.locator(".nhsuk-notification-banner").inner_text()
    assert "Tab A on objective one." in _progress(digital, one)
    assert "Tab B on objective two.!" in _progress(digital, two)
    screenshot(tab_b, "no-lost-work-1-merged")

    # A, now stale, changes objective 2 too: a real conflict; autosave stops.
    _type_rich_text(tab_a, f"id_objective_{two.pk}", "Tab A rewrites objective two.")
    expect(_status(tab_a)).to_contain_text("choose Save draft to see both versions")
    tab_a.get_by_role("button", name="Save draft").click()
    tab_a.wait_for_load_state("networkidle")
    panel = tab_a.locator(f"#conflict-objective_{two.pk}")
    expect(panel).to_be_visible()
    assert tab_a.locator(".app-conflict").count() == 1
    assert "Tab B on objective two.!" in panel.inner_text()  # theirs
    assert "Tab A rewrites objective two." in _rich_html(tab_a, f"id_objective_{two.pk}")
    assert axe_violations(tab_a) == []
    screenshot(tab_a, "no-lost-work-2-conflict")
    # Typing on the conflict page does not autosave over the other text.
    _editor(tab_a, f"id_objective_{two.pk}").press("End")
    tab_a.keyboard.type(" More.")
    tab_a.wait_for_timeout(4_000)
    assert "Tab B on objective two.!" in _progress(digital, two)
    # A keeps their own version.
    panel.get_by_label("Keep my version below").check()
    tab_a.get_by_role("button", name="Save draft").click()
    tab_a.wait_for_load_state("networkidle")
    assert "Draft saved at" in tab_a.locator(".nhsuk-notification-banner").inner_text()
    assert "Tab A rewrites objective two. More." in _progress(digital, two)
    assert "Tab A on objective one." in _progress(digital, one)
    context.close()


def test_text_typed_before_the_session_expired_comes_back_after_signing_in(
    digital, live_server, page, screenshot
):
    sign_in(page, live_server, LEAD)
    page.route("**/autosave/", lambda route: route.abort())  # the network drops autosaves
    _open_form(page, live_server, digital)
    _type_rich_text(page, "id_key_risks", "Typed while the session ran out.")
    # ... and the date of update, typed the UK way into the date input's three boxes.
    for part, typed in (("day", "15"), ("month", "12"), ("year", "2021")):
        page.locator(f"#id_date_of_update_{part}").fill(typed)
    expect(_status(page)).to_contain_text("you seem to be offline")
    # The session expires (the CSRF cookie, which lasts a year, stays).
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#restore-notice")).to_be_visible()
    screenshot(page, "no-lost-work-3-sign-in-again")
    fill_sign_in(page, LEAD)
    assert page.url.endswith("/edit/")
    expect(page.locator("#draft-restore")).to_contain_text("We put back the changes")
    assert "Typed while the session ran out." in _rich_html(page, "id_key_risks")
    for part, typed in (("day", "15"), ("month", "12"), ("year", "2021")):
        expect(page.locator(f"#id_date_of_update_{part}")).to_have_value(typed)
    screenshot(page, "no-lost-work-4-restored")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    digital.refresh_from_db()
    assert "Typed while the session ran out." in digital.key_risks
    assert digital.date_of_update == datetime.date(2021, 12, 15)
    # Saved: nothing is offered back any more.
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#draft-restore")).to_be_hidden()


def test_text_typed_before_the_page_expired_comes_back_from_the_expired_page(
    digital, live_server, browser, screenshot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page, other = context.new_page(), context.new_page()
    sign_in(page, live_server, LEAD)
    page.route("**/autosave/", lambda route: route.abort())
    _open_form(page, live_server, digital)
    _type_rich_text(page, "id_key_risks", "Typed before signing in again elsewhere.")
    # Signing out and in again in another tab gives a new CSRF token.
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Sign out").click()
    sign_in(other, live_server, LEAD)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Your page expired"
    screenshot(page, "no-lost-work-5-page-expired")
    page.get_by_role("link", name="Go back to the page").click()
    page.wait_for_load_state("networkidle")
    assert "Typed before signing in again elsewhere." in _rich_html(page, "id_key_risks")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    digital.refresh_from_db()
    assert "Typed before signing in again elsewhere." in digital.key_risks
    context.close()


def test_a_save_after_the_update_was_submitted_says_who_and_gives_the_text_back(
    digital, live_server, page, screenshot
):
    sign_in(page, live_server, LEAD)
    page.route("**/autosave/", lambda route: route.abort())
    _open_form(page, live_server, digital)
    _type_rich_text(page, "id_key_risks", "Typed in the tab that was left open.")

    # Meanwhile the update is completed and submitted (a co-lead, in another browser).
    lead = digital.workstream.leads.get(email=LEAD)
    complete_and_submit(digital, lead)
    before = WorkstreamUpdate.objects.get(pk=digital.pk).key_risks

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    assert "were not saved" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert re.search(
        r"Dana Lead \(demo\) submitted this update on \d+ \w+ \d{4} at \d\d:\d\d", body
    )
    assert "Typed in the tab that was left open." in body
    assert axe_violations(page) == []
    screenshot(page, "no-lost-work-6-submitted-meanwhile")
    digital.refresh_from_db()
    assert digital.state == WorkflowState.SUBMITTED and digital.key_risks == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=60_000)
def test_a_save_too_large_is_stopped_in_the_browser_with_the_text_kept(
    digital, live_server, page, screenshot
):
    sign_in(page, live_server, LEAD)
    _open_form(page, live_server, digital)
    version = WorkstreamUpdate.objects.get(pk=digital.pk).version
    long_text = "A very long pasted paragraph. " * 2_500  # about 75 KB
    page.locator("#id_key_risks").evaluate(
        "(textarea, text) => { textarea.value = '<p>' + text + '</p>';"
        " textarea.dispatchEvent(new Event('input', {bubbles: true})); }",
        long_text,
    )
    page.get_by_role("button", name="Save draft").click()
    expect(_status(page)).to_contain_text("too long to save in one go")
    screenshot(page, "no-lost-work-7-too-large")
    assert page.url.endswith("/edit/")  # still on the page, text in it
    assert WorkstreamUpdate.objects.get(pk=digital.pk).version == version


def test_a_risk_review_typed_before_the_session_expired_is_offered_back(
    demo_data, live_server, page, screenshot
):
    from risks.models import RiskReview

    review = RiskReview.objects.get(
        risk__reference="07", cycle__fy_start_year=2021, cycle__quarter=3
    )
    sign_in(page, live_server, LEAD)
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    _type_rich_text(page, "id_controls", "Controls typed before the session ran out.")
    page.wait_for_timeout(500)  # kept in the browser as it is typed
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    fill_sign_in(page, LEAD)
    expect(page.locator("#draft-restore")).to_contain_text("This browser kept changes")
    screenshot(page, "no-lost-work-8-risk-review-offered")
    page.get_by_role("button", name="Put back my unsaved changes").click()
    page.wait_for_load_state("networkidle")
    assert "Controls typed before the session ran out." in _rich_html(page, "id_controls")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    review.refresh_from_db()
    assert "Controls typed before the session ran out." in review.controls
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    expect(page.locator("#draft-restore")).to_be_hidden()


def test_after_the_cycle_closes_a_submission_cannot_be_withdrawn_into_a_dead_end(
    digital, live_server, browser, page, screenshot
):
    """Issue 9, seen 5: a withdraw after close would strand the update. Now the lead is told
    the cycle is closed and what to do; governance reopens the cycle with a reason; the lead
    withdraws, changes and resubmits; governance approves."""
    lead = digital.workstream.leads.get(email=LEAD)
    complete_and_submit(digital, lead)
    cycle = digital.cycle
    from ics_portal.models import User

    governance_user = User.objects.get(email="demo.governance@example.nhs.uk")
    actions.close_cycle(cycle=cycle, by=governance_user)

    sign_in(page, live_server, LEAD)
    page.goto(f"{live_server.url}{digital.get_absolute_url()}")
    assert page.get_by_role("button", name="Withdraw submission").count() == 0
    expect(page.locator("main")).to_contain_text("cycle is closed")
    screenshot(page, "no-lost-work-9-closed-no-withdraw")
    # A withdraw posted anyway (a tab opened before the close) is refused with the reason.
    response = page.request.post(
        f"{live_server.url}{digital.get_absolute_url()}withdraw/",
        headers={
            "X-CSRFToken": next(
                c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"
            )
        },
    )
    assert response.status in (302, 403)
    digital.refresh_from_db()
    assert digital.state == WorkflowState.SUBMITTED

    # Governance reopens the cycle, giving a reason.
    gov_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    gov = gov_context.new_page()
    gov.set_default_timeout(15_000)
    sign_in(gov, live_server, "demo.governance@example.nhs.uk")
    gov.goto(f"{live_server.url}{cycle.get_absolute_url()}")
    gov.get_by_role("link", name="Reopen the cycle").click()
    gov.get_by_role("button", name="Reopen the cycle").click()
    expect(gov.locator(".nhsuk-error-summary")).to_be_visible()  # a reason is required
    gov.get_by_label("Why are you reopening the cycle?").fill(
        "Two workstreams need to reflect the November board's decision."
    )
    gov.get_by_role("button", name="Reopen the cycle").click()
    gov.wait_for_load_state("networkidle")
    assert axe_violations(gov) == []
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPEN

    # The lead withdraws, changes and resubmits; governance approves.
    page.reload()
    page.get_by_role("button", name="Withdraw submission").click()
    page.wait_for_load_state("networkidle")
    digital.refresh_from_db()
    assert digital.state == WorkflowState.DRAFT
    page.goto(f"{live_server.url}{digital.get_absolute_url()}edit/")
    page.wait_for_load_state("networkidle")
    _type_rich_text(page, "id_key_risks", "Reflects the November board's decision.")
    page.get_by_role("button", name="Check and submit").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Submit update").click()
    page.wait_for_load_state("networkidle")
    assert "Update submitted" in page.locator(".nhsuk-notification-banner").inner_text()
    gov.goto(f"{live_server.url}{digital.get_absolute_url()}review/")
    gov.locator("#decision").get_by_label("Approve", exact=True).check()
    gov.locator("#decision").get_by_role("button", name="Continue").click()
    gov.get_by_role("button", name="Approve update").click()
    gov.wait_for_load_state("networkidle")
    gov_context.close()
    digital.refresh_from_db()
    assert digital.state == WorkflowState.APPROVED
    assert "November board" in digital.key_risks
