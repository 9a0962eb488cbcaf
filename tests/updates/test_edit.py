"""Leads write their updates: the form pre-filled from last quarter, save draft, autosave,
submit with the NHS.UK error summary, withdraw, returned comments, the stale-text warning and
no lost updates when two people edit at once."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from ics_portal.models import AuditEvent
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from reporting import actions
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from reporting.review import quarter_headings

from .. import factories
from .support import cycle_for, form_data, submit, url

HTMX = {"HTTP_HX_REQUEST": "true"}


def _html(response) -> str:
    return response.content.decode()


def test_my_updates_lists_what_the_lead_owes_with_days_left(client, lead, update, thread_update):
    client.force_login(lead)
    html = _html(client.get(reverse("reporting:my_updates")))
    assert url(update) in html and url(thread_update) in html
    assert "You have 2 updates to write and submit." in html
    assert "10 days left" in html
    assert "WORKFORCE" not in html  # other_lead's


def test_the_form_starts_from_last_quarters_approved_update(client, lead, plan, update):
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    assert "Objective 1: Aim 1" in html and "Objective 2: Aim 2" in html
    assert "Shared care record live." in html  # Q2's objective progress
    assert "Going well" in html  # Q2's milestone note
    assert "Plans for Q4 2021/22</h2>" in html  # named from the real quarter
    assert "Roll out to two more practices." in html
    assert re.search(r'value="ON_TRACK" checked', html)
    assert re.search(rf'name="baf_risks"[^>]*value="{plan.risk.pk}"[^>]*checked', html)
    assert 'name="version" value="1"' in html
    assert "Delivery by Sept 2021" in html


def test_golden_thread_headings_name_the_quarter(client, lead, thread_update):
    client.force_login(lead)
    html = _html(client.get(url(thread_update, "update_edit")))
    assert "Update for Q3 2021/22</h2>" in html and "Plans for Q4 2021/22</h2>" in html
    assert (
        '<label class="nhsuk-label" for="id_quarter_update">Update for Q3 2021/22</label>' in html
    )
    assert "Key risks" in html and "Linked objectives" in html


def test_quarter_4_plans_are_for_quarter_1(db):
    assert quarter_headings(cycle_for(2021, 4)) == ("Update for Q4 2021/22", "Plans for Q1 2022/23")


def test_save_draft_keeps_the_text_and_audits(client, lead, plan, update):
    client.force_login(lead)
    objective = plan.workstream.objectives.get(number=1)
    data = form_data(
        update,
        **{
            f"objective_{objective.pk}": "<ul><li>One<ul><li>nested</li></ul></li></ul>"
            "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>",
            "key_risks": "<p>New supplier risk.</p>",
            "action": "save",
        },
    )
    response = client.post(url(update, "update_edit"), data)
    assert response.status_code == 302
    assert response["Location"] == url(update, "update_edit") + "?saved=2"
    update.refresh_from_db()
    assert update.state == WorkflowState.DRAFT and update.version == 2
    assert update.key_risks == "<p>New supplier risk.</p>"
    progress = update.objective_progress.get(objective=objective).progress
    assert "<ul><li>nested</li></ul>" in progress and "<td>b</td>" in progress
    event = AuditEvent.objects.filter(verb="update.save", object_id=str(update.pk)).first()
    assert event.actor_name == "Lee Lead" and "key_risks" in event.after["changed"]
    page = _html(client.get(response["Location"]))
    assert "Draft saved at" in page and "New supplier risk." in page


def test_script_never_reaches_the_page(client, lead, update):
    client.force_login(lead)
    nasty = (
        '<p>ok</p><script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">link</a>'
    )
    client.post(url(update, "update_edit"), form_data(update, key_risks=nasty))
    update.refresh_from_db()
    assert "script" not in update.key_risks and "onerror" not in update.key_risks
    assert "javascript:" not in update.key_risks and "<p>ok</p>" in update.key_risks
    html = _html(client.get(url(update)))
    assert "alert(" not in html


def test_submit_at_risk_without_explanation_shows_the_error_summary(client, lead, update):
    client.force_login(lead)
    response = client.post(
        url(update, "update_submit"),
        form_data(update, overall_status="AT_RISK", status_explanation=""),
    )
    assert response.status_code == 200
    html = _html(response)
    assert "There is a problem" in html
    assert '<a href="#id_status_explanation">Explain why the status is At risk</a>' in html
    assert "nhsuk-form-group--error" in html
    assert "saved as a draft but the update was not submitted" in html
    assert html.index("nhsuk-error-summary") < html.index('id="update-form"')
    assert "<title>Error: Edit Workstream: DIGITAL" in html
    update.refresh_from_db()
    assert update.state == WorkflowState.DRAFT and update.overall_status == "AT_RISK"
    assert f'name="version" value="{update.version}"' in html  # a second try is not stale


def test_submit_without_a_status_links_to_the_radios(client, lead, update):
    client.force_login(lead)
    html = _html(client.post(url(update, "update_submit"), form_data(update, overall_status=None)))
    assert '<a href="#id_overall_status_0">Select the overall status</a>' in html


def test_an_overdue_milestone_needs_a_revised_date_or_reason(client, lead, plan, update):
    client.force_login(lead)
    prefix = f"milestone_{plan.overdue.pk}"
    data = form_data(update, **{f"{prefix}_note": "", f"{prefix}_status": "DELAYED"})
    html = _html(client.post(url(update, "update_submit"), data))
    assert (
        f'<a href="#id_{prefix}_revised_date_day">&quot;Shared care record procured&quot; was due '
        "(Delivery by Sept 2021) and is not complete: give a revised date or a reason</a>"
    ) in html
    # The milestone due next year needs nothing.
    assert f"#id_milestone_{plan.later.pk}_revised_date" not in html
    update.refresh_from_db()
    assert update.state == WorkflowState.DRAFT
    data = form_data(update, **{f"{prefix}_revised_date": "2022-01-31"})
    response = client.post(url(update, "update_submit"), data)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED and update.submitted_by.full_name == "Lee Lead"
    row = update.milestone_progress.get(milestone=plan.overdue)
    assert str(row.revised_date) == "2022-01-31" and row.status == "DELAYED"


def test_the_form_and_its_checks_use_the_workstreams_own_date_for_a_shared_milestone(
    client, lead, plan, update
):
    # The milestone is due by March 2022, but this workstream delivers it by August 2021.
    link = plan.workstream.milestone_links.get(milestone=plan.later)
    link.due_date, link.due_label = datetime.date(2021, 8, 31), "Delivery by Aug 2021"
    link.save()
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    assert "Delivery by Aug 2021" in html and "Delivery by March 2022" not in html
    prefix = f"milestone_{plan.later.pk}"
    data = form_data(update, **{f"{prefix}_note": "", f"{prefix}_status": "AT_RISK"})
    html = _html(client.post(url(update, "update_submit"), data))
    assert (
        "&quot;Digital strategy agreed&quot; was due (Delivery by Aug 2021) and is not complete"
    ) in html


def test_submit_goes_to_the_update_page_and_cannot_be_edited_by_the_lead(client, lead, update):
    client.force_login(lead)
    response = client.post(url(update, "update_submit"), form_data(update))
    assert response.status_code == 302 and response["Location"] == url(update) + "?saved=3"
    html = _html(client.get(url(update)))
    assert "Update submitted." in html and "Withdraw submission" in html
    assert url(update, "update_edit") not in html
    assert client.get(url(update, "update_edit")).status_code == 403


def test_the_lead_withdraws_before_review(client, lead, update):
    submit(update, lead)
    client.force_login(lead)
    response = client.post(url(update, "update_withdraw"))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.DRAFT
    assert AuditEvent.objects.filter(verb="update.withdraw", object_id=str(update.pk)).exists()


def test_a_returned_update_shows_the_comments_at_the_top(client, lead, governance, update):
    submitted = submit(update, lead)
    workflow.return_for_changes(
        update=submitted, by=governance, comment="Say what slipped and why."
    )
    client.force_login(lead)
    for page in (url(update), url(update, "update_edit")):
        html = _html(client.get(page))
        assert "Returned with comments" in html and "Say what slipped and why." in html
        assert html.index("Say what slipped and why.") < html.index("nhsuk-summary-list")
    # The lead fixes and resubmits.
    response = client.post(url(update, "update_submit"), form_data(update))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED


def test_sections_unchanged_since_last_quarter_are_flagged(client, lead, plan, update):
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    notice = re.search(r'id="unchanged-sections">(.*?)</div>', html, re.S)[1]
    for label in ("Objective 1: Aim 1", "Objective 2: Aim 2", "Plans for Q4 2021/22"):
        assert label in notice
    assert "Key risks and issues" in notice  # pre-filled "Supplier capacity." unchanged
    objective = plan.workstream.objectives.get(number=1)
    client.post(
        url(update, "update_edit"),
        form_data(update, **{f"objective_{objective.pk}": "<p>Now live in 40 practices.</p>"}),
    )
    html = _html(client.get(url(update, "update_edit")))
    notice = re.search(r'id="unchanged-sections">(.*?)</div>', html, re.S)[1]
    assert "Objective 1: Aim 1" not in notice and "Objective 2: Aim 2" in notice
    assert 'class="nhsuk-form-group app-stale" id="id_objective_' in html


def test_no_stale_warning_without_an_approved_quarter(client, lead, thread_update):
    client.force_login(lead)
    html = _html(client.get(url(thread_update, "update_edit")))
    assert 'id="unchanged-sections"' not in html


def test_two_people_changing_the_same_section_choose_between_both_texts(
    client, lead, governance, update
):
    """Both open the form; governance saves the key risks first; the lead's different key
    risks are a conflict: not written, both texts shown for that section alone; the lead
    chooses their own and saves again."""
    from django.test import Client

    lead_client, governance_client = client, Client()
    lead_client.force_login(lead)
    governance_client.force_login(governance)
    lead_form = form_data(update, key_risks="<p>The lead's wording.</p>")
    governance_form = form_data(update, key_risks="<p>Governance wording.</p>")

    assert governance_client.post(url(update, "update_edit"), governance_form).status_code == 302
    response = lead_client.post(url(update, "update_edit"), lead_form)
    assert response.status_code == 409
    html = _html(response)
    assert re.search(r"Key risks and issues was also changed by Gus Governance at \d\d:\d\d", html)
    assert 'id="conflict-key_risks"' in html and html.count('class="nhsuk-card app-conflict"') == 1
    assert "Governance wording." in html  # theirs, shown
    assert "The lead&#x27;s wording." in html  # the lead's, kept in the form
    assert 'name="conflicts_open" value="key_risks"' in html
    update.refresh_from_db()
    assert update.key_risks == "<p>Governance wording.</p>"

    # Saving again without choosing changes nothing.
    assert lead_client.post(url(update, "update_edit"), lead_form).status_code == 409
    # Choosing "mine", with the text that was shown, wins.
    seen = re.search(r'name="seen__key_risks" value="([0-9a-f]+)"', html)[1]
    lead_form.update({"resolve__key_risks": "mine", "seen__key_risks": seen})
    assert lead_client.post(url(update, "update_edit"), lead_form).status_code == 302
    update.refresh_from_db()
    assert update.key_risks == "<p>The lead's wording.</p>"


def test_choosing_theirs_keeps_the_stored_text(client, lead, governance, update):
    stale = form_data(update, key_risks="<p>Mine.</p>")
    actions.save_update(
        update=update, base_version=1, by=governance, fields={"key_risks": "<p>Theirs.</p>"}
    )
    client.force_login(lead)
    html = _html(client.post(url(update, "update_edit"), stale))
    seen = re.search(r'name="seen__key_risks" value="([0-9a-f]+)"', html)[1]
    stale.update({"resolve__key_risks": "theirs", "seen__key_risks": seen})
    assert client.post(url(update, "update_edit"), stale).status_code == 302
    update.refresh_from_db()
    assert update.key_risks == "<p>Theirs.</p>"


def test_a_choice_made_against_text_changed_again_is_a_conflict_again(
    client, lead, governance, update
):
    stale = form_data(update, key_risks="<p>Mine.</p>")
    actions.save_update(
        update=update, base_version=1, by=governance, fields={"key_risks": "<p>A</p>"}
    )
    client.force_login(lead)
    html = _html(client.post(url(update, "update_edit"), stale))
    seen = re.search(r'name="seen__key_risks" value="([0-9a-f]+)"', html)[1]
    update.refresh_from_db()
    actions.save_update(
        update=update, base_version=update.version, by=governance, fields={"key_risks": "<p>B</p>"}
    )
    stale.update({"resolve__key_risks": "mine", "seen__key_risks": seen})
    assert client.post(url(update, "update_edit"), stale).status_code == 409
    update.refresh_from_db()
    assert update.key_risks == "<p>B</p>"


def test_seen_1_a_stale_tab_saving_another_section_keeps_both(
    client, lead, governance, plan, update
):
    """Issue 9, seen 1 and 2: A changes objective 1; B (stale) changes objective 2. Both are
    kept, and B saving again (autosave or Save draft) never puts old objective 1 back."""
    one, two = (plan.workstream.objectives.get(number=n) for n in (1, 2))
    stale = form_data(update, **{f"objective_{two.pk}": "<p>B on two.</p>"})
    client.force_login(governance)
    assert (
        client.post(
            url(update, "update_autosave"),
            form_data(update, **{f"objective_{one.pk}": "<p>A on one.</p>"}),
            **HTMX,
        ).status_code
        == 200
    )
    client.force_login(lead)
    response = client.post(url(update, "update_autosave"), stale, **HTMX)
    assert "Saved at" in _html(response)
    assert "Objective 1 was also changed by Gus Governance" in _html(response)
    # B types one more character: another autosave, then Save draft, from the same stale page.
    stale[f"objective_{two.pk}"] = "<p>B on two!</p>"
    stale["section_bases"] = re.search(r'name="section_bases" value="([^"]+)"', _html(response))[
        1
    ].replace("&quot;", '"')
    assert "Saved at" in _html(client.post(url(update, "update_autosave"), stale, **HTMX))
    assert client.post(url(update, "update_edit"), stale).status_code == 302
    rows = {row.objective_id: row.progress for row in update.objective_progress.all()}
    assert rows[one.pk] == "<p>A on one.</p>" and rows[two.pk] == "<p>B on two!</p>"


def test_a_conflict_with_yourself_in_another_tab_says_so(client, lead, update):
    client.force_login(lead)
    first, second = (
        form_data(update, key_risks="<p>Tab 1.</p>"),
        form_data(update, key_risks="<p>Tab 2.</p>"),
    )
    assert client.post(url(update, "update_edit"), first).status_code == 302
    html = _html(client.post(url(update, "update_autosave"), second, **HTMX))
    assert "Key risks and issues was also changed by you, in another tab" in html
    update.refresh_from_db()
    assert update.key_risks == "<p>Tab 1.</p>"


def test_autosave_writes_nothing_while_a_conflict_is_open(client, lead, governance, update):
    stale = form_data(update, key_risks="<p>Mine.</p>", status_explanation="Also mine")
    actions.save_update(
        update=update, base_version=1, by=governance, fields={"key_risks": "<p>Theirs.</p>"}
    )
    client.force_login(lead)
    html = _html(client.post(url(update, "update_edit"), stale))
    seen = re.search(r'name="seen__key_risks" value="([0-9a-f]+)"', html)[1]
    update.refresh_from_db()
    version = update.version
    # The conflict page's form (with its open conflict) typing on: the autosave refuses.
    stale.update({"conflicts_open": "key_risks", "seen__key_risks": seen, "key_risks": "<p>M2</p>"})
    answer = _html(client.post(url(update, "update_autosave"), stale, **HTMX))
    assert "Not saved automatically while you choose between two versions" in answer
    update.refresh_from_db()
    assert update.version == version and update.key_risks == "<p>Theirs.</p>"
    # The section that was not in conflict was saved with the conflict page.
    assert update.status_explanation == "Also mine"


def test_a_save_after_the_update_was_submitted_says_who_and_gives_the_text_back(
    client, lead, update
):
    """Issue 9, seen 4: a co-lead submits while another tab edits."""
    tab = form_data(update, key_risks="<p>Typed in the other tab.</p>")
    submit(update, lead)
    client.force_login(lead)
    response = client.post(url(update, "update_edit"), tab)
    assert response.status_code == 409
    html = _html(response)
    assert re.search(r"Lee Lead submitted this update on \d+ \w+ \d{4} at \d\d:\d\d", html)
    assert "<p>Typed in the other tab.</p>" in html
    # Only what the person changed is given back, not the stale rest of their form.
    assert "Overall status" not in html.split("What you typed")[1]
    answer = _html(client.post(url(update, "update_autosave"), tab, **HTMX))
    assert "Not saved: Lee Lead submitted this update on" in answer
    assert "expired" not in answer


def test_a_form_without_bases_from_an_older_version_is_not_merged(client, lead, governance, update):
    data = form_data(update, key_risks="<p>Mine.</p>", section_bases=None)
    actions.save_update(update=update, base_version=1, by=governance, fields={"key_risks": "x"})
    client.force_login(lead)
    response = client.post(url(update, "update_edit"), data)
    assert response.status_code == 409 and "This page is out of date" in _html(response)
    update.refresh_from_db()
    assert update.key_risks == "x"


def test_autosave_saves_and_answers_with_the_time_and_new_version(client, lead, update):
    client.force_login(lead)
    response = client.post(
        url(update, "update_autosave"), form_data(update, key_risks="<p>Typed.</p>"), **HTMX
    )
    assert response.status_code == 200
    html = _html(response)
    assert re.match(r"Saved at \d{2}:\d{2}", html)
    assert (
        '<input type="hidden" name="version" value="2" id="id_version" hx-swap-oob="true">' in html
    )
    assert "<html" not in html  # a fragment, not a page
    update.refresh_from_db()
    assert update.key_risks == "<p>Typed.</p>" and update.state == WorkflowState.DRAFT


def test_autosave_of_a_section_changed_meanwhile_says_who_changed_it(
    client, lead, governance, update
):
    stale = form_data(update, key_risks="y")
    actions.save_update(update=update, base_version=1, by=governance, fields={"key_risks": "x"})
    client.force_login(lead)
    html = _html(client.post(url(update, "update_autosave"), stale, **HTMX))
    assert "Key risks and issues was also changed by Gus Governance at" in html
    assert "choose Save draft to see both versions" in html
    # Never "All changes saved" beside a change that was not.
    assert html.startswith(("Not saved: ", "Saved your other changes at "))
    update.refresh_from_db()
    assert update.key_risks == "x"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("31", "2", "2021"), "Date of update must be a real date"),
        (("15", "", ""), "Date of update must include a month and a year"),
        (("15", "12", "21"), "Date of update must include a year with 4 numbers"),
    ],
)
def test_autosave_with_a_bad_date_says_it_did_not_save(client, lead, update, typed, message):
    client.force_login(lead)
    html = _html(
        client.post(url(update, "update_autosave"), form_data(update, date_of_update=typed), **HTMX)
    )
    assert html.startswith(f'<span class="app-autosave-problem">Not saved yet: {message}')
    update.refresh_from_db()
    assert update.version == 1


def test_autosave_after_signing_out_says_so_and_saves_nothing(client, update):
    html = _html(client.post(url(update, "update_autosave"), form_data(update), **HTMX))
    assert "You have been signed out, so this was not saved" in html
    update.refresh_from_db()
    assert update.version == 1


def test_the_form_autosaves_through_htmx_with_the_csrf_token(client, lead, update):
    client.force_login(lead)
    response = client.get(url(update, "update_edit"))
    html = _html(response)
    form_tag = re.search(r'<form method="post" action="[^"]*/edit/"[^>]*>', html, re.S)[0]
    assert f'hx-post="{url(update, "update_autosave")}"' in form_tag
    assert 'hx-trigger="input changed delay:3s from:form, change from:form"' in form_tag
    assert 'hx-target="#autosave-status"' in form_tag
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in form_tag
    assert (
        'id="autosave-status" class="app-autosave-status nhsuk-body-s" role="status" aria-live="polite"'
        in html
    )
    # No inline script: behaviour is in static files; the editor's import map has the nonce.
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    assert "/static/reporting/autosave.js" in html
    assert " onclick=" not in html and " onchange=" not in html


def test_governance_edits_any_update_and_is_audited(client, governance, update):
    client.force_login(governance)
    response = client.post(url(update, "update_edit"), form_data(update, key_risks="<p>Gov.</p>"))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(verb="update.save", object_id=str(update.pk)).first()
    assert event.actor_name == "Gus Governance"
    html = _html(client.get(url(update, "update_edit")))
    assert "Submit update" not in html and "Save draft" in html  # only leads submit


def test_golden_thread_update_saves_and_submits(client, lead, plan, thread_update):
    client.force_login(lead)
    objective = plan.workstream.objectives.get(number=2)
    data = form_data(
        thread_update,
        quarter_update="<p>Inequalities dashboard published.</p>",
        baf_risks=[str(plan.risk.pk)],
        objectives=[str(objective.pk)],
        nothing_to_escalate="on",
    )
    response = client.post(url(thread_update, "update_submit"), data)
    assert response.status_code == 302
    thread_update = GoldenThreadUpdate.objects.get(pk=thread_update.pk)
    assert thread_update.state == WorkflowState.SUBMITTED
    assert list(thread_update.baf_risks.all()) == [plan.risk]
    assert list(thread_update.objectives.all()) == [objective]


def test_a_thread_update_needs_its_quarter_update(client, lead, thread_update):
    client.force_login(lead)
    html = _html(
        client.post(
            url(thread_update, "update_submit"), form_data(thread_update, quarter_update="")
        )
    )
    assert '<a href="#id_quarter_update">Enter the update for Q3 2021/22</a>' in html


def test_only_the_workstreams_baf_risks_are_offered(client, lead, plan, update):
    other_risk = factories.BAFRiskFactory(reference="99")
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    assert f"Risk {plan.risk.reference}: {plan.risk.title}" in html
    assert f'value="{other_risk.pk}"' not in html
    data = form_data(update, baf_risks=[str(other_risk.pk)])
    response = client.post(url(update, "update_edit"), data)
    assert response.status_code == 200 and "Select a valid choice" in _html(response)


def test_saving_sends_no_email(client, lead, update, django_capture_on_commit_callbacks):
    client.force_login(lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(update, "update_edit"), form_data(update))
    assert mail.outbox == []


@pytest.mark.parametrize("model", [WorkstreamUpdate, GoldenThreadUpdate])
def test_updates_know_their_pages(plan, model):
    update = model.objects.filter(cycle=plan.cycle).first()
    assert update.get_absolute_url() == url(update)
    assert plan.cycle.get_absolute_url() == f"/reporting/cycles/{plan.cycle.pk}/"
