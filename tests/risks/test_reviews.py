"""Quarterly risk reviews through the shared update workflow: the owner reviews and submits,
governance accepts (the risk takes the scores) or returns with a comment; stale saves are
refused; and the same permission rules as updates."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from ics_portal.models import AuditEvent, ReportingCycle
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, StaleUpdateError, SubmissionInvalid
from reporting import actions as reporting_actions
from risks import actions
from risks.models import RiskBand, RiskMatrix, RiskReview
from risks.presenters import risk_reviews_owed_by_person

from .. import factories
from .support import cycle_for, run_quarter


@pytest.fixture
def risk(lead):
    return factories.BAFRiskFactory(
        reference="07",
        title="Change and uncertainty",
        owner=lead,
        rationale="<p>Relationships are still forming.</p>",
    )


@pytest.fixture
def history(risk, governance):
    """Q2 2021/22 accepted at 3×4; Q3 2021/22 open with the risk's review not started."""
    run_quarter(cycle_for(2021, 2), {risk: (3, 4)}, governance=governance)
    q3 = cycle_for(2021, 3, status=ReportingCycle.Status.DRAFT)
    reporting_actions.open_cycle(cycle=q3, by=governance)  # opens the risk reviews too
    return q3


@pytest.fixture
def review(history, risk):
    return RiskReview.objects.get(risk=risk, cycle=history)


def url(review, name="risks:review") -> str:
    return reverse(name, kwargs={"pk": review.pk})


def _post(review, **fields) -> dict:
    data = {
        "version": review.version,
        "likelihood": review.likelihood,
        "consequence": review.consequence,
        "target_likelihood": review.target_likelihood,
        "target_consequence": review.target_consequence,
        "rationale": review.rationale,
        "controls": review.controls,
        "assurances": review.assurances,
        "gaps_in_control": review.gaps_in_control,
        "gaps_in_assurance": review.gaps_in_assurance,
        "mitigating_actions": review.mitigating_actions,
    }
    data.update(fields)
    return data


def test_opening_a_cycle_gives_each_open_risk_a_prefilled_review(risk, history, review):
    assert review.state == WorkflowState.NOT_STARTED
    assert (review.likelihood, review.consequence) == (3, 4)
    assert review.rationale == "<p>Q2 2021/22: scored 3×4.</p>"  # last accepted text
    assert review.matrix == RiskMatrix.objects.current()


def test_the_owner_is_emailed_the_reviews_due(
    risk, governance, lead, django_capture_on_commit_callbacks
):
    cycle = cycle_for(2021, 3)
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_risk_reviews(cycle=cycle, by=governance)
    [message] = [m for m in mail.outbox if "risk review" in m.subject]
    assert message.to == [lead.email]
    assert "Q3 2021/22: 1 BAF risk review due by" in message.subject
    assert "Risk 07: Change and uncertainty" in message.body
    assert reverse("risks:review", kwargs={"pk": risk.reviews.get().pk}) in message.body


def test_reminder_run_finds_what_each_owner_still_owes(
    risk, other_lead, governance, lead, django_capture_on_commit_callbacks
):
    other = factories.BAFRiskFactory(reference="12", owner=other_lead)
    unowned = factories.BAFRiskFactory(reference="21")
    cycle = cycle_for(2021, 3)
    actions.open_risk_reviews(cycle=cycle, by=governance)
    done = other.reviews.get()
    workflow.submit(update=done, by=other_lead)
    owed = risk_reviews_owed_by_person(cycle)
    assert {person: [r.risk.reference for r in reviews] for person, reviews in owed.items()} == {
        lead: ["07"]
    }
    assert unowned.reviews.exists()  # it has a review, but no one to remind
    mail.outbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)  # the hourly run; the deadline has passed
    assert "1 reminder sent." in out.getvalue()
    [message] = mail.outbox
    assert message.subject.startswith("Overdue: 1 BAF risk review for Q3 2021/22")
    assert message.to == [lead.email]


