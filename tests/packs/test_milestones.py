"""The board pack's milestone section (packs/milestones.py): the three buckets for a quarter,
each workstream's own date and status for a shared milestone, grouping and the appendix, and a
query count that does not grow with the workstreams."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from ics_portal.status import DeliveryStatus, WorkflowState
from packs.content import build_pack_content
from packs.milestones import MAX_NAMES, build_milestone_section, group_rows
from reporting.numbers import MilestoneRow

from .. import factories


def _approver():
    return factories.UserFactory.create()


Q2 = Quarter(2021, 2)  # 1 July - 30 September 2021
JUNE, AUG, SEPT, NOV = (
    datetime.date(2021, 6, 30),
    datetime.date(2021, 8, 31),
    datetime.date(2021, 9, 30),
    datetime.date(2021, 11, 30),
)


def _row(pk, title, due, status=DeliveryStatus.ON_TRACK, revised=None, label=""):
    return MilestoneRow(pk, title, label, due, status, revised, "")


def _titles(bucket):
    return [m.row.title for m in bucket]


# --- the buckets ---------------------------------------------------------------------------------


def test_buckets_for_a_constructed_quarter():
    rows = [
        _row(1, "due in quarter, on track", AUG),
        _row(2, "due earlier, not complete", JUNE),
        _row(3, "due in quarter, delayed", SEPT, DeliveryStatus.DELAYED),
        _row(4, "revised past quarter end", SEPT, DeliveryStatus.AT_RISK, revised=NOV),
        _row(5, "due earlier, complete", JUNE, DeliveryStatus.COMPLETE),
        _row(6, "due in quarter, complete", SEPT, DeliveryStatus.COMPLETE),
        _row(7, "due next quarter", NOV),
        _row(8, "due earlier, no status reported", JUNE, ""),
    ]
    section = build_milestone_section([("ONE", rows)], Q2)

    # Each row in one bucket: overdue wins, so a late row is not listed as due as well.
    assert _titles(section.due_this_quarter) == [
        "due in quarter, on track",
        "due in quarter, complete",
    ]
    assert _titles(section.overdue) == [
        "due earlier, no status reported",
        "due earlier, not complete",
        "due in quarter, delayed",
        "revised past quarter end",
    ]
    assert _titles(section.due_next_quarter) == ["due next quarter"]
    buckets = (section.due_this_quarter, section.due_next_quarter, section.overdue)
    listed = [title for bucket in buckets for title in _titles(bucket)]
    assert len(listed) == len(set(listed))
    # Due in the quarter and on track is due, not late; Complete is never overdue.
    assert "due in quarter, on track" not in _titles(section.overdue)
    assert not {"due earlier, complete", "due in quarter, complete"} & set(_titles(section.overdue))
    # The section's overdue list is exactly the shared rule's.
    assert {r.title for r in rows if r.overdue_in(Q2)} == set(_titles(section.overdue))


# --- grouping and the appendix -------------------------------------------------------------------


def test_rows_that_agree_are_grouped_and_rows_that_differ_are_not():
    shared = {"pk": 1, "title": "Agreement on organisational form at each level"}
    per_workstream = [
        ("CRM", [_row(**shared, due=datetime.date(2021, 7, 31), label="Delivery by July 2021")]),
        ("DE", [_row(**shared, due=SEPT, label="Delivery by Sept 2021")]),
        ("GOV", [_row(**shared, due=SEPT, label="Delivery by Sept 2021")]),
        ("OD", [_row(**shared, due=SEPT, label="Delivery by Sept 2021", status="COMPLETE")]),
    ]
    grouped = group_rows(per_workstream)
    assert [(g.due_label, g.status, g.workstreams) for g in grouped] == [
        ("Delivery by July 2021", "ON_TRACK", ["CRM"]),
        ("Delivery by Sept 2021", "ON_TRACK", ["DE", "GOV"]),
        ("Delivery by Sept 2021", "COMPLETE", ["OD"]),
    ]


def test_a_long_list_of_workstreams_goes_to_the_appendix_in_the_order_given():
    names = [f"WS{n:02d}" for n in range(12, 0, -1)]  # not alphabetical: the data's order
    per_workstream = [(name, [_row(1, "Shared", SEPT, label="Sept 2021")]) for name in names]
    per_workstream.append(("SHORT", [_row(2, "Then a few", SEPT)]))
    section = build_milestone_section(per_workstream, Q2)

    long_row, short_row = section.due_this_quarter
    assert long_row.workstreams_text == "12 workstreams (see A1)"
    assert short_row.workstreams_text == "SHORT" and short_row.appendix is None
    assert [e.reference for e in section.appendix] == ["A1"]
    assert section.appendix[0].row.workstreams == names

    html = render_to_string(
        "packs/_milestones.html",
        {"content": type("C", (), {"milestones": section})()},
    )
    assert 'href="#milestones-A1"' in html and 'id="milestones-A1"' in html
    assert "; ".join(names) in html  # the full list, once, in the appendix
    assert html.count("WS12") == 1


def test_up_to_max_names_are_named_in_the_row():
    names = [f"WS{n}" for n in range(MAX_NAMES)]
    section = build_milestone_section([(n, [_row(1, "Shared", SEPT)]) for n in names], Q2)
    assert section.due_this_quarter[0].workstreams_text == "; ".join(names)
    assert section.appendix == []


# --- from the database ---------------------------------------------------------------------------


@pytest.fixture
def q2(db):
    return factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)


def _approved(cycle, workstream, statuses):
    update = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=workstream,
        state=WorkflowState.APPROVED,
        approved_at=timezone.now(),
        approved_by=_approver(),
    )
    for milestone, (status, revised) in statuses.items():
        factories.MilestoneProgressFactory(
            update=update, milestone=milestone, status=status, revised_date=revised
        )
    return update


def test_a_shared_milestone_shows_each_workstreams_own_date_and_status(q2):
    theme = factories.ThemeFactory()
    shared = factories.MilestoneFactory(
        title="Agreement on organisational form at each level",
        due_date=SEPT,
        due_label="Delivery by Sept 2021",
    )
    early = factories.WorkstreamFactory(name="EARLY", code="EA", theme=theme, order=1)
    usual = factories.WorkstreamFactory(name="USUAL", code="US", theme=theme, order=2)
    done = factories.WorkstreamFactory(name="DONE", code="DN", theme=theme, order=3)
    early.milestones.add(
        shared,
        through_defaults={
            "due_date": datetime.date(2021, 7, 31),
            "due_label": "Delivery by July 2021",
        },
    )
    usual.milestones.add(shared)
    done.milestones.add(shared)
    _approved(q2, early, {shared: (DeliveryStatus.DELAYED, None)})
    _approved(q2, usual, {shared: (DeliveryStatus.ON_TRACK, None)})
    _approved(q2, done, {shared: (DeliveryStatus.COMPLETE, None)})

    content = build_pack_content(q2)
    due = [
        (m.row.due_label, m.row.status, m.workstreams_text)
        for m in content.milestones.due_this_quarter
    ]
    assert due == [
        ("Delivery by Sept 2021", "ON_TRACK", "USUAL"),
        ("Delivery by Sept 2021", "COMPLETE", "DONE"),
    ]
    assert [(m.row.due_label, m.workstreams_text) for m in content.milestones.overdue] == [
        ("Delivery by July 2021", "EARLY")
    ]
    # The workstream section's own table shows that workstream's date.
    sections = {s.workstream.code: s for t in content.themes for s in t.workstreams}
    assert sections["EA"].milestones[0].due_text == "Delivery by July 2021"
    assert sections["US"].milestones[0].due_text == "Delivery by Sept 2021"
    html = render_to_string("packs/_workstreams.html", {"content": content})
    early_part = html[html.index("<h4>EARLY</h4>") : html.index("<h4>USUAL</h4>")]
    assert "Delivery by July 2021" in early_part and "Sept 2021" not in early_part


def test_query_count_is_constant_as_workstreams_double(q2, django_assert_max_num_queries):
    theme = factories.ThemeFactory()
    shared = factories.MilestoneFactory(title="Shared", due_date=SEPT)

    def add(n):
        for _ in range(n):
            ws = factories.WorkstreamFactory(theme=theme)
            own = factories.MilestoneFactory(due_date=JUNE)
            ws.milestones.add(own)
            ws.milestones.add(shared, through_defaults={"due_date": AUG, "due_label": "Aug 2021"})
            _approved(q2, ws, {own: (DeliveryStatus.AT_RISK, None), shared: ("ON_TRACK", None)})

    add(3)
    with CaptureQueriesContext(connection) as few:
        small = build_pack_content(q2)
    add(3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        big = build_pack_content(q2)
    assert len(big.milestones.overdue) == 2 * len(small.milestones.overdue) == 6
    assert big.milestones.due_this_quarter[0].workstreams_text == "6 workstreams (see A1)"


# --- the demo ------------------------------------------------------------------------------------


def test_demo_collective_risk_management_keeps_its_july_date(db):
    call_command(
        "load_demo_data", password="correct-horse-battery", force=True, stdout=io.StringIO()
    )
    q2 = ReportingCycle.objects.get(fy_start_year=2021, quarter=2)
    content = build_pack_content(q2)
    crm = next(
        s
        for t in content.themes
        for s in t.workstreams
        if s.workstream.name == "COLLECTIVE RISK MANAGEMENT STRUCTURES AND MECHANISMS"
    )
    form = next(
        m for m in crm.milestones if m.title == "Agreement on organisational form at each level"
    )
    assert (form.due_label, form.due_date) == ("Delivery by July 2021", datetime.date(2021, 7, 31))
    # Elsewhere the same milestone is due by September, and the pack says so per workstream.
    rows = [
        m
        for m in content.milestones.due_this_quarter
        if m.row.title == "Agreement on organisational form at each level"
    ]
    assert {m.row.due_label for m in rows} == {"Delivery by July 2021", "Delivery by Sept 2021"}
    july = next(m for m in rows if m.row.due_label == "Delivery by July 2021")
    assert july.workstreams_text == "COLLECTIVE RISK MANAGEMENT STRUCTURES AND MECHANISMS"
    # A quarter's on-track milestones are due, not overdue (the demo's pack had 35 of 39 overdue).
    assert not any(m.row.status == DeliveryStatus.ON_TRACK for m in content.milestones.overdue)


def test_a_quarter_with_nothing_approved_keeps_last_quarters_milestone_statuses(q2):
    """Q3 with no approved update: a milestone completed in Q2 is not overdue now, one Q2
    revised into Q3 is due this quarter by its revised date, and each says which quarter
    reported it."""
    q3 = factories.ReportingCycleFactory(fy_start_year=2021, quarter=3)
    done = factories.MilestoneFactory(title="Draft Operating Plan", due_date=SEPT)
    slipped = factories.MilestoneFactory(title="Updated Clinical Strategy", due_date=SEPT)
    ws = factories.WorkstreamFactory(name="CLINICAL LEADERSHIP")
    ws.milestones.add(done, slipped)
    _approved(
        q2,
        ws,
        {
            done: (DeliveryStatus.COMPLETE, None),
            slipped: (DeliveryStatus.DELAYED, datetime.date(2021, 12, 31)),
        },
    )
    factories.WorkstreamUpdateFactory(cycle=q3, workstream=ws, state=WorkflowState.SUBMITTED)

    section = build_pack_content(q3).milestones
    assert _titles(section.overdue) == ["Updated Clinical Strategy"]  # due Sept, not complete
    assert "Draft Operating Plan" not in _titles(section.overdue)
    (row,) = [m.row for m in section.overdue]
    assert (row.status, row.revised_date, row.reported_in) == (
        DeliveryStatus.DELAYED,
        datetime.date(2021, 12, 31),
        "Q2 2021/22",
    )
    html = render_to_string(
        "packs/_milestone_table.html", {"rows": section.overdue, "empty": "none"}
    )
    assert "as reported in Q2 2021/22" in html
