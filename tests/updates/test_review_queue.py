"""Governance's home shows how many updates and risk reviews wait for review, each linking to
its review page, oldest submission first, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ics_portal.workflow import actions as workflow
from reporting.models import WorkstreamUpdate
from reporting.review_queue import HOME_QUEUE_SHOWN, waiting_for_review
from risks import actions as risk_actions
from risks.models import RiskReview

from .. import factories
from .support import submit, url


def _submitted_risk_review(plan, governance):
    plan.risk.owner = governance
    plan.risk.save()
    risk_actions.open_risk_reviews(cycle=plan.cycle, by=governance)
    review = RiskReview.objects.get(risk=plan.risk, cycle=plan.cycle)
    return workflow.submit(update=review, by=governance)


def _home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_counts_and_links_everything_waiting(
    client, plan, update, thread_update, governance, lead
):
    submit(update, lead)
    submit(thread_update, lead)
    review = _submitted_risk_review(plan, governance)
    client.force_login(governance)
    html = _home(client)
    assert "3 waiting for review" in html
    assert url(update, "update_review") in html
    assert url(thread_update, "update_review") in html
    assert review.get_absolute_url() in html
    # Drafts and not-started updates are not waiting.
    other = WorkstreamUpdate.objects.get(cycle=plan.cycle, workstream=plan.other)
    assert url(other, "update_review") not in html


def test_it_says_when_nothing_waits(client, plan, governance):
    client.force_login(governance)
    html = _home(client)
    assert "Nothing is waiting for review." in html
    assert "waiting for review</p>" not in html


def test_leads_do_not_see_the_queue(client, plan, update, lead):
    submit(update, lead)
    client.force_login(lead)
    assert 'id="review-queue"' not in _home(client)


def test_a_resubmitted_update_is_marked(client, update, governance, lead):
    submitted = submit(update, lead)
    workflow.return_for_changes(update=submitted, by=governance, comment="Say more.")
    update.refresh_from_db()
    submit(update, lead)
    client.force_login(governance)
    assert "Resubmitted after return" in _home(client)


def test_oldest_first_and_the_rest_counted(plan, update, thread_update, lead, other_lead):
    first = submit(update, lead)
    second = submit(thread_update, lead)
    queue = waiting_for_review()
    assert [i.item.pk for i in queue.items] == [first.pk, second.pk]
    assert queue.more == 0
    assert queue.count == 2


def test_home_lists_the_first_ten_and_says_how_many_more(client, plan, governance):
    theme = factories.ThemeFactory()
    for _ in range(HOME_QUEUE_SHOWN + 2):
        workstream = factories.WorkstreamFactory(theme=theme)
        WorkstreamUpdate.objects.create(cycle=plan.cycle, workstream=workstream, state="SUBMITTED")
    client.force_login(governance)
    html = _home(client)
    assert f"{HOME_QUEUE_SHOWN + 2} waiting for review" in html
    assert html.count("/review/") == HOME_QUEUE_SHOWN
    assert "And 2 more." in html
    assert plan.cycle.get_absolute_url() in html


HOME_MAX = 15


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        _home(client)
    return len(context.captured_queries)


@pytest.mark.django_db
def test_home_queue_adds_no_query_as_items_grow(client, plan, update, lead, governance):
    submit(update, lead)
    client.force_login(governance)
    before = _home_queries(client)
    theme = factories.ThemeFactory()
    for _ in range(15):
        workstream = factories.WorkstreamFactory(theme=theme)
        lead_ = factories.UserFactory()
        workstream.leads.add(lead_)
        WorkstreamUpdate.objects.create(
            cycle=plan.cycle, workstream=workstream, state="SUBMITTED", submitted_by=lead_
        )
    _submitted_risk_review(plan, governance)
    assert _home_queries(client) == before
    assert before <= HOME_MAX  # measured 12: the queue is three of them