def test_the_owner_sees_their_reviews_and_others_do_not(client, lead, other_lead, review):
    client.force_login(lead)
    html = client.get(reverse("risks:reviews")).content.decode()
    assert url(review) in html and "My risk reviews" in html
    client.force_login(other_lead)
    html = client.get(reverse("risks:reviews")).content.decode()
    assert url(review) not in html
    assert "You have no risk reviews in an open reporting cycle." in html


def test_governance_sees_every_open_review(client, governance, review):
    client.force_login(governance)
    html = client.get(reverse("risks:reviews")).content.decode()
    assert "All risk reviews in open cycles" in html and url(review) in html


def test_the_owner_saves_a_draft(client, lead, review):
    client.force_login(lead)
    form = client.get(url(review)).content.decode()
    assert 'name="version" value="1"' in form
    assert re.search(r'<select name="likelihood"[^>]*>', form)
    response = client.post(url(review), _post(review, likelihood=4, action="save"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == WorkflowState.DRAFT and review.likelihood == 4
    assert review.version == 2
    # Audited as what it is: a risk review's save, not an update's (issue 10).
    saves = AuditEvent.objects.filter(object_type="risks.RiskReview", object_id=str(review.pk))
    assert list(saves.values_list("verb", flat=True)) == ["risk_review.save"]


def test_a_changed_score_needs_a_new_rationale(client, lead, review):
    client.force_login(lead)
    response = client.post(url(review), _post(review, likelihood=4, action="submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The score changed from 12 (3×4) to 16 (4×4): update the rationale" in html
    review.refresh_from_db()
    assert review.state == WorkflowState.DRAFT  # saved, not submitted
    response = client.post(url(review), _post(review, likelihood=4, rationale="", action="submit"))
    assert "explain why in the rationale" in response.content.decode()


def test_an_unchanged_score_submits_with_last_quarters_rationale(client, lead, review):
    client.force_login(lead)
    response = client.post(url(review), _post(review, action="submit"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == WorkflowState.SUBMITTED


def test_review_submit_accept_updates_the_risk_and_the_register_arrow(
    client, lead, governance, board_member, risk, review
):
    client.force_login(lead)
    response = client.post(
        url(review),
        _post(
            review,
            likelihood=4,
            rationale="<p>Two senior leaders left in October.</p>",
            controls="<ul><li>Interim cover agreed</li></ul>",
            action="submit",
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == WorkflowState.SUBMITTED
    # The owner may not accept their own review.
    assert client.post(url(review, "risks:review_accept")).status_code == 403

    client.force_login(governance)
    page = client.get(url(review)).content.decode()
    assert ">Accept</label>" in page and "Return to the owner" in page
    # Choosing "Accept" asks to confirm first, saying what accepting changes.
    response = client.post(url(review, "risks:review_decide"), {"decision": "approve"})
    assert response["Location"] == url(review, "risks:review_accept")
    review.refresh_from_db()
    assert review.state == WorkflowState.SUBMITTED
    confirm = client.get(url(review, "risks:review_accept")).content.decode()
    assert "current score becomes" in confirm and "16 (4×4)" in confirm
    response = client.post(url(review, "risks:review_accept"))
    assert response.status_code == 302
    review.refresh_from_db()
    risk.refresh_from_db()
    assert review.state == WorkflowState.APPROVED
    assert risk.current_score.label == "16 (4×4) Extreme"
    assert risk.rationale == "<p>Two senior leaders left in October.</p>"
    assert "Interim cover agreed" in risk.controls
    event = AuditEvent.objects.filter(verb="risk.review_accepted").first()  # newest
    assert event.before["score"] == "12 (3×4)" and event.after["score"] == "16 (4×4) Extreme"

    client.force_login(board_member)
    html = client.get(reverse("risks:register")).content.decode()
    row = re.search(r'id="risk-07">(.*?)</tr>', html, re.S)[1]
    assert "16 (4×4) Extreme" in row and "↑</span> Increased" in row and "(was 12)" in row
    # Accepted reviews are read-only for everyone, and the board may read them.
    assert client.get(url(review)).status_code == 200
    client.force_login(governance)
    assert client.post(url(review), _post(review)).status_code == 403


def test_accepting_a_review_emails_the_owner(
    lead, governance, review, django_capture_on_commit_callbacks
):
    workflow.submit(update=review, by=lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(update=RiskReview.objects.get(pk=review.pk), by=governance)
    [message] = mail.outbox
    assert message.subject == "Accepted: your Q3 2021/22 review of BAF risk 07"
    assert "12 (3×4) High" in message.body


def test_returning_needs_a_comment(
    client, lead, governance, review, django_capture_on_commit_callbacks
):
    workflow.submit(update=review, by=lead)
    client.force_login(governance)
    response = client.post(url(review, "risks:review_return"), {"comment": " "})
    assert response.status_code == 200
    assert "Enter why you are returning this review" in response.content.decode()
    review.refresh_from_db()
    assert review.state == WorkflowState.SUBMITTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(review, "risks:review_return"), {"comment": "Say why the target stays at 8."}
        )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == WorkflowState.RETURNED
    [message] = mail.outbox
    assert message.subject == "Returned: your Q3 2021/22 review of BAF risk 07"
    assert "Say why the target stays at 8." in message.body
    assert url(review) in message.body
    client.force_login(lead)
    html = client.get(url(review)).content.decode()
    assert "Returned with comments" in html and "Say why the target stays at 8." in html


def test_the_owner_withdraws_a_submitted_review(client, lead, review):
    workflow.submit(update=review, by=lead)
    client.force_login(lead)
    assert "Withdraw review" in client.get(url(review)).content.decode()
    assert client.post(url(review, "risks:review_withdraw")).status_code == 302
    review.refresh_from_db()
    assert review.state == WorkflowState.DRAFT


def test_a_stale_save_is_refused(client, lead, governance, review):
    saved = actions.save_review(
        review=review,
        base_version=1,
        by=governance,
        fields={"rationale": "<p>Governance's wording.</p>"},
    )
    client.force_login(lead)
    response = client.post(
        url(review), _post(review, version=1, rationale="<p>Mine.</p>", action="save")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This update was changed by Gus Governance at" in html
    assert "Governance&#x27;s wording." in html or "Governance's wording." in html
    assert f'name="version" value="{saved.version}"' in html
    review.refresh_from_db()
    assert review.rationale == "<p>Governance's wording.</p>"
    with pytest.raises(StaleUpdateError):
        actions.save_review(review=review, base_version=1, by=lead, fields={"likelihood": 2})


def test_a_new_matrix_is_used_for_new_reviews_and_old_reviews_keep_theirs(risk, governance, review):
    old_band = review.score.band_name
    matrix = RiskMatrix.objects.create(version=2, name="Stricter")
    RiskBand.objects.create(matrix=matrix, name="Severe", min_score=1, max_score=25, colour="red")
    q4 = cycle_for(2021, 4)
    actions.open_risk_reviews(cycle=q4, by=governance)
    assert risk.reviews.get(cycle=q4).matrix == matrix
    review.refresh_from_db()
    assert review.matrix.version == 1 and review.score.band_name == old_band == "High"


def test_a_review_of_a_closed_risk_cannot_be_submitted(risk, lead, governance, review):
    actions.close_risk(risk=risk, by=governance, reason="Closed.")
    with pytest.raises(SubmissionInvalid, match="closed"):
        workflow.submit(update=review, by=lead)


def test_accepting_an_older_quarter_late_does_not_overwrite_a_newer_score(risk, lead, governance):
    q1, q2 = cycle_for(2021, 1), cycle_for(2021, 2)
    actions.open_risk_reviews(cycle=q1, by=governance)
    late = risk.reviews.get(cycle=q1)
    workflow.submit(update=late, by=lead)
    run_quarter(q2, {risk: (2, 4)}, governance=governance)
    workflow.approve(update=RiskReview.objects.get(pk=late.pk), by=governance)
    risk.refresh_from_db()
    assert (risk.current_likelihood, risk.current_consequence) == (2, 4)


def test_a_closed_cycle_refuses_submission(risk, lead, review):
    ReportingCycle.objects.filter(pk=review.cycle_id).update(status="CLOSED")
    with pytest.raises(ActionError, match="is closed.*ask the governance team to reopen it"):
        workflow.submit(update=RiskReview.objects.get(pk=review.pk), by=lead)


# --- who may do what (the update rules, with the risk's owner as lead) -------------------------


def test_anonymous_is_sent_to_sign_in(client, review):
    for path in (
        reverse("risks:reviews"),
        url(review),
        url(review, "risks:review_withdraw"),
        url(review, "risks:review_accept"),
        url(review, "risks:review_return"),
    ):
        response = client.post(path) if path != reverse("risks:reviews") else client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404(client, outsider, review):
    client.force_login(outsider)
    assert client.get(reverse("risks:reviews")).status_code == 404
    assert client.get(url(review)).status_code == 404
    assert client.post(url(review), _post(review)).status_code == 404
    assert client.post(url(review, "risks:review_accept")).status_code == 404


def test_another_lead_gets_404_for_someone_elses_review(client, other_lead, review):
    client.force_login(other_lead)
    assert client.get(url(review)).status_code == 404
    assert client.post(url(review), _post(review, likelihood=1)).status_code == 404
    assert client.post(url(review, "risks:review_withdraw")).status_code == 404


def test_board_member_reads_accepted_reviews_only_and_cannot_change_them(
    client, board_member, lead, governance, review
):
    client.force_login(board_member)
    assert client.get(url(review)).status_code == 404  # not accepted yet
    workflow.submit(update=review, by=lead)
    workflow.approve(update=RiskReview.objects.get(pk=review.pk), by=governance)
    response = client.get(url(review))
    assert response.status_code == 200
    assert 'name="likelihood"' not in response.content.decode()
    assert client.post(url(review), _post(review)).status_code == 403
    assert client.post(url(review, "risks:review_return"), {"comment": "x"}).status_code == 403


def test_the_owner_edits_their_own_review_but_not_once_submitted(client, lead, review):
    client.force_login(lead)
    response = client.get(url(review))
    assert response.status_code == 200 and 'name="likelihood"' in response.content.decode()
    assert response.content.decode().count("<h1") == 1
    workflow.submit(update=review, by=lead)
    response = client.get(url(review))
    assert 'name="likelihood"' not in response.content.decode()
    assert client.post(url(review), _post(review, version=2)).status_code == 403
    assert client.post(url(review, "risks:review_return"), {"comment": "x"}).status_code == 403


def test_governance_may_edit_but_not_submit_for_the_owner(client, governance, review):
    client.force_login(governance)
    page = client.get(url(review)).content.decode()
    assert 'name="likelihood"' in page and 'value="submit"' not in page
    assert client.post(url(review), _post(review, action="submit")).status_code == 403
    assert client.post(url(review), _post(review, action="save")).status_code == 302


def test_governance_returns_a_review_through_the_one_decision(client, lead, governance, review):
    workflow.submit(update=review, by=lead)
    client.force_login(governance)
    html = client.post(url(review, "risks:review_decide"), {"decision": "return"}).content.decode()
    assert '<a href="#id_comment">Enter why you are returning this review</a>' in html
    html = client.post(url(review, "risks:review_decide"), {}).content.decode()
    assert "Select whether to accept or return this review" in html
    response = client.post(
        url(review, "risks:review_decide"), {"decision": "return", "comment": "Say why."}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == WorkflowState.RETURNED and review.review_comment == "Say why."
