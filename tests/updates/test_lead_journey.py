"""The lead's journey (issue 14): one "What I owe" list on home and My updates with risk reviews
and returned items first; check your update before submitting; overdue milestones flagged
when the form opens; conditional fields that say when they are required; text carried
forward from last quarter that says so; golden threads and workstreams told apart."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import actions as workflow
from reporting import actions
from reporting.models import WorkstreamUpdate
from risks.models import RiskReview

from .. import factories
from .support import big_plan, form_data, load, submit, url


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _review_owned_by(lead, plan, *, reference="11", title="Workforce supply") -> RiskReview:
    risk = factories.BAFRiskFactory(reference=reference, title=title, owner=lead)
    return factories.RiskReviewFactory(risk=risk, cycle=plan.cycle)


def _returned(update, lead, governance, comment):
    submitted = submit(update, lead)
    return workflow.return_for_changes(update=submitted, by=governance, comment=comment)


# --- What I owe -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "reporting:my_updates"])
def test_what_i_owe_lists_risk_reviews_and_puts_returned_items_first(
    client, lead, governance, plan, update, thread_update, page
):
    review = _review_owned_by(lead, plan)
    _returned(thread_update, lead, governance, "Say what the equity audit found.")
    client.force_login(lead)
    html = _html(client.get(reverse(page)))
    table = html[html.index('<table class="nhsuk-table-responsive app-owed"') :]
    # The returned thread update first, with who returned it and why; then by deadline.
    titles = re.findall(r'<a href="[^"]+">([^<]+)</a><br>', table)
    assert titles[0] == "Golden thread: Health inequalities"
    assert set(titles[1:]) == {"Workstream: DIGITAL", "Risk 11: Workforce supply"}
    assert "Returned by Gus Governance:</strong> Say what the equity audit found." in table
    assert review.get_absolute_url() in table
    # An item the lead can still change links straight to its form.
    assert url(update, "update_edit") in table


def test_my_updates_counts_updates_and_risk_reviews_to_submit(client, lead, plan, update):
    _review_owned_by(lead, plan)
    client.force_login(lead)
    html = _html(client.get(reverse("reporting:my_updates")))
    assert "You have 2 updates and 1 risk review to write and submit." in html


def test_home_says_what_the_page_is(client, lead, plan):
    client.force_login(lead)
    html = _html(client.get(reverse("home")))
    assert "<h1>Home</h1>" in html
    assert '<span class="nhsuk-caption-l">Lee Lead</span>' in html


@pytest.mark.parametrize("page", ["home", "reporting:my_updates"])
def test_what_i_owe_query_count_does_not_grow_with_rows(
    client, lead, governance, page, django_assert_max_num_queries
):
    cycle, workstreams = big_plan(
        n_workstreams=2, n_objectives=1, n_cycles=1, lead=lead, governance=governance
    )
    first = WorkstreamUpdate.objects.get(cycle=cycle, workstream=workstreams[0])
    _returned(first, lead, governance, "Please add the figures.")
    client.force_login(lead)
    with django_assert_max_num_queries(40) as few:
        _html(client.get(reverse(page)))
    # Many more rows: more workstreams, risk reviews, returned items.
    for workstream in workstreams[1:]:
        workstream.leads.add(lead)
    for _ in range(6):
        workstream = factories.WorkstreamFactory()
        workstream.leads.add(lead)
        WorkstreamUpdate.objects.create(cycle=cycle, workstream=workstream)
        risk = factories.BAFRiskFactory(owner=lead)
        factories.RiskReviewFactory(risk=risk, cycle=cycle)
    others = WorkstreamUpdate.objects.filter(cycle=cycle, workstream__leads=lead).exclude(
        pk=first.pk
    )
    for update in others[:2]:
        _returned(update, lead, governance, "Please add the figures.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _html(client.get(reverse(page)))
    assert html.count("Returned by Gus Governance") == 3


# --- Naming -----------------------------------------------------------------------------------


def test_a_golden_thread_and_a_workstream_of_the_same_name_are_told_apart(
    client, lead, governance, plan
):
    plan.thread.name = "DIGITAL"
    plan.thread.save()
    client.force_login(lead)
    html = _html(client.get(reverse("reporting:my_updates")))
    assert ">Workstream: DIGITAL</a>" in html and ">Golden thread: DIGITAL</a>" in html
    thread_update = plan.thread.updates.get(cycle=plan.cycle)
    assert "<h1>Golden thread: DIGITAL</h1>" in _html(client.get(url(thread_update)))
    client.force_login(governance)
    html = _html(client.get(plan.risk.get_absolute_url()))
    assert "Workstream: DIGITAL</a>" in html


def test_the_returned_email_names_the_kind(
    django_capture_on_commit_callbacks, lead, governance, plan, thread_update
):
    submitted = submit(thread_update, lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_changes(update=submitted, by=governance, comment="More on the audit.")
    [message] = mail.outbox
    assert message.subject == (
        "Returned: your Q3 2021/22 update for Golden thread: Health inequalities"
    )


# --- The form when it opens -------------------------------------------------------------------


def test_the_form_flags_overdue_milestones_when_it_opens(client, lead, plan, update):
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    callout = html[html.index('id="overdue-milestones"') :]
    assert "1 milestone is overdue" in callout
    assert f'<a href="#milestone-{plan.overdue.pk}">Shared care record procured</a>' in callout
    row = html[html.index(f'id="milestone-{plan.overdue.pk}"') :]
    assert "Overdue</strong> Due before the end of Q3 2021/22" in row.split("</fieldset>")[0]
    later = html[html.index(f'id="milestone-{plan.later.pk}"') :].split("</fieldset>")[0]
    assert "Overdue" not in later


def test_conditional_fields_say_when_they_are_required(client, lead, plan, update):
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    assert "Status explanation (required when the overall status is At risk or Delayed)" in html
    assert "Revised date (required when overdue, unless the note gives a reason)" in html
    assert "Note (required when overdue and no revised date is given)" in html
    assert "Status explanation (optional)" not in html
    assert "Note (optional)" not in html


def test_text_carried_forward_says_where_it_came_from_until_edited(client, lead, plan, update):
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    hint = 'id="id_next_quarter_plans-carried"><strong>Copied from Q2 2021/22, unchanged.'
    assert hint in html
    assert re.search(r'id="id_next_quarter_plans"[^>]*aria-describedby="[^"]*carried', html) or (
        'aria-describedby="id_next_quarter_plans-carried' in html
    )
    assert "Plans for Q4 2021/22</h2>" in html
    client.post(
        url(update, "update_edit"),
        form_data(update, next_quarter_plans="<p>Go live at three practices.</p>", action="save"),
    )
    html = _html(client.get(url(update, "update_edit")))
    assert "id_next_quarter_plans-carried" not in html
    assert 'id="id_key_risks-carried"' in html  # still as copied


# --- Check before you submit ------------------------------------------------------------------


def test_check_and_submit_saves_the_form_then_shows_the_check_page(client, lead, plan, update):
    client.force_login(lead)
    response = client.post(
        url(update, "update_edit"),
        form_data(update, status_explanation="Supplier delay.", action="check"),
    )
    assert response.status_code == 302
    assert response.url.startswith(url(update, "update_check"))
    update.refresh_from_db()
    assert update.status_explanation == "Supplier delay."
    assert update.state == WorkflowState.DRAFT


def _without_reason(update, plan):
    """The overdue milestone's reason (carried from Q2) taken out: it must be given again."""
    actions.save_update(
        update=update,
        base_version=update.version,
        by=update.workstream.leads.first(),
        fields={},
        milestone_rows={plan.overdue.pk: {"note": "", "status": DeliveryStatus.DELAYED}},
    )


