"""A risk's page: the full text, linked workstreams, updates that cited it (only those the
reader may see) and the score history as an SVG chart with a table equivalent."""

import re

import pytest
from django.urls import reverse

from ics_portal.status import DeliveryStatus
from ics_portal.workflow import actions as workflow
from risks import actions
from risks.models import RiskBand, RiskMatrix

from .. import factories
from .support import cycle_for, run_quarter


def url(risk) -> str:
    return reverse("risks:detail", kwargs={"reference": risk.reference})


@pytest.fixture
def risk(lead):
    return factories.BAFRiskFactory(
        reference="07",
        title="Change and uncertainty",
        description="Increasing change and uncertainty as the ICS develops.",
        owner=lead,
        owner_role="Director of Corporate Affairs",
        rationale="<p>Relationships are <strong>still forming</strong>.</p>",
        controls="<ul><li>Monthly System Leaders meetings</li></ul>",
        assurances="<ul><li>Partnership Board minutes</li></ul>",
        gaps_in_control="<ul><li>No joint communications plan</li></ul>",
        gaps_in_assurance="<ul><li>Stakeholder survey not yet run</li></ul>",
        mitigating_actions="<ul><li>Commission an OD programme</li></ul>",
        risk_appetite="Cautious",
    )


def test_it_shows_the_full_text(client, board_member, risk):
    client.force_login(board_member)
    html = client.get(url(risk)).content.decode()
    for text in (
        "Change and uncertainty",
        "Increasing change and uncertainty as the ICS develops.",
        "<strong>still forming</strong>",
        "Monthly System Leaders meetings",
        "Partnership Board minutes",
        "No joint communications plan",
        "Stakeholder survey not yet run",
        "Commission an OD programme",
        "Cautious",
        "Lee Lead",
        "Director of Corporate Affairs",
        "12 (3×4) High",
        "16 (4×4) Extreme",
        "8 (2×4) High",
    ):
        assert text in html, text
    assert html.count("<h1") == 1


def test_the_history_shows_every_quarter_including_unchanged_ones(
    client, board_member, governance, risk
):
    q1, q2, q3 = cycle_for(2021, 1), cycle_for(2021, 2), cycle_for(2021, 3)
    run_quarter(q1, {risk: (3, 4)}, governance=governance)
    run_quarter(q2, {risk: (3, 4)}, governance=governance)  # nothing changed
    run_quarter(q3, {risk: (2, 4)}, governance=governance)
    client.force_login(board_member)
    html = client.get(url(risk)).content.decode()
    table = re.search(r'<table class="[^"]*risk-history">.*?<tbody(.*?)</table>', html, re.S)[1]
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", table, re.S)
    # Each cell names its column for the stacked layout on a phone (hidden from screen readers).
    quarter = r'<th[^>]*><span class="nhsuk-table__heading" aria-hidden="true">Quarter </span>'
    quarter += r'<span class="risk-cards__value">(.*?)</span></th>'
    assert [re.search(quarter, r)[1] for r in rows] == [
        "Q1 2021/22",
        "Q2 2021/22",
        "Q3 2021/22",
    ]
    assert "12 (3×4) High" in rows[0] and "No earlier review" in rows[0]
    assert "12 (3×4) High" in rows[1] and "No change" in rows[1]
    assert "8 (2×4) High" in rows[2] and "Reduced" in rows[2]
    svg = re.search(r"<svg (?:(?!</svg>).)*score-chart-title.*?</svg>", html, re.S)[0]
    assert 'role="img"' in svg
    assert '<title id="score-chart-title">Score history of risk 07</title>' in svg
    assert "Q2 2021/22 12 (3×4) High (no change)" in svg
    assert svg.count('r="8"') == 3  # one point per quarter
    # The page's headline direction compares the last two quarters.
    assert "Reduced</span> from 12 (3×4) High" in html


