"""After a return, the review page shows who returned the update, when and why, and what the
leads changed since the version returned (not only since last quarter), from the update's
saved history, in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ics_portal.status import DeliveryStatus
from ics_portal.workflow import actions as workflow
from reporting import actions
from reporting.models import WorkstreamUpdate
from reporting.review import since_return

from .. import factories
from .support import load, submit, url


def _returned(update, lead, governance, comment="Say what slipped."):
    submitted = submit(update, lead, key_risks="<p>Supplier capacity.</p>")
    return workflow.return_for_changes(
        update=submitted, by=governance, comment=comment, sections=["plans"]
    )


def _resubmit(update, lead, **fields):
    update = type(update).objects.get(pk=update.pk)
    saved = actions.save_update(update=update, base_version=update.version, by=lead, fields=fields)
    return workflow.submit(update=saved, by=lead)


def _review_html(client, update) -> str:
    response = client.get(url(update, "update_review"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_page_shows_the_return_and_what_changed_since(client, lead, governance, update):
    _returned(update, lead, governance)
    _resubmit(
        update,
        lead,
        key_risks="<p>Supplier capacity and two practices paused.</p>",
        overall_status=DeliveryStatus.AT_RISK,
        status_explanation="Two practices paused.",
    )
    client.force_login(governance)
    html = _review_html(client, update)
    section = html[html.index('id="since-return"') : html.index("What changed since last quarter")]
    assert "Returned by Gus Governance on" in section
    assert "Say what slipped." in section
    assert "Sections asked to change: Plans for Q4 2021/22." in section
    # Key risks changed word by word; the unchanged plans are not repeated.
    assert "<ins> capacity and two practices paused.</ins>" in section
    assert (
        "Plans for Q4 2021/22"
        not in section.split("Sections asked to change")[1].split("</p>", 1)[1]
    )
    assert 'id="return-status-changes"' in section
    status_rows = section[section.index('id="return-status-changes"') :]
    assert "At risk" in status_rows.split("</tr>")[1]


def test_nothing_changed_since_the_return_is_said(client, lead, governance, update):
    _returned(update, lead, governance)
    _resubmit(update, lead)
    client.force_login(governance)
    html = _review_html(client, update)
    assert "Compared with the version returned: <strong>nothing has changed</strong>" in html
    assert "No text changed." in html


def test_a_linked_risk_removed_since_the_return_is_listed(client, lead, governance, plan, update):
    submitted = submit(update, lead, key_risks="<p>Supplier capacity.</p>")
    actions.save_update(
        update=WorkstreamUpdate.objects.get(pk=submitted.pk),
        base_version=submitted.version,
        by=governance,
        fields={},
        baf_risks=[plan.risk],
    )
    workflow.return_for_changes(
        update=WorkstreamUpdate.objects.get(pk=update.pk), by=governance, comment="Check risks."
    )
    update = WorkstreamUpdate.objects.get(pk=update.pk)
    saved = actions.save_update(
        update=update, base_version=update.version, by=lead, fields={}, baf_risks=[]
    )
    workflow.submit(update=saved, by=lead)
    version = since_return(load(update))
    assert [r.pk for r in version.comparison.risks_removed] == [plan.risk.pk]
    client.force_login(governance)
    assert 'id="return-link-changes"' in _review_html(client, update)


def test_an_objective_rewritten_since_the_return_is_diffed(client, lead, governance, plan, update):
    objective = plan.workstream.objectives.get(number=1)
    _returned(update, lead, governance)
    update = WorkstreamUpdate.objects.get(pk=update.pk)
    saved = actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={},
        objective_progress={objective.pk: "<p>Shared care record live in 40 practices.</p>"},
    )
    workflow.submit(update=saved, by=lead)
    comparison = since_return(load(update)).comparison
    [changed] = [t for t in comparison.texts if t.changed]
    assert changed.label == "Objective 1: Aim 1"
    assert changed.diff == "Shared care record<del> live.</del><ins> live in 40 practices.</ins>"


def test_a_golden_thread_update_is_compared_with_its_returned_version(
    lead, governance, thread_update
):
    _returned(thread_update, lead, governance)
    _resubmit(thread_update, lead, quarter_update="<p>Done, and the audit is booked.</p>")
    comparison = since_return(load(thread_update)).comparison
    assert [t.label for t in comparison.texts if t.changed] == ["Update for Q3 2021/22"]


def test_an_update_never_returned_shows_no_return(client, lead, governance, update):
    submit(update, lead)
    assert since_return(load(update)) is None
    client.force_login(governance)
    assert 'id="since-return"' not in _review_html(client, update)


RETURNED_REVIEW_PAGE_MAX = 23


def _review_queries(client, update) -> int:
    with CaptureQueriesContext(connection) as context:
        _review_html(client, update)
    return len(context.captured_queries)


def test_the_returned_version_adds_no_query_as_it_grows(client, lead, governance, plan, update):
    _returned(update, lead, governance)
    _resubmit(update, lead, key_risks="<p>Changed.</p>")
    client.force_login(governance)
    before = _review_queries(client, update)
    # Return it again after adding objectives and milestones to it and to its history.
    update = WorkstreamUpdate.objects.get(pk=update.pk)
    for number in (7, 8, 9):
        objective = factories.ObjectiveFactory(workstream=plan.workstream, number=number)
        milestone = factories.MilestoneFactory()
        plan.workstream.milestones.add(milestone)
        update.objective_progress.create(objective=objective, progress="<p>x</p>")
        update.milestone_progress.create(
            milestone=milestone, status=DeliveryStatus.ON_TRACK, note="Fine"
        )
    update = WorkstreamUpdate.objects.get(pk=update.pk)
    workflow.return_for_changes(update=update, by=governance, comment="Again.")
    _resubmit(update, lead, key_risks="<p>Changed again.</p>")
    assert _review_queries(client, update) == before
    # The page's own bound after a return: measured 20 (the plain review page's queries
    # plus the returned record, its objective rows, milestone rows and linked risks).
    assert before <= RETURNED_REVIEW_PAGE_MAX
