"""A returned update names the sections the reviewer wants changed: governance ticks them on
the review page, the action checks and stores them (and audits them), the email lists them,
and the lead sees them listed at the top of the update and marked at each field until the
update is submitted again."""

import re

import pytest
from django.core import mail

from ics_portal.models import AuditEvent
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import SubmissionInvalid
from reporting.review import review_sections

from .support import form_data, load, submit, url


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _objective(plan, number: int):
    return plan.workstream.objectives.get(number=number)


def test_each_kind_of_update_lists_its_sections_with_the_real_quarter_names(update, thread_update):
    assert [(s.key, s.label) for s in review_sections(load(update))] == [
        ("objective-1", "Objective 1: Aim 1"),
        ("objective-2", "Objective 2: Aim 2"),
        ("milestones", "Key milestones and critical path"),
        ("status", "Status"),
        ("plans", "Plans for Q4 2021/22"),
        ("risks", "Key risks and issues"),
    ]
    assert [(s.key, s.label) for s in review_sections(load(thread_update))] == [
        ("update", "Update for Q3 2021/22"),
        ("plans", "Plans for Q4 2021/22"),
        ("risks", "Key risks"),
    ]


def test_an_unknown_section_is_refused_and_nothing_is_saved(lead, governance, update):
    submitted = submit(update, lead)
    with pytest.raises(SubmissionInvalid) as error:
        workflow.return_for_changes(
            update=submitted, by=governance, comment="Fix it.", sections=["plans", "budget"]
        )
    assert error.value.errors == {
        "sections": "This update has no section 'budget'; its sections are: objective-1, "
        "objective-2, milestones, status, plans, risks"
    }
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED and update.returned_sections == []
    assert not AuditEvent.objects.filter(verb="update.return").exists()