def test_past_reviews_keep_the_band_of_their_matrix(client, board_member, governance, risk):
    q1, q2 = cycle_for(2021, 1), cycle_for(2021, 2)
    run_quarter(q1, {risk: (3, 4)}, governance=governance)
    matrix = RiskMatrix.objects.create(version=2, name="Stricter matrix")
    for name, low, high, colour in [
        ("Low", 1, 3, "green"),
        ("Moderate", 4, 6, "yellow"),
        ("Significant", 8, 10, "amber"),
        ("Severe", 12, 25, "red"),
    ]:
        RiskBand.objects.create(
            matrix=matrix, name=name, min_score=low, max_score=high, colour=colour
        )
    run_quarter(q2, {risk: (3, 4)}, governance=governance)
    risk.refresh_from_db()
    assert risk.matrix == matrix
    client.force_login(board_member)
    html = client.get(url(risk)).content.decode()
    table = re.search(r'<table class="[^"]*risk-history">.*?<tbody(.*?)</table>', html, re.S)[1]
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", table, re.S)
    assert "12 (3×4) High" in rows[0]
    assert "12 (3×4) Severe" in rows[1]


def test_it_lists_linked_workstreams_and_only_visible_citing_updates(
    client, board_member, lead, other_lead, governance, risk
):
    cycle = cycle_for(2021, 2)
    approved_ws = factories.WorkstreamFactory(name="DIRECTION & ENGAGEMENT")
    approved_ws.baf_risks.add(risk)
    approved_ws.leads.add(other_lead)
    approved = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=approved_ws,
        overall_status=DeliveryStatus.ON_TRACK,
        forecast_status=DeliveryStatus.ON_TRACK,
    )
    approved.baf_risks.add(risk)
    workflow.submit(update=approved, by=other_lead)
    workflow.approve(update=approved, by=governance)
    draft_ws = factories.WorkstreamFactory(name="DIGITAL")
    draft_ws.leads.add(lead)
    draft = factories.WorkstreamUpdateFactory(cycle=cycle, workstream=draft_ws)
    draft.baf_risks.add(risk)
    thread_update = factories.GoldenThreadUpdateFactory(cycle=cycle)
    thread_update.golden_thread.system_leads.add(other_lead)
    thread_update.baf_risks.add(risk)

    client.force_login(board_member)
    html = client.get(url(risk)).content.decode()
    assert "DIRECTION &amp; ENGAGEMENT" in html  # linked workstream and approved update
    cited = html.split("Updates that cited this risk")[1]
    assert "DIRECTION &amp; ENGAGEMENT" in cited
    assert "DIGITAL" not in cited  # a draft is not the board's to read
    assert thread_update.golden_thread.label not in cited

    client.force_login(lead)
    cited = client.get(url(risk)).content.decode().split("Updates that cited this risk")[1]
    assert "DIGITAL" in cited  # the lead's own draft
    assert "DIRECTION &amp; ENGAGEMENT" not in cited  # another lead's update

    client.force_login(governance)
    cited = client.get(url(risk)).content.decode().split("Updates that cited this risk")[1]
    assert "DIGITAL" in cited and "DIRECTION &amp; ENGAGEMENT" in cited
    assert thread_update.golden_thread.label in cited


def test_the_owner_is_pointed_to_their_open_review(client, lead, board_member, governance, risk):
    cycle = cycle_for(2021, 3)
    actions.open_risk_reviews(cycle=cycle, by=governance)
    review = risk.reviews.get(cycle=cycle)
    client.force_login(lead)
    assert review.get_absolute_url() in client.get(url(risk)).content.decode()
    client.force_login(board_member)
    assert review.get_absolute_url() not in client.get(url(risk)).content.decode()


def test_a_reference_is_found_however_it_is_typed(client, board_member, risk):
    client.force_login(board_member)
    response = client.get("/risks/7/")
    assert response.status_code == 302
    assert response["Location"] == url(risk)
    assert client.get("/risks/99/").status_code == 404


def test_a_closed_risk_shows_why(client, board_member, governance, risk):
    actions.close_risk(risk=risk, by=governance, reason="Merged into risk 09.")
    client.force_login(board_member)
    html = client.get(url(risk)).content.decode()
    assert "Closed on" in html and "Merged into risk 09." in html


def test_anonymous_is_sent_to_sign_in(client, risk):
    assert client.get(url(risk))["Location"].startswith(reverse("login"))


def test_outsider_gets_404(client, outsider, risk):
    client.force_login(outsider)
    assert client.get(url(risk)).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "lead", "other_lead", "governance"])
def test_readers_see_it_and_only_governance_is_offered_changes(client, request, who, risk):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(risk))
    assert response.status_code == 200
    offers_edit = reverse("risks:edit", kwargs={"reference": "07"}) in response.content.decode()
    assert offers_edit is (who == "governance")
