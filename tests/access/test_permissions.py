import pytest

from ics_portal.models import ReportingCycle
from ics_portal.permissions import has_permission
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import actions as workflow

from .. import factories


@pytest.fixture
def update(lead, other_lead):
    workstream = factories.WorkstreamFactory()
    workstream.leads.add(lead)
    factories.WorkstreamFactory().leads.add(other_lead)
    return factories.WorkstreamUpdateFactory(workstream=workstream)


def test_lead_edits_own_update_while_cycle_open(update, lead):
    assert has_permission(lead, "update.view", update)
    assert has_permission(lead, "update.edit", update)
    assert has_permission(lead, "update.submit", update)


def test_deputy_counts_as_lead(update, outsider):
    update.workstream.deputies.add(outsider)
    assert has_permission(outsider, "update.edit", update)


def test_other_lead_cannot_see_update(update, other_lead):
    assert not has_permission(other_lead, "update.view", update)
    assert not has_permission(other_lead, "update.edit", update)


def test_outsider_and_anonymous_see_nothing(update, outsider):
    from django.contrib.auth.models import AnonymousUser

    for person in (outsider, AnonymousUser()):
        assert not has_permission(person, "update.view", update)
        assert not has_permission(person, "risk.view")


def test_board_member_reads_only_approved(update, board_member, governance, lead):
    assert not has_permission(board_member, "update.view", update)
    update.overall_status = update.forecast_status = DeliveryStatus.ON_TRACK
    update.nothing_to_escalate = True
    update.save()
    workflow.submit(update=update, by=lead)
    workflow.approve(update=update, by=governance)
    update.refresh_from_db()
    assert has_permission(board_member, "update.view", update)
    assert not has_permission(board_member, "update.edit", update)


def test_lead_cannot_edit_when_cycle_closed(update, lead):
    ReportingCycle.objects.filter(pk=update.cycle_id).update(status=ReportingCycle.Status.CLOSED)
    update.refresh_from_db()
    assert has_permission(lead, "update.view", update)
    assert not has_permission(lead, "update.edit", update)


def test_approved_update_is_locked_for_everyone(update, lead, governance, superuser):
    update.state = WorkflowState.APPROVED
    update.approved_by = governance
    from django.utils import timezone

    update.approved_at = timezone.now()
    update.save()
    for person in (lead, governance, superuser):
        assert not has_permission(person, "update.edit", update)


def test_governance_reviews_only_submitted(update, governance, lead):
    assert not has_permission(governance, "update.review", update)
    update.state = WorkflowState.SUBMITTED
    assert has_permission(governance, "update.review", update)
    assert not has_permission(lead, "update.review", update)
    assert has_permission(lead, "update.withdraw", update)


def test_unknown_permission_is_an_error(lead):
    with pytest.raises(KeyError):
        has_permission(lead, "update.teleport")