def test_the_check_page_lists_each_section_with_a_change_link(client, lead, plan, update):
    _without_reason(update, plan)
    client.force_login(lead)
    html = _html(client.get(url(update, "update_check")))
    assert "<h1>Check your update before you submit it</h1>" in html
    edit = url(update, "update_edit")
    for anchor, label in [
        ("section-milestones", "Key milestones and critical path"),
        ("section-status", "Status"),
        ("section-plans", "Plans for Q4 2021/22"),
        ("section-risks", "Key risks and issues"),
    ]:
        assert (
            f'href="{edit}#{anchor}">Change<span class="nhsuk-u-visually-hidden"> {label}' in html
        )
    # Copied from Q2 and unchanged; the overdue milestone; what is still to fill.
    assert "Unchanged since Q2 2021/22" in html
    assert "Overdue</strong>" in html
    summary = html[html.index('id="still-to-fill"') :]
    assert "You cannot submit yet" in summary
    # The problem links to the box to fill: the overdue milestone's revised date (day box).
    day_box = f"id_milestone_{plan.overdue.pk}_revised_date_day"
    assert f'href="{edit}#{day_box}">&quot;Shared care record procured&quot; was due' in summary
    assert "Submit update</button>" not in html


def test_the_check_page_submits_the_version_checked(client, lead, plan, update):
    saved = actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={"status_explanation": ""},
        milestone_rows={plan.overdue.pk: {"note": "Procurement restarted."}},
    )
    client.force_login(lead)
    html = _html(client.get(url(update, "update_check")))
    assert "Submit update</button>" in html
    response = client.post(url(update, "update_check"), {"version": saved.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED


def test_the_check_page_refuses_a_version_changed_since_and_submits_nothing(
    client, lead, plan, update
):
    saved = actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={},
        milestone_rows={plan.overdue.pk: {"note": "Procurement restarted."}},
    )
    actions.save_update(
        update=saved, base_version=saved.version, by=lead, fields={"status_explanation": "New."}
    )
    client.force_login(lead)
    response = client.post(url(update, "update_check"), {"version": saved.version})
    assert response.status_code == 409
    assert "The update changed while you were checking it" in response.content.decode()
    update.refresh_from_db()
    assert update.state == WorkflowState.DRAFT
    assert update.status_explanation == "New."


def test_submitting_from_the_check_page_with_something_to_fill_says_what(
    client, lead, plan, update
):
    _without_reason(update, plan)
    update.refresh_from_db()
    client.force_login(lead)
    response = client.post(url(update, "update_check"), {"version": update.version})
    assert response.status_code == 400
    assert "give a revised date or a reason" in response.content.decode()
    update.refresh_from_db()
    assert update.state != WorkflowState.SUBMITTED


def test_the_check_page_of_a_golden_thread_update(client, lead, plan, thread_update):
    client.force_login(lead)
    html = _html(client.get(url(thread_update, "update_check")))
    assert "Update for Q3 2021/22" in html
    assert "Enter the update for Q3 2021/22" in html
    actions.save_update(
        update=thread_update,
        base_version=thread_update.version,
        by=lead,
        fields={
            "overall_status": DeliveryStatus.AT_RISK,
            "status_explanation": "Data gaps.",
            "quarter_update": "<p>Equity audit done.</p>",
            "nothing_to_escalate": True,
        },
    )
    thread_update.refresh_from_db()
    html = _html(client.get(url(thread_update, "update_check")))
    assert "Equity audit done." in html and "Explanation: Data gaps." in html
    response = client.post(url(thread_update, "update_check"), {"version": thread_update.version})
    assert response.status_code == 302
    thread_update.refresh_from_db()
    assert thread_update.state == WorkflowState.SUBMITTED


def test_the_check_page_is_for_those_who_submit(client, governance, outsider, plan, update):
    client.force_login(outsider)
    assert client.get(url(update, "update_check")).status_code == 404
    client.force_login(governance)
    assert client.get(url(update, "update_check")).status_code == 403
    client.logout()
    assert client.get(url(update, "update_check")).status_code == 302


def test_the_check_page_query_count_does_not_grow_with_objectives(
    client, lead, governance, django_assert_max_num_queries
):
    cycle, workstreams = big_plan(
        n_workstreams=1, n_objectives=12, n_cycles=2, lead=lead, governance=governance
    )
    update = load(WorkstreamUpdate.objects.get(cycle=cycle, workstream=workstreams[0]))
    client.force_login(lead)
    with django_assert_max_num_queries(45):
        html = _html(client.get(url(update, "update_check")))
    assert html.count(">Change<span") >= 12 + 4