def test_sections_are_stored_in_form_order_audited_and_emailed(
    lead, governance, plan, update, django_capture_on_commit_callbacks
):
    submitted = submit(update, lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_changes(
            update=submitted,
            by=governance,
            comment="Say what slipped.",
            sections=["risks", "objective-2", "risks"],
        )
    update.refresh_from_db()
    assert update.state == WorkflowState.RETURNED
    assert update.returned_sections == ["objective-2", "risks"]
    event = AuditEvent.objects.get(verb="update.return", object_id=str(update.pk))
    assert event.after == {"state": "RETURNED", "sections": ["objective-2", "risks"]}
    [message] = mail.outbox
    assert (
        "The sections they asked you to change:\n- Objective 2: Aim 2\n- Key risks and issues"
        in (message.body)
    )
    html = message.alternatives[0][0]
    assert "<li>Objective 2: Aim 2</li><li>Key risks and issues</li>" in html


def test_returning_without_sections_still_works(lead, governance, update):
    returned = workflow.return_for_changes(
        update=submit(update, lead), by=governance, comment="Say what slipped."
    )
    assert returned.returned_sections == []


def test_governance_ticks_sections_on_the_review_page(client, lead, governance, plan, update):
    submit(update, lead)
    client.force_login(governance)
    html = _html(client.get(url(update, "update_review")))
    form = html[html.index('action="' + url(update, "update_decide")) :]
    assert "Which sections need changing? (optional)" in form
    assert form.index("Which sections need changing?") < form.index(
        "Why are you returning this update?"
    )
    assert 'type="checkbox" value="objective-1"' in form
    assert (
        '<label class="nhsuk-label nhsuk-checkboxes__label" for="id_sections_4">Plans for Q4 2021/22'
        in (form)
    )
    response = client.post(
        url(update, "update_return"),
        {"comment": "Say what slipped.", "sections": ["objective-1", "status"]},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.returned_sections == ["objective-1", "status"]


def test_a_refused_return_keeps_the_ticks_and_says_why(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    html = _html(client.post(url(update, "update_return"), {"sections": ["plans"]}))
    assert "Enter why you are returning this update" in html
    assert 'value="plans" checked' in html
    # A key that is not one of the choices is refused by the form.
    html = _html(
        client.post(url(update, "update_return"), {"comment": "Fix.", "sections": ["budget"]})
    )
    assert "Select a valid choice" in html
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED


def test_only_governance_can_return(client, lead, other_lead, board_member, update):
    submit(update, lead)
    post = {"comment": "Fix.", "sections": ["plans"]}
    client.force_login(lead)
    assert client.post(url(update, "update_return"), post).status_code == 403
    for person in (other_lead, board_member):
        client.force_login(person)
        assert client.post(url(update, "update_return"), post).status_code == 404
    client.logout()
    assert client.post(url(update, "update_return"), post).status_code == 302  # to sign in
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED and update.returned_sections == []


def test_the_lead_sees_the_sections_at_the_top_and_at_each_field(
    client, lead, governance, plan, update
):
    objective = _objective(plan, 2)
    workflow.return_for_changes(
        update=submit(update, lead),
        by=governance,
        comment="Say what slipped.",
        sections=["objective-2", "status", "plans"],
    )
    client.force_login(lead)
    html = _html(client.get(url(update, "update_edit")))
    top = re.search(r'id="review-comments">(.*?)</div>', html, re.S)[1]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', top)
    assert links == [
        (f"#id_objective_{objective.pk}", "Objective 2: Aim 2"),
        ("#id_overall_status_0", "Status"),
        ("#id_next_quarter_plans", "Plans for Q4 2021/22"),
    ]
    # Each section is marked, and its fields are described by the mark.
    assert html.count("The reviewer asked for changes here") == 3
    for key in ("objective-2", "status", "plans"):
        assert f'id="returned-{key}"' in html
    widget = re.search(rf'<textarea[^>]*id="id_objective_{objective.pk}"[^>]*>', html)[0]
    assert 'aria-describedby="returned-objective-2' in widget
    other = re.search(rf'<textarea[^>]*id="id_objective_{_objective(plan, 1).pk}"[^>]*>', html)[0]
    assert "returned-" not in other
    assert re.search(r'<fieldset class="nhsuk-fieldset" aria-describedby="returned-status', html)
    assert re.search(
        r'<textarea[^>]*aria-describedby="returned-status [^>]*id="id_status_expl', html
    )
    assert 'aria-describedby="returned-risks' not in html
    # The update's page lists them too, linking to the fields on the form.
    html = _html(client.get(url(update)))
    top = re.search(r'id="review-comments">(.*?)</div>', html, re.S)[1]
    assert f'href="{url(update, "update_edit")}#id_next_quarter_plans">Plans for Q4 2021/22' in top
    assert html.count("The reviewer asked for changes here") == 3


def test_a_golden_thread_update_is_marked_the_same_way(client, lead, governance, thread_update):
    workflow.return_for_changes(
        update=submit(thread_update, lead),
        by=governance,
        comment="Name the dashboard.",
        sections=["update"],
    )
    client.force_login(lead)
    html = _html(client.get(url(thread_update, "update_edit")))
    assert '<a href="#id_quarter_update">Update for Q3 2021/22</a>' in html
    assert 'id="returned-update"' in html
    assert re.search(
        r'<textarea[^>]*aria-describedby="returned-update [^>]*id="id_quarter_upd', html
    )


def test_the_marks_go_when_the_update_is_submitted_again(client, lead, governance, plan, update):
    workflow.return_for_changes(
        update=submit(update, lead),
        by=governance,
        comment="Say what slipped.",
        sections=["plans"],
    )
    client.force_login(lead)
    # Saving a draft keeps them: the update is still returned.
    client.post(url(update, "update_edit"), form_data(update))
    html = _html(client.get(url(update, "update_edit")))
    assert "The reviewer asked for changes here" in html
    response = client.post(url(update, "update_submit"), form_data(update))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED and update.returned_sections == []
    client.force_login(governance)
    html = _html(client.get(url(update)))
    assert "The reviewer asked for changes here" not in html
    assert 'id="sections-to-change"' not in html
