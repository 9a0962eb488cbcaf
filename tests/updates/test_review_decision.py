"""Approve and return are one decision on the review page: radios, with the comments shown
under "Return to the lead" and required only then; approving goes through a page that says
what approving does before anything changes."""

from ics_portal.status import WorkflowState

from .support import submit, url


def _html(response) -> str:
    return response.content.decode()


def test_the_review_page_asks_for_one_decision(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    html = _html(client.get(url(update, "update_review")))
    form = html[html.index('action="' + url(update, "update_decide")) :]
    assert "Your decision on this update" in form
    assert 'value="approve"' in form and ">Approve</label>" in form
    # The comments sit under "Return to the lead", hidden until it is chosen.
    assert 'value="return" data-aria-controls="conditional-id_decision_1"' in form
    assert (
        'class="nhsuk-radios__conditional nhsuk-radios__conditional--hidden" '
        'id="conditional-id_decision_1"' in form
    )
    assert form.index("Return to the lead") < form.index("Why are you returning this update?")
    # Required when returning, so the label does not say "optional".
    assert "Why are you returning this update? (optional)" not in form


def test_no_decision_is_refused_with_a_message(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    html = _html(client.post(url(update, "update_decide"), {"comment": "Kept"}))
    assert '<a href="#id_decision_0">Select whether to approve or return this update</a>' in html
    assert "Kept</textarea>" in html
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED


def test_returning_needs_why_and_keeps_what_was_chosen(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    response = client.post(
        url(update, "update_decide"), {"decision": "return", "sections": ["plans"]}
    )
    html = _html(response)
    assert response.status_code == 200
    assert '<a href="#id_comment">Enter why you are returning this update</a>' in html
    assert 'value="plans" checked' in html
    # The reveal stays open so the error can be seen.
    assert 'class="nhsuk-radios__conditional" id="conditional-id_decision_1"' in html
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED


def test_returning_with_a_comment_returns_it(client, lead, governance, plan, update):
    submit(update, lead)
    client.force_login(governance)
    response = client.post(
        url(update, "update_decide"),
        {"decision": "return", "comment": "Add the dates.", "sections": ["plans"]},
    )
    assert response.status_code == 302
    assert response["Location"] == plan.cycle.get_absolute_url()
    update.refresh_from_db()
    assert update.state == WorkflowState.RETURNED
    assert update.review_comment == "Add the dates."
    assert update.returned_sections == ["plans"]


def test_choosing_approve_asks_to_confirm_and_changes_nothing_yet(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    # A comment typed before switching to "Approve" does not stop approving.
    response = client.post(url(update, "update_decide"), {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    assert response["Location"] == url(update, "update_approve")
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED
    html = _html(client.get(url(update, "update_approve")))
    assert "<h1>Approve Workstream: DIGITAL?</h1>" in html
    assert "its leads can no longer change or withdraw it" in html
    assert "goes into the Q3 2021/22 board pack" in html
    assert "Until a board pack with it is published, the governance team can reopen it" in html
    assert 'action="' + url(update, "update_approve") + '"' in html
    assert client.post(url(update, "update_approve")).status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.APPROVED


def test_the_confirmation_is_only_for_a_submitted_update(client, lead, governance, update):
    client.force_login(governance)
    assert client.get(url(update, "update_approve")).status_code == 403
    submit(update, lead)
    client.force_login(lead)
    assert client.get(url(update, "update_approve")).status_code == 403
    assert client.post(url(update, "update_decide"), {"decision": "approve"}).status_code == 403


def test_the_old_return_address_still_returns(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    response = client.post(url(update, "update_return"), {"comment": "Fix the plans."})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.RETURNED
