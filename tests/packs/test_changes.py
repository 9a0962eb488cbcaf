"""What changed since last quarter (packs/changes.py) and how the pack presents risks that were
not reviewed this quarter (packs/content.py RiskRow)."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from packs.content import build_pack_content
from risks.models import BAFRisk

from .. import factories
from .history import (
    AT_RISK,
    COMPLETE,
    DELAYED,
    NOT_STARTED,
    ON_TRACK,
    SUBMITTED,
    pack_html,
    quarter,
    review,
    section_text,
    thread_update,
    ws_update,
)


def _milestone(title, due, label):
    return factories.MilestoneFactory(title=title, due_date=due, due_label=label)


@pytest.fixture
def history(governance):
    """Q1 2021/22 with every update and review approved; Q2 2021/22 approved with a status
    move, a forecast move, a slip, a new and a completed milestone, a risk up and one down, a
    new and a closed risk, and one update and one review not yet approved."""
    q1, q2 = quarter(1), quarter(2)
    slip = _milestone(
        "Shared care record procured", datetime.date(2021, 9, 30), "Delivery by Sept 2021"
    )
    done = _milestone(
        "Digital strategy agreed", datetime.date(2021, 12, 31), "Delivery by Dec 2021"
    )
    added = _milestone("Cyber audit", datetime.date(2022, 3, 31), "Delivery by March 2022")
    digital = factories.WorkstreamFactory(name="DIGITAL")
    estates = factories.WorkstreamFactory(name="ESTATES")
    workforce = factories.WorkstreamFactory(name="WORKFORCE")
    ws_update(q1, digital, governance, milestones=[(slip, ON_TRACK, None), (done, ON_TRACK, None)])
    ws_update(q1, estates, governance)
    ws_update(q1, workforce, governance)
    ws_update(
        q2,
        digital,
        governance,
        status=AT_RISK,
        forecast=DELAYED,
        milestones=[
            (slip, DELAYED, datetime.date(2021, 12, 31)),
            (done, COMPLETE, None),
            (added, ON_TRACK, None),
        ],
    )
    ws_update(q2, estates, governance, status=DELAYED, state=SUBMITTED)
    ws_update(q2, workforce, governance)
    thread = factories.GoldenThreadFactory(name="Health inequalities")
    thread_update(q1, thread, governance)
    thread_update(q2, thread, governance, status=AT_RISK)
    up = factories.BAFRiskFactory(reference="01", title="Up")
    down = factories.BAFRiskFactory(reference="02", title="Down")
    new = factories.BAFRiskFactory(reference="03", title="Newly added")
    closed = factories.BAFRiskFactory(
        reference="04",
        title="Gone",
        status=BAFRisk.Status.CLOSED,
        closed_reason="Mitigated",
        closed_at=timezone.now(),
    )
    waiting = factories.BAFRiskFactory(reference="05", title="Waiting")
    review(up, q1, governance, 3, 4)
    review(up, q2, governance, 4, 4)
    review(down, q1, governance, 3, 4)
    review(down, q2, governance, 2, 4)
    review(new, q2, governance, 2, 2)
    review(closed, q1, governance, 3, 3)
    review(waiting, q1, governance, 3, 3)
    review(waiting, q2, governance, 5, 5, state=SUBMITTED, rationale="<p>Draft words</p>")
    return SimpleNamespace(q1=q1, q2=q2, waiting=waiting, thread=thread)


def test_two_quarters_give_a_sentence_for_each_change(history):
    changes = build_pack_content(history.q2).changes
    assert changes.of_kind("status") == [
        "DIGITAL moved from On track to At risk.",
        f"{history.thread} moved from On track to At risk.",
    ]
    assert changes.of_kind("forecast") == [
        "DIGITAL\u2019s forecast for next quarter moved from On track to Delayed."
    ]
    assert changes.of_kind("milestone") == [
        "Shared care record procured (DIGITAL) slipped from Sept 2021 to 31 December 2021."
    ]
    assert changes.of_kind("new_milestone") == [
        "Cyber audit (DIGITAL) is a new milestone this quarter, due March 2022."
    ]
    assert changes.of_kind("completed_milestone") == [
        "Digital strategy agreed (DIGITAL) was completed this quarter."
    ]
    assert sorted(changes.of_kind("risk")) == [
        "Risk 01 (Up) increased from 12 (3×4) High to 16 (4×4) Extreme.",
        "Risk 02 (Down) reduced from 12 (3×4) High to 8 (2×4) High.",
    ]
    assert changes.of_kind("new_risk") == ["Risk 03 (Newly added) is new this quarter."]
    assert changes.of_kind("closed_risk") == ["Risk 04 (Gone) was closed."]
    assert changes.of_kind("not_approved") == [
        "1 workstream update and 1 risk review are not yet approved and are not reflected above."
    ]
    assert [g.title for g in changes.groups] == [
        "Statuses",
        "Milestones",
        "Risks",
        "Not yet approved",
    ]
    # Everything could be compared, so nothing says it could not.
    assert not changes.of_kind("not_compared", "unchanged")


def test_the_summary_shows_the_sentences_under_small_headings(history):
    summary = section_text(pack_html(history.q2), "summary")
    assert (
        "Statuses DIGITAL moved from On track to At risk. DIGITAL\u2019s forecast for next "
        f"quarter moved from On track to Delayed. {history.thread} moved from On track to "
        "At risk. Milestones" in summary
    )
    assert "Milestones Shared care record procured (DIGITAL) slipped from Sept 2021" in summary
    assert "Not yet approved 1 workstream update and 1 risk review are not yet approved" in summary


def test_a_slip_is_measured_from_last_quarters_revised_date(governance):
    q1, q2 = quarter(1), quarter(2)
    milestone = _milestone("Estates plan", datetime.date(2021, 9, 30), "Delivery by Sept 2021")
    estates = factories.WorkstreamFactory(name="ESTATES")
    ws_update(
        q1, estates, governance, milestones=[(milestone, DELAYED, datetime.date(2021, 12, 31))]
    )
    ws_update(
        q2, estates, governance, milestones=[(milestone, DELAYED, datetime.date(2022, 3, 31))]
    )
    changes = build_pack_content(q2).changes
    assert changes.of_kind("milestone") == [
        "Estates plan (ESTATES) slipped from 31 December 2021 to 31 March 2022."
    ]
    # The same revised date as last quarter is not a new slip.
    q3 = quarter(3)
    ws_update(
        q3, estates, governance, milestones=[(milestone, DELAYED, datetime.date(2022, 3, 31))]
    )
    changes = build_pack_content(q3).changes
    assert changes.of_kind("milestone") == []
    assert "No milestone slipped, was added or was completed since Q2 2021/22." in (
        changes.sentences
    )


def test_no_approved_updates_last_quarter_says_what_cannot_be_compared(governance):
    """Q1 has reviews but no approved workstream updates: statuses cannot be compared, but
    the slip against the delivery date is still reported (the Updated Clinical Strategy case)."""
    q1, q2 = quarter(1), quarter(2)
    clinical = factories.WorkstreamFactory(name="CLINICAL LEADERSHIP")
    strategy = _milestone(
        "Updated Clinical Strategy", datetime.date(2021, 9, 30), "Delivery by Sept 2021"
    )
    ws_update(q1, clinical, governance, status=ON_TRACK, state=NOT_STARTED)
    ws_update(
        q2,
        clinical,
        governance,
        forecast=DELAYED,
        milestones=[(strategy, DELAYED, datetime.date(2021, 12, 31))],
    )
    risk = factories.BAFRiskFactory(reference="07")
    review(risk, q1, governance, 3, 3, state=SUBMITTED)
    review(risk, q2, governance, 4, 3)
    changes = build_pack_content(q2).changes
    sentences = changes.sentences
    assert (
        "Q1 2021/22 has no approved workstream updates, so workstream statuses and forecasts "
        "cannot be compared." in sentences
    )
    assert "Q1 2021/22 has no approved risk reviews, so risk scores cannot be compared." in (
        sentences
    )
    assert (
        "Updated Clinical Strategy (CLINICAL LEADERSHIP) slipped from Sept 2021 to "
        "31 December 2021." in sentences
    )
    assert "CLINICAL LEADERSHIP is On track now and forecast Delayed for Q3 2021/22." in (sentences)
    assert not changes.of_kind("unchanged", "status", "risk", "new_risk")


def test_no_earlier_cycle_says_so_for_each_comparison(governance):
    q2 = quarter(2)
    ws_update(q2, factories.WorkstreamFactory(name="DIGITAL"), governance)
    review(factories.BAFRiskFactory(), q2, governance, 3, 4)
    changes = build_pack_content(q2).changes
    assert changes.of_kind("not_compared") == [
        "There is no reporting cycle before Q2 2021/22, so workstream statuses and forecasts "
        "cannot be compared.",
        "There is no reporting cycle before Q2 2021/22, so golden-thread statuses cannot be "
        "compared.",
        "There is no reporting cycle before Q2 2021/22, so new and completed milestones cannot "
        "be identified; revised dates are compared with delivery dates.",
        "There is no reporting cycle before Q2 2021/22, so risk scores cannot be compared.",
    ]
    assert not changes.of_kind("unchanged", "status", "risk", "new_risk")
    assert changes.of_kind("no_slip") == [
        "No milestone in an approved update has a revised date different from its delivery date."
    ]


def test_a_workstream_new_this_quarter_is_named_as_not_comparable(governance):
    q1, q2 = quarter(1), quarter(2)
    old, new = factories.WorkstreamFactory(name="OLD"), factories.WorkstreamFactory(name="NEW")
    ws_update(q1, old, governance)
    ws_update(q2, old, governance)
    ws_update(q2, new, governance, status=DELAYED)
    sentences = build_pack_content(q2).changes.sentences
    assert "NEW has no approved Q1 2021/22 update to compare with." in sentences
    assert (
        "No workstream\u2019s status or forecast changed since Q1 2021/22 among those that can "
        "be compared." in sentences
    )


@pytest.fixture
def nothing_reviewed(governance):
    """Q2 approved; Q3 open with every update and review not started."""
    q2, q3 = quarter(2), quarter(3, status="OPEN")
    digital = factories.WorkstreamFactory(name="DIGITAL")
    thread = factories.GoldenThreadFactory(name="Workforce")
    risk = factories.BAFRiskFactory(
        reference="11", title="Instability", rationale="<p>Register words</p>"
    )
    ws_update(q2, digital, governance)
    thread_update(q2, thread, governance)
    review(risk, q2, governance, 4, 4, rationale="<p>Q2 review words</p>")
    ws_update(q3, digital, governance, state=NOT_STARTED)
    thread_update(q3, thread, governance, state=NOT_STARTED)
    review(risk, q3, governance, 2, 2, state=NOT_STARTED, rationale="<p>Unapproved words</p>")
    return SimpleNamespace(q2=q2, q3=q3, risk=risk)


def test_a_quarter_with_nothing_reviewed_claims_no_review_and_no_change(nothing_reviewed):
    markup = pack_html(nothing_reviewed.q3)
    summary = section_text(markup, "summary")
    assert "reviewed this quarter." not in summary.replace("Not reviewed this quarter", "")
    assert "No risk review has been approved this quarter" in summary
    # Nothing could be compared, so nothing is said to be unchanged.
    assert "changed since Q2" not in summary and "No statuses" not in summary
    for sentence in (
        "Q3 2021/22 has no approved workstream updates yet, so workstream statuses and "
        "forecasts cannot be compared.",
        "Q3 2021/22 has no approved workstream updates yet, so milestone dates cannot be compared.",
        "Q3 2021/22 has no approved risk reviews yet, so risk scores cannot be compared.",
        "1 risk review is not yet approved and is not reflected above.",
        "1 workstream update and 1 golden-thread update have not been submitted and are not "
        "reflected above.",
    ):
        assert sentence in summary
    register = section_text(markup, "risk-register")
    # The latest approved score (Q2's 16), labelled with its quarter; not the unapproved 4.
    assert "16 (4×4) Extreme 8 (2×4) High – Not reviewed (Q2 2021/22 score)" in register
    assert "Not reviewed this quarter: latest approved score, Q2 2021/22" in register
    assert "4 (2×2)" not in register


def test_a_risk_row_prefers_the_approved_reviews_words(nothing_reviewed, governance):
    row = build_pack_content(nothing_reviewed.q3).risks[0]
    assert not row.reviewed
    assert row.scored_in == "Q2 2021/22"
    assert row.rationale == "<p>Q2 review words</p>"
    assert row.controls == nothing_reviewed.risk.controls  # the review gave none: the register's
    assert row.direction.word == "Not reviewed (Q2 2021/22 score)"


def test_a_risk_never_reviewed_shows_the_registers_score(governance):
    q2 = quarter(2)
    risk = factories.BAFRiskFactory(reference="09")
    row = build_pack_content(q2).risks[0]
    assert row.risk == risk and not row.reviewed and row.scored_in == ""
    assert row.current.value == risk.current_score.value
    assert row.review_note == (
        "Not reviewed this quarter: score as on the register (no approved review)"
    )


def test_what_changed_query_count_does_not_grow_with_history(governance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    q1, q2 = quarter(1), quarter(2)

    def add(n):
        for _ in range(n):
            ws = factories.WorkstreamFactory()
            milestone = factories.MilestoneFactory()
            ws_update(q1, ws, governance, milestones=[(milestone, ON_TRACK, None)])
            ws_update(
                q2,
                ws,
                governance,
                status=AT_RISK,
                milestones=[(milestone, DELAYED, datetime.date(2022, 3, 31))],
            )
            thread = factories.GoldenThreadFactory()
            thread_update(q1, thread, governance)
            thread_update(q2, thread, governance, status=DELAYED)
            risk = factories.BAFRiskFactory()
            review(risk, q1, governance, 2, 2)
            review(risk, q2, governance, 3, 3)
            factories.BAFRiskFactory(
                status=BAFRisk.Status.CLOSED, closed_reason="Mitigated", closed_at=timezone.now()
            )
            review(factories.BAFRiskFactory(), q1, governance, 2, 2)

    add(3)
    with CaptureQueriesContext(connection) as small:
        build_pack_content(q2)
    add(6)
    with CaptureQueriesContext(connection) as large:
        content = build_pack_content(q2)
    assert len(content.changes.of_kind("milestone")) == 9
    assert len(large.captured_queries) == len(small.captured_queries)


def test_approved_state_is_what_counts(history):
    """The ESTATES update was submitted Delayed: not a status move, only counted as waiting."""
    changes = build_pack_content(history.q2).changes
    assert not any("ESTATES" in s for s in changes.of_kind("status", "forecast"))
    # Risk 05's Q2 review is submitted at 25: the row keeps its approved Q1 score and words.
    row = next(r for r in build_pack_content(history.q2).risks if r.risk == history.waiting)
    assert not row.reviewed and row.current.value == 9 and row.scored_in == "Q1 2021/22"
    assert row.rationale != "<p>Draft words</p>"


def test_a_slip_is_measured_from_the_workstreams_own_delivery_date(governance):
    """A shared milestone due in Sept 2021 is due in July 2021 in COLLECTIVE RISK MANAGEMENT:
    its slip there is from July, as that workstream's plan says."""
    from workstreams.models import WorkstreamMilestone

    q1, q2 = quarter(1), quarter(2)
    shared = _milestone(
        "Agreement on organisational form", datetime.date(2021, 9, 30), "Delivery by Sept 2021"
    )
    crm = factories.WorkstreamFactory(name="COLLECTIVE RISK MANAGEMENT")
    digital = factories.WorkstreamFactory(name="DIGITAL")
    ws_update(q1, crm, governance)
    ws_update(q1, digital, governance)
    WorkstreamMilestone.objects.create(
        workstream=crm,
        milestone=shared,
        due_date=datetime.date(2021, 7, 31),
        due_label="Delivery by July 2021",
    )
    revised = datetime.date(2021, 11, 30)
    ws_update(q2, crm, governance, milestones=[(shared, DELAYED, revised)])
    ws_update(q2, digital, governance, milestones=[(shared, DELAYED, revised)])
    assert sorted(build_pack_content(q2).changes.of_kind("milestone")) == [
        "Agreement on organisational form (COLLECTIVE RISK MANAGEMENT) slipped from July 2021 "
        "to 30 November 2021.",
        "Agreement on organisational form (DIGITAL) slipped from Sept 2021 to 30 November 2021.",
    ]


def test_the_summary_does_not_claim_approval_for_a_quarter_with_nothing_approved(
    nothing_reviewed,
):
    summary = section_text(pack_html(nothing_reviewed.q3), "summary")
    assert "approved by the governance team" not in summary
    assert "compiled before any update for the quarter was approved" in summary
