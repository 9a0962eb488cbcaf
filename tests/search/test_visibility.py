"""Only what the reader may see is searched (issue 15): another lead's drafts never appear; a
board member finds approved and published text only; governance finds everything; someone
with no role finds the plan; someone signed out is sent to sign in. The filter agrees with the
permission rule (Perm.UPDATE_VIEW, Perm.RISK_VIEW) for every role and state."""

import pytest
from django.urls import reverse

from ics_portal.permissions import Perm, has_permission
from ics_portal.status import WorkflowState
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from reporting.search_query import visible_documents
from risks.models import BAFRisk, RiskReview

from .support import search, titles

pytestmark = pytest.mark.django_db

EVERYTHING = {
    "DIGITAL: Q1 2021/22 update",  # published, led by `lead`
    "DIGITAL: Q2 2021/22 update",  # draft, led by `lead`
    "Golden thread: Health inequalities: Q1 2021/22 update",  # submitted, led by `lead`
    "DIGITAL objective 1",
    "Telehealth contract signed",
    "BAF risk 07 review, Q1 2021/22: Change and uncertainty",  # approved, owned by `lead`
}


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(reverse("search"), {"q": "telehealth"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_governance_finds_everything(client, governance, world):
    assert set(titles(search(client, governance, "telehealth"))) == EVERYTHING
    assert "WORKFORCE: Q2 2021/22 update" in titles(search(client, governance, "platypus"))


def test_a_lead_finds_their_own_drafts(client, lead, world):
    assert set(titles(search(client, lead, "telehealth"))) == EVERYTHING
    assert titles(search(client, lead, "zebrafish")) == ["DIGITAL: Q2 2021/22 update"]


def test_another_leads_drafts_never_appear(client, lead, other_lead, world):
    assert titles(search(client, lead, "platypus")) == []
    assert titles(search(client, lead, "walrus")) == []  # another owner's draft risk review
    assert titles(search(client, other_lead, "zebrafish")) == []
    assert titles(search(client, other_lead, "platypus")) == ["WORKFORCE: Q2 2021/22 update"]
    # Nor a hint of them: the count is of what the reader may see.
    assert "0 results" in search(client, other_lead, "zebrafish")


def test_a_board_member_finds_approved_and_published_text_only(client, board_member, world):
    assert set(titles(search(client, board_member, "telehealth"))) == {
        "DIGITAL: Q1 2021/22 update",  # published
        "DIGITAL objective 1",
        "Telehealth contract signed",
        "BAF risk 07 review, Q1 2021/22: Change and uncertainty",  # approved
    }
    assert titles(search(client, board_member, "recruitment")) == ["WORKFORCE: Q1 2021/22 update"]
    for draft_word in ("zebrafish", "platypus", "walrus"):
        assert titles(search(client, board_member, draft_word)) == []
    assert titles(search(client, board_member, "cyberattack")) == [
        "BAF risk 07: Change and uncertainty"
    ]


def test_someone_with_no_role_finds_the_plan_but_not_the_bafs_or_updates(client, outsider, world):
    assert set(titles(search(client, outsider, "telehealth"))) == {
        "DIGITAL objective 1",
        "Telehealth contract signed",
    }
    assert titles(search(client, outsider, "cyberattack")) == []


@pytest.mark.parametrize(
    "state",
    [
        WorkflowState.NOT_STARTED,
        WorkflowState.DRAFT,
        WorkflowState.SUBMITTED,
        WorkflowState.RETURNED,
        WorkflowState.APPROVED,
        WorkflowState.PUBLISHED,
    ],
)
def test_the_filter_agrees_with_the_permission_rule(
    world, lead, other_lead, board_member, governance, outsider, superuser, state
):
    """Every reviewed item in `state`, for every role: findable exactly when Perm.UPDATE_VIEW
    allows it; every risk exactly when Perm.RISK_VIEW does."""
    extra = {"review_comment": "Please add figures."} if state == WorkflowState.RETURNED else {}
    if state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED):
        extra = {"approved_at": world.q1.created_at, "approved_by": governance}
    items = [
        *WorkstreamUpdate.objects.all(),
        *GoldenThreadUpdate.objects.all(),
        *RiskReview.objects.all(),
    ]
    for item in items:
        for name, value in {"state": state, "review_comment": "", **extra}.items():
            setattr(item, name, value)
        if state not in (WorkflowState.APPROVED, WorkflowState.PUBLISHED):
            item.approved_at = item.approved_by = None
        item.save()
    kinds = {WorkstreamUpdate: "workstream_update", GoldenThreadUpdate: "thread_update"}
    for user in (lead, other_lead, board_member, governance, outsider, superuser):
        visible = set(visible_documents(user).values_list("kind", "object_id"))
        for item in items:
            kind = kinds.get(type(item), "risk_review")
            expected = has_permission(user, Perm.UPDATE_VIEW, item)
            assert ((kind, item.pk) in visible) == expected, (user, item, state)
        for risk in BAFRisk.objects.all():
            expected = has_permission(user, Perm.RISK_VIEW, risk)
            assert (("risk", risk.pk) in visible) == expected, (user, risk)
