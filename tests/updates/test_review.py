"""Governance reviews a submitted update beside last quarter's approved one (a word diff of
the text and every status and milestone change), then returns it with comments or approves
it; the lead is emailed either way, after the commit."""

import datetime

from django.core import mail

from ics_portal.models import AuditEvent
from ics_portal.status import WorkflowState
from reporting import actions
from reporting.models import WorkstreamUpdate
from reporting.review import word_diff

from .support import cycle_for, form_data, submit, url


def _submitted_with_changes(client, lead, plan, update):
    """The lead changes objective 1's text, the status, a milestone and the linked risks."""
    objective = plan.workstream.objectives.get(number=1)
    prefix = f"milestone_{plan.overdue.pk}"
    client.force_login(lead)
    data = form_data(
        update,
        **{
            f"objective_{objective.pk}": "<p>Shared care record live in 40 practices.</p>",
            "overall_status": "AT_RISK",
            "status_explanation": "Two practices paused go-live.",
            f"{prefix}_status": "DELAYED",
            f"{prefix}_revised_date": "2022-01-31",
            "baf_risks": None,
        },
    )
    response = client.post(url(update, "update_submit"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return WorkstreamUpdate.objects.get(pk=update.pk)


def test_word_diff_marks_removed_and_added_words_and_escapes():
    assert str(word_diff("Record live.", "Record live in 40 practices.")) == (
        "Record<del> live.</del><ins> live in 40 practices.</ins>"
    )
    assert str(word_diff("a <b>", "a <c>")) == "a<del> &lt;b&gt;</del><ins> &lt;c&gt;</ins>"
    assert str(word_diff("one\ntwo", "one\ntwo")) == "one<br>two"


def test_word_diff_pairs_alike_lines_and_replaces_rewritten_ones():
    old = "Work continues on the strategy\nPhase 1 delivery\nA line that went"
    new = "Shared care record progress:\nPhase 1 delivery agreed"
    assert str(word_diff(old, new)).split("<br>") == [
        "<del>Work continues on the strategy</del>",
        "<ins>Shared care record progress:</ins>",
        "Phase 1 delivery<ins> agreed</ins>",
        "<del>A line that went</del>",
    ]


def test_the_review_page_shows_every_change_since_last_quarter(
    client, lead, governance, plan, update
):
    _submitted_with_changes(client, lead, plan, update)
    client.force_login(governance)
    response = client.get(url(update, "update_review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Compared with the approved Q2 2021/22 update" in html
    # The text, word by word.
    assert "Shared care record<del> live.</del><ins> live in 40 practices.</ins>" in html
    # Statuses, last quarter and now.
    row = html[html.index("Overall status</th>") :]
    row = row[: row.index("</tr>")]
    assert "On track" in row and "At risk" in row and "Changed" in row
    explanation = [c for c in html.split('id="text-change-') if "Status explanation" in c][0]
    assert "<ins>Two practices paused go-live.</ins>" in explanation
    # Every milestone: the changed one says what changed; the other does not.
    table = html[html.index('id="milestone-changes"') :]
    changed = table[table.index("Shared care record procured") :]
    changed = changed[: changed.index("</tr>")]
    assert "Delayed" in changed and "<ins>31 Jan 2022</ins>" in changed
    assert "Status, revised date" in changed
    same = table[table.index("Digital strategy agreed") :]
    assert "No change" in same[: same.index("</tr>")]
    # The BAF risk the lead unlinked.
    assert "BAF risk no longer linked: Risk 07: Change and uncertainty" in html
    # An unchanged section says so.
    assert "Unchanged</strong>" in html
    assert 'value="approve"' in html and "Return to the lead" in html


def test_returning_needs_a_comment_and_emails_the_lead(
    client, lead, governance, plan, update, django_capture_on_commit_callbacks
):
    submit(update, lead)
    client.force_login(governance)
    response = client.post(url(update, "update_return"), {"comment": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_comment">Enter why you are returning this update</a>' in html
    update.refresh_from_db()
    assert update.state == WorkflowState.SUBMITTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(update, "update_return"), {"comment": "Say when the record goes live."}
        )
    assert response.status_code == 302 and response["Location"] == plan.cycle.get_absolute_url()
    update.refresh_from_db()
    assert update.state == WorkflowState.RETURNED
    assert update.review_comment == "Say when the record goes live."
    [message] = mail.outbox
    assert message.to == [lead.email]
    assert message.subject == "Returned: your Q3 2021/22 update for Workstream: DIGITAL"
    assert "Say when the record goes live." in message.body
    assert url(update) in message.body
    assert "Say when the record goes live." in message.alternatives[0][0]
    event = AuditEvent.objects.filter(verb="update.return", object_id=str(update.pk)).first()
    assert event.comment == "Say when the record goes live."


def test_approving_locks_the_update_and_emails_the_lead(
    client, lead, governance, update, django_capture_on_commit_callbacks
):
    submit(update, lead)
    client.force_login(governance)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(update, "update_approve"))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.APPROVED and update.approved_by == governance
    [message] = mail.outbox
    assert message.subject == "Approved: your Q3 2021/22 update for Workstream: DIGITAL"
    client.force_login(lead)
    html = client.get(url(update)).content.decode()
    assert "approved and locked" in html and url(update, "update_edit") not in html
    response = client.post(url(update, "update_edit"), form_data(update))
    assert response.status_code == 409
    assert "Gus Governance approved this update on" in response.content.decode()


def test_a_thread_update_without_an_approved_quarter_is_all_new(
    client, lead, governance, thread_update
):
    submit(thread_update, lead, quarter_update="<p>Dashboard published.</p>")
    client.force_login(governance)
    html = client.get(url(thread_update, "update_review")).content.decode()
    assert "There is no approved update from an earlier quarter" in html
    assert "<ins>Dashboard published.</ins>" in html
    assert '<h4 class="nhsuk-heading-s">Update for Q3 2021/22' in html


def test_the_cycle_page_links_submitted_updates_to_their_review(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    html = client.get(update.cycle.get_absolute_url()).content.decode()
    assert url(update, "update_review") in html


def test_opening_a_cycle_emails_each_lead_what_they_owe(
    lead, governance, plan, django_capture_on_commit_callbacks
):
    q4 = cycle_for(2021, 4, deadline=datetime.date(2022, 3, 25))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_cycle(cycle=q4, by=governance)
    [message] = [m for m in mail.outbox if m.to == [lead.email]]
    assert message.subject == "Q4 2021/22: 2 updates due by 25 March 2022"
    update = WorkstreamUpdate.objects.get(cycle=q4, workstream=plan.workstream)
    assert "Workstream: DIGITAL (lead)" in message.body and url(update) in message.body
    assert "Health inequalities" in message.body
