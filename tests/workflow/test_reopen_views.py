"""Governance's pages for unblocking the workflow after a cycle closes (reopen the cycle, an
extension for one update or risk review, reopen an approved one, return with a date), and
what leads read on their pages once the cycle has closed. Each new view has the trio: it
works; 404 for people who cannot see the thing; 403, with a message, for people who can see
it but may not act."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ics_portal.models import AuditEvent, ReportingCycle
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from reporting import actions
from reporting.models import WorkstreamUpdate
from risks.models import RiskReview

from .. import factories
from ..dates import date_fields
from ..updates.support import approve, submit, url

SIGN_IN = "sign in"
DAY = datetime.timedelta(days=1)


def _today():
    return timezone.localdate()


@pytest.fixture
def review(plan, lead):
    plan.risk.owner = lead
    plan.risk.save()
    return RiskReview.objects.get(risk=plan.risk, cycle=plan.cycle)


@pytest.fixture
def closed(plan, governance):
    """Q3 2021/22 closed, nothing submitted."""
    return actions.close_cycle(cycle=plan.cycle, by=governance)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _statuses(client, request, method, path, roles, data=None):
    """The status each role gets (a redirect to sign in as SIGN_IN)."""
    got = {}
    for role in roles:
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        response = client.post(path, data or {}) if method == "post" else client.get(path)
        if response.status_code == 302 and response["Location"].startswith(reverse("login")):
            got[role] = SIGN_IN
        else:
            got[role] = response.status_code
    return got


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- reopening a cycle ------------------------------------------------------------------------


def test_governance_reopens_a_closed_cycle_from_its_page(
    client, governance, lead, other_lead, plan, closed, django_capture_on_commit_callbacks
):
    client.force_login(governance)
    page = _text(client.get(plan.cycle.get_absolute_url()))
    reopen_url = reverse("reporting:cycle_reopen", args=[plan.cycle.pk])
    assert f'href="{reopen_url}"' in page and "Reopen the cycle" in page
    form = _text(client.get(reopen_url))
    assert "<h1>Reopen Q3 2021/22</h1>" in form
    assert 'name="reason"' in form and 'name="submission_deadline_day"' in form
    assert "<script>" not in form  # no inline script (ADR 0004)

    response = client.post(
        reopen_url, {"reason": " ", **date_fields("submission_deadline", "2020-01-01")}
    )
    html = _text(response)
    assert response.status_code == 200
    assert "<title>Error: " in html and "There is a problem" in html
    assert '<a href="#id_reason">Enter why the cycle is being reopened</a>' in html
    assert "The new submission deadline must be today or later" in html
    assert _fresh(plan.cycle).status == ReportingCycle.Status.CLOSED

    deadline = _today() + 14 * DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reopen_url,
            {"reason": "Two leads were off sick.", **date_fields("submission_deadline", deadline)},
            follow=True,
        )
    html = _text(response)
    assert response.redirect_chain[-1][0] == plan.cycle.get_absolute_url()
    assert f"Q3 2021/22 is open again until {deadline:%-d %B %Y}." in html
    assert "2 people who still owe an update or a risk review have been emailed" in html
    assert _fresh(plan.cycle).status == ReportingCycle.Status.OPEN
    assert AuditEvent.objects.get(verb="cycle.reopen").comment == "Two leads were off sick."
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, other_lead.email])
    assert "Reopen the cycle" not in html and "Close the cycle" in html


def test_cycle_reopen_trio(client, request, plan, governance):
    path = reverse("reporting:cycle_reopen", args=[plan.cycle.pk])
    roles = ("anonymous", "outsider", "board_member", "lead", "governance")
    # Governance may see the cycle but it is open: 403, saying why.
    assert _statuses(client, request, "get", path, roles) == {
        "anonymous": SIGN_IN,
        "outsider": 404,
        "board_member": 404,
        "lead": 404,
        "governance": 403,
    }
    response = client.post(path, {"reason": "x"})
    assert "Only a closed cycle can be reopened; this one is open." in response.content.decode()
    assert _fresh(plan.cycle).status == ReportingCycle.Status.OPEN
    actions.close_cycle(cycle=plan.cycle, by=governance)
    got = _statuses(client, request, "get", path, roles)
    assert got == {**got, "outsider": 404, "lead": 404, "governance": 200}


# --- an extension for one update --------------------------------------------------------------


def test_lead_is_told_the_cycle_is_closed_and_governance_gives_an_extension(
    client, lead, governance, plan, closed, update, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    page = _text(client.get(url(update)))
    assert 'id="cycle-closed"' in page and "The Q3 2021/22 cycle is closed" in page
    assert "ask the governance team to reopen it" in page
    assert "Start the update" not in page and "Give an extension" not in page
    response = client.get(url(update, "update_edit"))
    assert response.status_code == 403
    assert "Q3 2021/22 reporting cycle is closed" in response.content.decode()
    mine = _text(client.get(reverse("reporting:my_updates")))
    assert "Q3 2021/22 is closed." in mine and "Ask the governance team to reopen it" in mine

    client.force_login(governance)
    page = _text(client.get(url(update)))
    extend_url = url(update, "update_extend")
    assert f'href="{extend_url}"' in page and "Give an extension" in page
    assert 'id="cycle-closed"' not in page  # the leads' message, not governance's
    form = _text(client.get(extend_url))
    suggested = _today() + 7 * DAY
    for name, value in date_fields("extended_until", suggested).items():
        assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in form
    response = client.post(extend_url, {**date_fields("extended_until", ""), "reason": ""})
    html = _text(response)
    assert response.status_code == 200 and "There is a problem" in html
    assert "Enter the date the leads have until to submit it" in html
    assert "Enter why the extension is being given" in html

    until = _today() + 5 * DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            extend_url,
            {**date_fields("extended_until", until), "reason": "Lead was on leave."},
            follow=True,
        )
    html = _text(response)
    assert f"DIGITAL has an extension to {until:%-d %B %Y}. Its leads have been emailed." in html
    assert 'id="extension"' in html and f"Extension to {until:%-d %B %Y}." in html
    assert "Change the extension" in html
    [message] = mail.outbox
    assert message.to == [lead.email]

    client.force_login(lead)
    page = _text(client.get(url(update)))
    assert 'id="cycle-closed"' not in page
    assert f"Extension to {until:%-d %B %Y}." in page
    assert "Reason given by Gus Governance: Lead was on leave." in page
    assert "Start the update" in page
    assert client.get(url(update, "update_edit")).status_code == 200
    mine = _text(client.get(reverse("reporting:my_updates")))
    assert f"Extension to {until:%-d %B %Y}" in mine and "5 days left" in mine
    client.force_login(governance)
    cycle_page = _text(client.get(plan.cycle.get_absolute_url()))
    assert f"Extension to {until:%-d %b %Y}" in cycle_page


def test_update_extend_trio(client, request, plan, closed, update, thread_update, lead):
    roles = ("anonymous", "outsider", "board_member", "other_lead", "lead", "governance")
    for target in (update, thread_update):
        path = url(target, "update_extend")
        assert _statuses(client, request, "get", path, roles) == {
            "anonymous": SIGN_IN,
            "outsider": 404,
            "board_member": 404,  # not approved: the board cannot see it
            "other_lead": 404,
            "lead": 403,
            "governance": 200,
        }
    client.force_login(lead)
    response = client.post(url(update, "update_extend"), {"reason": "x"})
    assert "Only the governance team gives extensions." in response.content.decode()


def test_no_extension_while_the_cycle_is_open_or_once_submitted(
    client, request, governance, lead, plan, update
):
    client.force_login(governance)
    response = client.get(url(update, "update_extend"))
    assert response.status_code == 403
    assert "the leads can still submit until the deadline" in response.content.decode()
    submit(update, lead)
    actions.close_cycle(cycle=plan.cycle, by=governance)
    response = client.get(url(update, "update_extend"))
    assert response.status_code == 403
    assert "this one is submitted" in response.content.decode()
    assert "Give an extension" not in client.get(url(update)).content.decode()


# --- withdrawing and returning after the cycle closes -----------------------------------------


def test_a_lead_withdrawing_after_close_gets_a_message_not_a_bare_403(
    client, lead, governance, plan, update
):
    submit(update, lead)
    actions.close_cycle(cycle=plan.cycle, by=governance)
    client.force_login(lead)
    page = _text(client.get(url(update)))
    assert "Withdraw submission" not in page
    assert "this submission can no longer be withdrawn" in page
    response = client.post(url(update, "update_withdraw"))
    assert response.status_code == 403
    assert "this submission can no longer be withdrawn" in response.content.decode()
    assert _fresh(update).state == WorkflowState.SUBMITTED


def test_returning_after_the_cycle_closed_asks_for_a_date(
    client, lead, governance, plan, update, django_capture_on_commit_callbacks
):
    submit(update, lead)
    actions.close_cycle(cycle=plan.cycle, by=governance)
    client.force_login(governance)
    page = _text(client.get(url(update, "update_review")))
    assert 'name="extended_until_day"' in page
    assert "the lead can only resubmit by the date you give" in page
    response = client.post(
        url(update, "update_return"),
        {"comment": "Add the figures.", **date_fields("extended_until", "")},
    )
    assert response.status_code == 200
    assert "Enter the date the leads have until to submit it" in _text(response)
    assert _fresh(update).state == WorkflowState.SUBMITTED
    until = _today() + 3 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(update, "update_return"),
            {"comment": "Add the figures.", **date_fields("extended_until", until)},
        )
    assert response.status_code == 302
    returned = _fresh(update)
    assert returned.state == WorkflowState.RETURNED and returned.extended_until == until
    client.force_login(lead)
    assert client.get(url(update, "update_edit")).status_code == 200


def test_the_return_form_has_no_date_while_the_cycle_is_open(client, lead, governance, update):
    submit(update, lead)
    client.force_login(governance)
    assert (
        'name="extended_until_day"' not in client.get(url(update, "update_review")).content.decode()
    )


# --- reopening an approved update -------------------------------------------------------------


def test_governance_reopens_an_approved_update(
    client, lead, governance, plan, update, django_capture_on_commit_callbacks
):
    approve(update, lead, governance)
    client.force_login(lead)
    page = _text(client.get(url(update)))
    assert "the governance team can reopen it" in page and "Reopen for changes" not in page
    client.force_login(governance)
    page = _text(client.get(url(update)))
    reopen_url = url(update, "update_reopen")
    assert f'href="{reopen_url}"' in page and "Reopen for changes" in page
    form = _text(client.get(reopen_url))
    assert 'name="reason"' in form and 'name="extended_until_day"' not in form  # cycle open
    response = client.post(reopen_url, {"reason": ""})
    assert "Enter why the approved update is being reopened" in _text(response)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reopen_url, {"reason": "Figures revised."}, follow=True)
    html = _text(response)
    assert "DIGITAL is reopened and back with its leads" in html
    assert _fresh(update).state == WorkflowState.RETURNED
    assert "Figures revised." in html  # shown as the returned comments
    [message] = mail.outbox
    assert message.subject.startswith("Reopened:")


def test_reopening_an_approved_update_in_a_closed_cycle_needs_a_date(
    client, lead, governance, plan, update
):
    approve(update, lead, governance)
    actions.close_cycle(cycle=plan.cycle, by=governance)
    client.force_login(governance)
    reopen_url = url(update, "update_reopen")
    assert 'name="extended_until_day"' in client.get(reopen_url).content.decode()
    response = client.post(
        reopen_url, {"reason": "Figures revised.", **date_fields("extended_until", "")}
    )
    assert "Enter the date the leads have until to submit it" in _text(response)
    until = _today() + DAY
    response = client.post(
        reopen_url, {"reason": "Figures revised.", **date_fields("extended_until", until)}
    )
    assert response.status_code == 302
    assert _fresh(update).extended_until == until


def test_update_reopen_trio(client, request, lead, governance, plan, update, thread_update):
    approve(update, lead, governance)
    roles = ("anonymous", "outsider", "other_lead", "board_member", "lead", "governance")
    assert _statuses(client, request, "get", url(update, "update_reopen"), roles) == {
        "anonymous": SIGN_IN,
        "outsider": 404,
        "other_lead": 404,
        "board_member": 403,  # reads the approved update, may not reopen it
        "lead": 403,
        "governance": 200,
    }
    # Not approved: governance is told why.
    client.force_login(governance)
    response = client.get(url(thread_update, "update_reopen"))
    assert response.status_code == 403
    assert "Only an approved update can be reopened; this one is not started." in (
        response.content.decode()
    )
    WorkstreamUpdate.objects.filter(pk=update.pk).update(state=WorkflowState.PUBLISHED)
    response = client.get(url(update, "update_reopen"))
    assert response.status_code == 403 and "locked for good" in response.content.decode()
    assert "Reopen for changes" not in client.get(url(update)).content.decode()


# --- risk reviews -----------------------------------------------------------------------------


def test_risk_review_extension_and_reopen_pages(
    client, lead, governance, plan, closed, review, django_capture_on_commit_callbacks
):
    page_url = reverse("risks:review", args=[review.pk])
    extend_url = reverse("risks:review_extend", args=[review.pk])
    client.force_login(lead)
    page = _text(client.get(page_url))
    assert 'id="cycle-closed"' in page and "this risk review can no longer be changed" in page
    mine = _text(client.get(reverse("risks:reviews")))
    assert "Q3 2021/22 is closed." in mine

    client.force_login(governance)
    assert f'href="{extend_url}"' in _text(client.get(page_url))
    form = _text(client.get(extend_url))
    assert "Date the owner has until" in form
    until = _today() + 2 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            extend_url, {**date_fields("extended_until", until), "reason": "On leave"}, follow=True
        )
    assert "The review of risk 07 has an extension to" in _text(response)

    client.force_login(lead)
    assert f"Extension to {until:%-d %b %Y}" in _text(client.get(reverse("risks:reviews")))
    response = client.post(
        page_url,
        {
            "version": _fresh(review).version,
            "likelihood": review.likelihood,
            "consequence": review.consequence,
            "target_likelihood": review.target_likelihood,
            "target_consequence": review.target_consequence,
            "rationale": review.rationale,
            "action": "submit",
        },
    )
    assert response.status_code == 302
    assert _fresh(review).state == WorkflowState.SUBMITTED

    client.force_login(governance)
    page = _text(client.get(page_url))
    assert 'name="extended_until_day"' in page  # the return form, in a closed cycle
    assert client.post(reverse("risks:review_accept", args=[review.pk])).status_code == 302
    reopen_url = reverse("risks:review_reopen", args=[review.pk])
    assert f'href="{reopen_url}"' in _text(client.get(page_url))
    response = client.post(
        reopen_url,
        {"reason": "Score disputed", **date_fields("extended_until", until)},
        follow=True,
    )
    assert "The review of risk 07 is reopened and back with its owner" in _text(response)
    assert _fresh(review).state == WorkflowState.RETURNED


def test_risk_review_extend_and_reopen_trio(client, request, lead, governance, plan, review):
    roles = ("anonymous", "outsider", "other_lead", "board_member", "lead", "governance")
    extend_url = reverse("risks:review_extend", args=[review.pk])
    reopen_url = reverse("risks:review_reopen", args=[review.pk])
    assert _statuses(client, request, "get", extend_url, roles) == {
        "anonymous": SIGN_IN,
        "outsider": 404,
        "other_lead": 404,
        "board_member": 404,
        "lead": 403,
        "governance": 403,  # the cycle is open: no extension needed
    }
    actions.close_cycle(cycle=plan.cycle, by=governance)
    assert _statuses(client, request, "get", extend_url, ("lead", "governance")) == {
        "lead": 403,
        "governance": 200,
    }
    accepted = workflow.approve(
        update=workflow.submit(
            update=workflow.extend(
                update=_fresh(review), by=governance, until=_today(), reason="Leave"
            ),
            by=lead,
        ),
        by=governance,
    )
    assert accepted.state == WorkflowState.APPROVED
    assert _statuses(client, request, "get", reopen_url, roles) == {
        "anonymous": SIGN_IN,
        "outsider": 404,
        "other_lead": 404,
        "board_member": 403,
        "lead": 403,
        "governance": 200,
    }


def test_every_new_page_has_one_h1_and_labels_its_fields(
    client, lead, governance, plan, update, review
):
    approve(update, lead, governance)
    actions.close_cycle(cycle=plan.cycle, by=governance)
    client.force_login(governance)
    for path in (
        reverse("reporting:cycle_reopen", args=[plan.cycle.pk]),
        url(update, "update_reopen"),
        reverse("risks:review_extend", args=[review.pk]),
    ):
        html = client.get(path).content.decode()
        assert html.count("<h1") == 1, path
        for field_id in re.findall(r'<(?:input|textarea)[^>]* id="(id_[a-z_]+)"', html):
            assert f'for="{field_id}"' in html, (path, field_id)


# --- lists stay within a fixed number of queries ----------------------------------------------


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_lists_with_extensions_do_not_grow_queries(client, lead, governance, plan, closed):
    """My updates, the risk reviews list and the cycle page, with a closed cycle whose updates
    have extensions: more updates and reviews with extensions add no query."""

    def extend_more(n):
        for _ in range(n):
            workstream = factories.WorkstreamFactory(theme=plan.workstream.theme)
            workstream.leads.add(lead)
            workstream.deputies.add(factories.UserFactory())
            row = WorkstreamUpdate.objects.create(cycle=plan.cycle, workstream=workstream)
            workflow.extend(update=row, by=governance, until=_today(), reason="Leave")
            risk = factories.BAFRiskFactory(owner=lead)
            review = factories.RiskReviewFactory(risk=risk, cycle=plan.cycle)
            workflow.extend(update=review, by=governance, until=_today(), reason="x")

    extend_more(1)
    pages = [reverse("reporting:my_updates"), reverse("risks:reviews")]
    client.force_login(lead)
    before = [_count(client, path) for path in pages]
    client.force_login(governance)
    before.append(_count(client, plan.cycle.get_absolute_url()))
    extend_more(12)
    client.force_login(lead)
    after = [_count(client, path) for path in pages]
    assert "Extension to" in client.get(pages[0]).content.decode()
    client.force_login(governance)
    after.append(_count(client, plan.cycle.get_absolute_url()))
    assert before == after
