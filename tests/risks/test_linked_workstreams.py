"""A risk's linked workstreams are links (issue 14): to the workstream's latest published update
in a published report the reader may see, else to its newest update's page if they may see
it, else plain text; in a fixed number of queries however many workstreams there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import actions as workflow
from reporting.models import WorkstreamUpdate

from .. import factories
from .support import cycle_for


def url(risk) -> str:
    return reverse("risks:detail", kwargs={"reference": risk.reference})


def _linked(html: str) -> dict[str, tuple[str | None, str]]:
    """Each linked workstream's name -> (its link or None, the words under it)."""
    section = html.split(">Linked workstreams</h2>")[1].split("</ul>")[0]
    found = {}
    for item in re.findall(r"<li>(.*?)</li>", section, re.S):
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', item)
        name = link[2] if link else item.split("<span")[0].strip()
        where = re.search(r'risk-workstreams__where">([^<]*)<', item)
        found[name] = (link[1] if link else None, where[1] if where else "")
    return found


@pytest.fixture
def risk(lead):
    return factories.BAFRiskFactory(reference="07", owner=lead)


def _workstream(risk, name, lead):
    workstream = factories.WorkstreamFactory(name=name)
    workstream.baf_risks.add(risk)
    workstream.leads.add(lead)
    return workstream


def _approved(cycle, workstream, lead, governance, *, published=False):
    update = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=workstream,
        overall_status=DeliveryStatus.ON_TRACK,
        forecast_status=DeliveryStatus.ON_TRACK,
        nothing_to_escalate=True,
    )
    workflow.submit(update=update, by=lead)
    workflow.approve(update=update, by=governance)
    if published:  # as publishing the cycle's pack leaves it
        WorkstreamUpdate.objects.filter(pk=update.pk).update(state=WorkflowState.PUBLISHED)
    return update


def _report(cycle, *shown, **kwargs):
    """A published version whose frozen HTML has an article for each of `shown`."""
    articles = "".join(
        f'<article class="workstream" id="workstream-{w.pk}"><h4>{w.name}</h4></article>'
        for w in shown
    )
    return factories.PublishedPackFactory(
        pack__cycle=cycle, html=f"<main><h1>Report</h1>{articles}</main>", **kwargs
    )


def _in_report(published, workstream) -> str:
    return f"{reverse('packs:published_html', args=[published.pk])}#workstream-{workstream.pk}"


def test_it_links_to_the_latest_update_in_a_published_report(
    client, board_member, lead, governance, risk
):
    q1, q2 = cycle_for(2021, 1), cycle_for(2021, 2)
    workstream = _workstream(risk, "DIGITAL", lead)
    _approved(q1, workstream, lead, governance, published=True)
    _approved(q2, workstream, lead, governance, published=True)
    _report(q1, workstream)
    latest = _report(q2, workstream)
    client.force_login(board_member)
    link, where = _linked(client.get(url(risk)).content.decode())["DIGITAL"]
    assert link == _in_report(latest, workstream)
    assert where == "Q2 2021/22 update, in the report for 26 January 2022"


def test_a_report_that_leaves_the_workstream_out_is_passed_over(
    client, board_member, lead, governance, risk
):
    q1, q2 = cycle_for(2021, 1), cycle_for(2021, 2)
    workstream = _workstream(risk, "DIGITAL", lead)
    _approved(q1, workstream, lead, governance, published=True)
    _approved(q2, workstream, lead, governance, published=True)
    earlier = _report(q1, workstream)
    _report(q2)  # by exception: this workstream was on track, so not in the report
    client.force_login(board_member)
    link, where = _linked(client.get(url(risk)).content.decode())["DIGITAL"]
    assert link == _in_report(earlier, workstream)
    assert where.startswith("Q1 2021/22 update")


def test_without_a_report_it_links_to_the_update_page_the_reader_may_see_or_is_plain_text(
    client, board_member, lead, governance, risk
):
    q2 = cycle_for(2021, 2)
    withdrawn_ws = _workstream(risk, "DIGITAL", lead)
    published = _approved(q2, withdrawn_ws, lead, governance, published=True)
    withdrawn = _report(
        q2, withdrawn_ws, withdrawn_at=timezone.now(), withdrawn_reason="Wrong figures"
    )
    draft_ws = _workstream(risk, "ESTATES", lead)
    draft = factories.WorkstreamUpdateFactory(cycle=q2, workstream=draft_ws)
    _workstream(risk, "WORKFORCE", lead)  # no update at all

    client.force_login(board_member)
    linked = _linked(client.get(url(risk)).content.decode())
    page = reverse("reporting:update_detail", kwargs={"kind": "workstream", "pk": published.pk})
    assert linked["DIGITAL"] == (page, "Q2 2021/22 update (published)")  # not the withdrawn one
    assert linked["ESTATES"] == (None, "")  # a draft is not the board's to read
    assert linked["WORKFORCE"] == (None, "")

    client.force_login(lead)  # the lead may see their own draft
    page = reverse("reporting:update_detail", kwargs={"kind": "workstream", "pk": draft.pk})
    assert _linked(client.get(url(risk)).content.decode())["ESTATES"][0] == page

    client.force_login(governance)  # governance also reads withdrawn versions
    link, where = _linked(client.get(url(risk)).content.decode())["DIGITAL"]
    assert link == _in_report(withdrawn, withdrawn_ws)
    assert where.endswith("(withdrawn)")


def test_linking_workstreams_takes_the_same_queries_however_many_there_are(
    client, board_member, lead, governance, risk
):
    q1, q2 = cycle_for(2021, 1), cycle_for(2021, 2)

    def add_workstreams(count: int) -> None:
        for number in range(count):
            workstream = _workstream(risk, f"WS {risk.workstreams.count()} {number}", lead)
            _approved(q1, workstream, lead, governance, published=True)
            _approved(q2, workstream, lead, governance, published=number % 2 == 0)
            _report(q1, workstream)
            _report(q2, workstream)

    client.force_login(board_member)
    counts = []
    for count in (2, 6):
        add_workstreams(count)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url(risk)).content.decode()
        counts.append(len(queries))
        assert len([v for v in _linked(html).values() if v[0]]) == risk.workstreams.count()
    assert counts[0] == counts[1]
