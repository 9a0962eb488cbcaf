"""No dead ends after a cycle closes: a lead cannot withdraw (or submit) once the cycle is
closed, unless governance reopened the cycle or gave the update an extension; governance can
reopen a closed cycle, give one update or risk review an extension, and send an approved but
unpublished one back to its leads. Each with a required reason, audited."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from ics_portal.models import AuditEvent, ReportingCycle
from ics_portal.permissions import has_permission, refusal
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, SubmissionInvalid
from packs.models import BoardPack
from reporting import actions
from reporting.models import WorkstreamUpdate
from risks.models import RiskReview

from .. import factories
from ..updates.support import approve, submit


@pytest.fixture
def review(plan, lead):
    """The Q3 review of risk 07, owned by the lead."""
    plan.risk.owner = lead
    plan.risk.save()
    return RiskReview.objects.get(risk=plan.risk, cycle=plan.cycle)


def _close(cycle, governance):
    return actions.close_cycle(cycle=cycle, by=governance)


# --- seen: withdraw after the cycle closes left a draft nobody could move ---------------------


@pytest.mark.parametrize("kind", ["workstream", "thread"])
def test_a_lead_cannot_withdraw_after_the_cycle_closes(request, kind, lead, governance, plan):
    target = request.getfixturevalue("update" if kind == "workstream" else "thread_update")
    submitted = submit(target, lead)
    _close(plan.cycle, governance)
    submitted = type(submitted).objects.get(pk=submitted.pk)
    assert not has_permission(lead, "update.withdraw", submitted)
    with pytest.raises(ActionError, match="closed"):
        workflow.withdraw(update=submitted, by=lead)
    submitted.refresh_from_db()
    assert submitted.state == WorkflowState.SUBMITTED
    # ...so governance can still review it after the deadline.
    assert has_permission(governance, "update.review", submitted)
    assert workflow.approve(update=submitted, by=governance).state == WorkflowState.APPROVED


def test_an_owner_cannot_withdraw_a_risk_review_after_the_cycle_closes(
    lead, governance, plan, review
):
    submitted = workflow.submit(update=review, by=lead)
    _close(plan.cycle, governance)
    submitted = RiskReview.objects.get(pk=submitted.pk)
    assert not has_permission(lead, "update.withdraw", submitted)
    with pytest.raises(ActionError, match="closed"):
        workflow.withdraw(update=submitted, by=lead)
    submitted.refresh_from_db()
    assert submitted.state == WorkflowState.SUBMITTED
    accepted = workflow.approve(update=submitted, by=governance)
    assert accepted.state == WorkflowState.APPROVED


TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_a_lead_cannot_submit_after_the_cycle_closes_and_is_told_what_to_do(
    lead, governance, plan, update
):
    _close(plan.cycle, governance)
    update = _fresh(update)
    assert not has_permission(lead, "update.submit", update)
    assert not has_permission(lead, "update.edit", update)
    why = refusal(lead, "update.edit", update)
    assert "Q3 2021/22 reporting cycle is closed" in why
    assert "ask the governance team to reopen it" in why
    with pytest.raises(ActionError, match="ask the governance team to reopen it"):
        workflow.submit(update=update, by=lead)
    # Governance may still correct it (audited) while the cycle is closed, but not submit it.
    assert has_permission(governance, "update.edit", update)
    assert not has_permission(governance, "update.submit", update)


# --- reopening a closed cycle -----------------------------------------------------------------


def test_reopening_a_cycle_needs_a_reason_and_a_closed_cycle(governance, plan):
    with pytest.raises(ActionError, match="Only a closed cycle can be reopened; this one is open"):
        actions.reopen_cycle(cycle=plan.cycle, by=governance, reason="Late papers")
    _close(plan.cycle, governance)
    with pytest.raises(SubmissionInvalid) as refused:
        actions.reopen_cycle(
            cycle=plan.cycle, by=governance, reason="  ", submission_deadline=TODAY() - DAY
        )
    assert refused.value.errors == {
        "reason": "Enter why the cycle is being reopened",
        "submission_deadline": "The new submission deadline must be today or later",
    }
    assert _fresh(plan.cycle).status == ReportingCycle.Status.CLOSED
    assert not AuditEvent.objects.filter(verb="cycle.reopen").exists()


def test_reopening_a_cycle_lets_leads_submit_again_audits_and_emails_who_still_owes(
    lead, other_lead, governance, plan, update, thread_update, django_capture_on_commit_callbacks
):
    approve(thread_update, lead, governance)
    _close(plan.cycle, governance)
    new_deadline = plan.cycle.review_deadline + 3 * DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cycle = actions.reopen_cycle(
            cycle=plan.cycle,
            by=governance,
            reason="The board meeting moved to February.",
            submission_deadline=new_deadline,
        )
    assert cycle.status == ReportingCycle.Status.OPEN
    assert cycle.submission_deadline == new_deadline
    assert cycle.review_deadline == new_deadline  # never before the submission deadline
    event = AuditEvent.objects.get(verb="cycle.reopen")
    assert event.comment == "The board meeting moved to February."
    assert event.before["status"] == "CLOSED" and event.after["status"] == "OPEN"
    assert event.after["submission_deadline"] == new_deadline.isoformat()
    by_person = {tuple(m.to): m for m in mail.outbox}
    assert set(by_person) == {(lead.email,), (other_lead.email,)}
    message = by_person[(lead.email,)]
    assert message.subject == f"Q3 2021/22 reopened: please submit by {new_deadline:%-d %B %Y}"
    assert "The board meeting moved to February." in message.body
    assert "Workstream: DIGITAL (lead)" in message.body
    assert "Health inequalities" not in message.body  # approved: nothing owed
    assert has_permission(lead, "update.submit", _fresh(update))
    assert not has_permission(lead, "update.edit", _fresh(thread_update))  # approved stays locked


# --- an extension for one update --------------------------------------------------------------


def test_an_extension_lets_the_leads_submit_one_update_while_the_cycle_stays_closed(
    lead, other_lead, governance, plan, update, django_capture_on_commit_callbacks
):
    _close(plan.cycle, governance)
    until = TODAY() + 7 * DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        extended = workflow.extend(
            update=_fresh(update), by=governance, until=until, reason="Lead was on leave."
        )
    assert extended.extended_until == until and extended.has_extension
    assert extended.extension_reason == "Lead was on leave." and extended.extended_by == governance
    event = AuditEvent.objects.get(verb="update.extend")
    assert (
        event.comment == "Lead was on leave." and event.after["extended_until"] == until.isoformat()
    )
    [message] = mail.outbox
    assert message.to == [lead.email]
    assert (
        message.subject
        == f"Extension to {until:%-d %B %Y}: your Q3 2021/22 update for Workstream: DIGITAL"
    )
    assert _fresh(plan.cycle).status == ReportingCycle.Status.CLOSED
    other = WorkstreamUpdate.objects.get(cycle=plan.cycle, workstream=plan.other)
    assert not has_permission(other_lead, "update.edit", other)  # only this update
    extended = _fresh(extended)
    assert has_permission(lead, "update.edit", extended)
    submitted = submit(extended, lead)
    assert submitted.state == WorkflowState.SUBMITTED
    # While the extension lasts the lead may still take it back; approval ends the extension.
    assert has_permission(lead, "update.withdraw", _fresh(submitted))
    approved = workflow.approve(update=_fresh(submitted), by=governance)
    assert approved.extended_until is None and approved.extension_reason == ""


def test_an_extension_needs_a_reason_a_date_a_closed_cycle_and_an_unsubmitted_update(
    lead, governance, plan, update
):
    with pytest.raises(SubmissionInvalid) as refused:
        workflow.extend(update=update, by=governance, until=TODAY() - DAY, reason="")
    assert refused.value.errors == {
        "reason": "Enter why the extension is being given",
        "extended_until": "The date the leads have until must be today or later",
    }
    with pytest.raises(ActionError, match="cycle is open, so the leads can still submit"):
        workflow.extend(update=update, by=governance, until=TODAY(), reason="Leave")
    submitted = submit(update, lead)
    _close(plan.cycle, governance)
    with pytest.raises(ActionError, match="not been submitted.*this one is submitted"):
        workflow.extend(update=_fresh(submitted), by=governance, until=TODAY(), reason="x")
    assert not AuditEvent.objects.filter(verb="update.extend").exists()


def test_an_ended_extension_shuts_the_leads_window_again(lead, governance, plan, update):
    _close(plan.cycle, governance)
    workflow.extend(update=update, by=governance, until=TODAY(), reason="Leave")
    assert has_permission(lead, "update.submit", _fresh(update))  # to the end of the day
    WorkstreamUpdate.objects.filter(pk=update.pk).update(extended_until=TODAY() - DAY)
    ended = _fresh(update)
    assert not ended.has_extension
    assert not has_permission(lead, "update.submit", ended)
    assert "Your extension ended on" in refusal(lead, "update.submit", ended)
    with pytest.raises(ActionError, match="Your extension ended on"):
        workflow.submit(update=ended, by=lead)
    # ...and governance can give another.
    assert has_permission(governance, "update.extend", ended)


# --- returning and reopening after the deadline -----------------------------------------------


def test_returning_in_a_closed_cycle_gives_the_lead_a_date_to_resubmit_by(
    lead, governance, plan, update, django_capture_on_commit_callbacks
):
    submitted = submit(update, lead)
    _close(plan.cycle, governance)
    with pytest.raises(SubmissionInvalid) as refused:
        workflow.return_for_changes(
            update=_fresh(submitted), by=governance, comment="Add the figures"
        )
    assert refused.value.errors == {
        "extended_until": "The cycle is closed: enter the date the leads have until to submit it"
    }
    until = TODAY() + 3 * DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        returned = workflow.return_for_changes(
            update=_fresh(submitted), by=governance, comment="Add the figures", extended_until=until
        )
    assert returned.state == WorkflowState.RETURNED and returned.extended_until == until
    assert AuditEvent.objects.get(verb="update.return").after["extended_until"] == until.isoformat()
    [message] = mail.outbox
    assert f"submit it again by {until:%A %-d %B %Y}" in message.body
    assert has_permission(lead, "update.submit", _fresh(returned))


def test_reopening_an_approved_update_sends_it_back_to_its_leads(
    lead, governance, plan, update, django_capture_on_commit_callbacks
):
    approved = approve(update, lead, governance)
    with pytest.raises(SubmissionInvalid, match="Enter why the approved update is being reopened"):
        workflow.reopen(update=approved, by=governance, reason=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reopened = workflow.reopen(
            update=_fresh(approved), by=governance, reason="The finance figures were revised."
        )
    assert reopened.state == WorkflowState.RETURNED
    assert reopened.review_comment == "The finance figures were revised."
    assert reopened.approved_at is None and reopened.approved_by is None
    assert reopened.extended_until is None  # the cycle is open: no date needed
    event = AuditEvent.objects.get(verb="update.reopen")
    assert event.before["state"] == "APPROVED" and event.before["approved_by"] == "Gus Governance"
    assert event.comment == "The finance figures were revised."
    [message] = mail.outbox
    assert message.subject == "Reopened: your Q3 2021/22 update for Workstream: DIGITAL"
    assert "has been reopened by the governance team" in message.body
    assert has_permission(lead, "update.submit", _fresh(reopened))


def test_reopening_in_a_closed_cycle_needs_a_date_and_discards_generated_packs(
    lead, governance, plan, update, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    approved = approve(update, lead, governance)
    _close(plan.cycle, governance)
    pack = factories.BoardPackFactory(
        cycle=plan.cycle, state=BoardPack.State.READY, draft_html="<h1>Q3</h1>", draft_sha256="0"
    )
    with pytest.raises(SubmissionInvalid, match="enter the date the leads have until"):
        workflow.reopen(update=_fresh(approved), by=governance, reason="Figures revised")
    until = TODAY() + 2 * DAY
    reopened = workflow.reopen(
        update=_fresh(approved), by=governance, reason="Figures revised", extended_until=until
    )
    assert reopened.state == WorkflowState.RETURNED and reopened.extended_until == until
    assert has_permission(lead, "update.submit", _fresh(reopened))
    pack.refresh_from_db()
    assert pack.state == BoardPack.State.DRAFT and pack.draft_html == ""
    assert AuditEvent.objects.get(verb="update.reopen").after["board_pack_drafts_discarded"] == 1


def test_a_published_update_cannot_be_reopened(lead, governance, plan, update):
    approve(update, lead, governance)
    WorkstreamUpdate.objects.filter(pk=update.pk).update(state=WorkflowState.PUBLISHED)
    published = _fresh(update)
    assert not has_permission(governance, "update.reopen", published)
    assert "published board pack" in refusal(governance, "update.reopen", published)
    with pytest.raises(ActionError, match="published board pack, so it is locked for good"):
        workflow.reopen(update=published, by=governance, reason="Typo")


def test_nothing_moves_in_a_draft_cycle(lead, governance, plan, update):
    submitted = submit(update, lead)
    ReportingCycle.objects.filter(pk=plan.cycle.pk).update(status="DRAFT")
    submitted = _fresh(submitted)
    for perm in ("update.edit", "update.withdraw", "update.review", "update.extend"):
        for person in (lead, governance):
            assert not has_permission(person, perm, submitted), (perm, person)
    for attempt in (
        lambda: workflow.withdraw(update=submitted, by=lead),
        lambda: workflow.approve(update=submitted, by=governance),
        lambda: workflow.return_for_changes(
            update=submitted, by=governance, comment="x", extended_until=TODAY()
        ),
    ):
        with pytest.raises(ActionError):
            attempt()


def test_a_published_cycle_still_reviews_what_missed_the_pack_but_cannot_be_reopened(
    lead, governance, plan, update
):
    """Publishing the pack publishes the cycle (issue 10); what was not approved in time is
    not stranded: governance reviews it or gives it an extension, as in a closed cycle."""
    submitted = submit(update, lead)
    _close(plan.cycle, governance)
    ReportingCycle.objects.filter(pk=plan.cycle.pk).update(status="PUBLISHED")
    submitted = _fresh(submitted)
    assert has_permission(governance, "update.review", submitted)
    assert not has_permission(lead, "update.withdraw", submitted)
    returned = workflow.return_for_changes(
        update=submitted, by=governance, comment="Add the figures", extended_until=TODAY()
    )
    assert returned.state == WorkflowState.RETURNED and returned.has_extension
    assert has_permission(lead, "update.submit", _fresh(returned))
    again = workflow.submit(update=_fresh(returned), by=lead)
    assert workflow.approve(update=again, by=governance).state == WorkflowState.APPROVED
    cycle = ReportingCycle.objects.get(pk=plan.cycle.pk)
    assert not has_permission(governance, "cycle.reopen", cycle)
    with pytest.raises(ActionError, match="board pack has been published"):
        actions.reopen_cycle(cycle=cycle, by=governance, reason="Late figures")


# --- risk reviews share the rules -------------------------------------------------------------


def test_a_risk_review_gets_an_extension_and_an_accepted_one_is_reopened(
    lead, governance, plan, review, django_capture_on_commit_callbacks
):
    _close(plan.cycle, governance)
    until = TODAY() + DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        extended = workflow.extend(
            update=_fresh(review), by=governance, until=until, reason="Owner was on leave"
        )
    [message] = mail.outbox
    assert message.subject.startswith(f"Extension to {until:%-d %B %Y}: your Q3 2021/22 review")
    accepted = workflow.approve(
        update=workflow.submit(update=_fresh(extended), by=lead), by=governance
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reopened = workflow.reopen(
            update=_fresh(accepted), by=governance, reason="Score disputed", extended_until=until
        )
    assert reopened.state == WorkflowState.RETURNED and reopened.has_extension
    [message] = mail.outbox
    assert message.subject == "Reopened: your Q3 2021/22 review of BAF risk 07"
    assert "The risk keeps the scores" in message.body
    assert has_permission(lead, "update.submit", _fresh(reopened))
