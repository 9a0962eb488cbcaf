"""Exports open in Excel with the values and colours people expect, nothing in them can run
as a formula, and export -> edit -> re-import round-trips."""

import csv
import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dataio import exporters
from ics_portal.status import WorkflowState
from reporting.models import MilestoneProgress, WorkstreamUpdate
from risks.matrix import colour_style
from risks.models import BAFRisk
from tests import factories
from workstreams.models import Theme, Workstream

from .support import errors, run_file


def workbook(export):
    assert export.content_type == exporters.XLSX
    return load_workbook(io.BytesIO(export.content))


def fill_of(cell) -> str:
    return cell.fill.fgColor.rgb[-6:].upper()


def rows_of(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def register(db):
    owner = factories.UserFactory(email="cat.owner@example.nhs.uk", full_name="Cat Owner")
    risks = [
        factories.BAFRiskFactory(
            reference="03",
            title="Risk to delivery of QIPP Plan",
            description="QIPP not delivered.",
            category=BAFRisk.Category.SERVICE_DELIVERY,
            initial_likelihood=4,
            initial_consequence=5,
            current_likelihood=4,
            current_consequence=5,
            target_likelihood=2,
            target_consequence=5,
            owner=owner,
            owner_role="Chief Finance Officer",
            mitigating_actions="<ul><li>Monthly PMO review</li><li>Recovery plans</li></ul>",
        ),
        factories.BAFRiskFactory(
            reference="16",
            title="Failure to deliver key NHS Constitution Targets",
            description="Targets missed.",
            category=BAFRisk.Category.QUALITY,
            initial_likelihood=4,
            initial_consequence=4,
            current_likelihood=4,
            current_consequence=4,
            target_likelihood=1,
            target_consequence=3,
            owner_role="Chief Officer",
        ),
        factories.BAFRiskFactory(
            reference="12",
            title="Failure to engage with Member Practices",
            description="Practices disengage.",
            category=BAFRisk.Category.SERVICE_DELIVERY,
            initial_likelihood=3,
            initial_consequence=4,
            current_likelihood=4,
            current_consequence=4,
            target_likelihood=2,
            target_consequence=4,
            owner=owner,  # an owner but no SRO role: the register's SRO cell is blank
        ),
    ]
    closed = factories.BAFRiskFactory(
        reference="20", status=BAFRisk.Status.CLOSED, closed_reason="Mitigated"
    )
    return {"risks": risks, "closed": closed}


# --- BAF risk register --------------------------------------------------------------------------


def test_the_register_is_grouped_by_category_with_scores_written_as_on_paper(register):
    sheet = workbook(exporters.export("risk-register")).worksheets[0]
    assert sheet.title == "BAF risk register"
    rows = [r for r in rows_of(sheet) if any(v is not None for v in r)]
    assert rows[0][0] == "Board Assurance Framework: risk register"
    assert rows[2] == exporters.REGISTER_HEADERS
    assert [r[0] for r in rows[3:]] == [
        "Service/transformation delivery",
        "03",
        "12",
        "Quality management",
        "16",
    ]
    assert rows[4] == [
        "03",
        "Risk to delivery of QIPP Plan",
        "20 4x5 Red",
        "20 4x5 Red",
        "10 2x5 Amber",
        "QIPP not delivered.",
        "• Monthly PMO review\n• Recovery plans",
        "Chief Finance Officer",
        "cat.owner@example.nhs.uk",
    ]
    assert rows[7][2:5] == ["16 4x4 Red", "16 4x4 Red", "3 1x3 Green"]
    assert "20" not in [r[0] for r in rows]  # closed risks are not on the register


def test_score_cells_are_filled_with_the_band_colour(register):
    sheet = workbook(exporters.export("risk-register")).worksheets[0]
    by_ref = {row[0].value: row for row in sheet.iter_rows() if row[0].value in ("03", "12", "16")}
    assert fill_of(by_ref["03"][2]) == colour_style("red").fill.lstrip("#").upper()  # 20 Red
    assert fill_of(by_ref["03"][4]) == colour_style("amber").fill.lstrip("#").upper()  # 10 Amber
    assert fill_of(by_ref["12"][2]) == colour_style("amber").fill.lstrip("#").upper()  # 12
    assert fill_of(by_ref["16"][4]) == colour_style("green").fill.lstrip("#").upper()  # 3 Green
    assert fill_of(by_ref["03"][2]) == "D5281B"
    assert by_ref["03"][2].font.color.rgb.endswith("FFFFFF")  # white on red, readable
    assert by_ref["03"][1].fill.fill_type is None  # only score cells are coloured
    heading = next(r for r in sheet.iter_rows() if r[0].value == "Quality management")
    assert heading[0].font.bold


# --- cycle return -------------------------------------------------------------------------------


@pytest.fixture
def cycle_with_updates(plan, governance):
    cycle = factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=2,
        opens_on=date(2021, 9, 1),
        submission_deadline=date(2021, 9, 24),
        review_deadline=date(2021, 10, 8),
        board_meeting_date=date(2021, 10, 27),
    )
    de = plan["workstream"]
    de.leads.add(plan["people"]["ann.lead@example.nhs.uk"])
    de.deputies.add(plan["people"]["bob.deputy@example.nhs.uk"])
    due = factories.MilestoneFactory(
        title="Vision agreed", due_date=date(2021, 9, 30), due_label="Delivery by Sept 2021"
    )
    later = factories.MilestoneFactory(title="Strategy published", due_date=date(2022, 3, 31))
    de.milestones.add(due, later)
    update = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=de,
        overall_status="ON_TRACK",
        forecast_status="AT_RISK",
        status_explanation="Recruitment is slow",
        state=WorkflowState.APPROVED,
        submitted_at=timezone.make_aware(datetime(2021, 9, 20, 12)),
        approved_at=timezone.make_aware(datetime(2021, 9, 27, 12)),
        approved_by=governance,
    )
    MilestoneProgress.objects.create(update=update, milestone=due, status="COMPLETE")
    digital = factories.WorkstreamFactory(
        code="DIG", name="DIGITAL", theme=plan["themes"]["digital"]
    )
    factories.WorkstreamUpdateFactory(cycle=cycle, workstream=digital, overall_status="DELAYED")
    factories.GoldenThreadUpdateFactory(
        cycle=cycle, golden_thread=plan["thread"], overall_status="ON_TRACK"
    )
    return cycle


def test_the_cycle_return_has_a_summary_and_a_sheet_per_theme(cycle_with_updates):
    book = workbook(exporters.export("cycle-return", cycle=cycle_with_updates))
    assert book.sheetnames == [
        "Summary",
        "Direction & Engagement",
        "System and digital transformati",
        "Golden threads",
    ]
    summary = rows_of(book["Summary"])
    assert summary[0][0] == "Cycle return Q2 2021/22 (July to September 2021)"
    assert summary[2][0].startswith("Status counts: approved updates only.")
    header = summary[4]
    assert header[:3] == ["Theme", "Not started", "On track"]
    body = {r[0]: r for r in summary[5:]}
    on_track, delayed = header.index("On track"), header.index("Delayed")
    waiting = header.index("Not yet approved")
    assert body["Direction & Engagement"][on_track] == 1
    # DIGITAL says Delayed but is not approved: counted as not yet approved (ADR 0007).
    assert body["System and digital transformation"][delayed] == 0
    assert body["System and digital transformation"][waiting] == 1
    assert body["Golden threads"][-2:] == [1, 1]  # not yet approved, one update
    assert body["All updates"][-2:] == [2, 3]


def test_a_theme_sheet_has_lead_status_forecast_milestones_and_dates(cycle_with_updates):
    sheet = workbook(exporters.export("cycle-return", cycle=cycle_with_updates))[
        "Direction & Engagement"
    ]
    rows = rows_of(sheet)
    assert rows[2] == exporters.RETURN_HEADERS
    code, name, lead, deputies, status, forecast, why, due, state, submitted, approved = rows[3]
    assert (code, name) == ("DE", "DIRECTION & ENGAGEMENT")
    assert lead == "Ann Lead (CUH)" and deputies == "Bob Deputy (CUH)"
    assert (status, forecast, why) == ("On track", "At risk", "Recruitment is slow")
    assert due == "Vision agreed (Delivery by Sept 2021): Complete"  # not the March milestone
    assert state == "Approved"
    assert (submitted.date(), approved.date()) == (date(2021, 9, 20), date(2021, 9, 27))
    # The status word is in the cell, and its colour behind it.
    assert fill_of(sheet.cell(4, 5)) == colour_style("green").tint.lstrip("#").upper()
    assert fill_of(sheet.cell(4, 6)) == colour_style("amber").tint.lstrip("#").upper()


# --- updates CSV and injection ------------------------------------------------------------------


def test_updates_csv_for_analysis(cycle_with_updates):
    export = exporters.export("updates")
    assert export.content_type.startswith("text/csv") and export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == exporters.UPDATE_HEADERS
    de = next(r for r in rows if r[2] == "DE")
    assert de[:10] == [
        "Q2 2021/22",
        "Workstream",
        "DE",
        "DIRECTION & ENGAGEMENT",
        "Direction & Engagement",
        "Ann Lead (CUH)",
        "On track",
        "At risk",
        "Recruitment is slow",
        "",
    ]
    assert de[10:13] == ["Approved", "2021-09-20", "2021-09-27"]
    assert [r[1] for r in rows[1:]] == ["Workstream", "Workstream", "Golden thread"]


def test_csv_injection_is_neutralised(cycle_with_updates):
    WorkstreamUpdate.objects.filter(workstream__code="DIG").update(
        status_explanation='=HYPERLINK("http://evil.example","Click")'
    )
    Theme.objects.filter(number=1).update(name="@SUM(1+1)")
    rows = list(csv.reader(io.StringIO(exporters.export("updates").content.decode("utf-8-sig"))))
    dig = next(r for r in rows if r[2] == "DIG")
    assert dig[8] == '\'=HYPERLINK("http://evil.example","Click")'
    themes = rows_of(workbook(exporters.export("themes")).worksheets[0])
    assert themes[1][1] == "'@SUM(1+1)"
    for kind in ("updates", "themes", "workstreams"):
        for fmt in exporters.EXPORT_KINDS[kind].formats:
            content = exporters.export(kind, fmt=fmt).content
            if fmt == "csv":
                cells = [c for r in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in r]
            else:
                cells = [
                    c for r in rows_of(load_workbook(io.BytesIO(content)).worksheets[0]) for c in r
                ]
            assert not [c for c in cells if isinstance(c, str) and c[:1] and c[0] in "=+-@"], kind


def test_an_exported_formula_cell_is_text_in_excel(cycle_with_updates):
    Theme.objects.filter(number=1).update(name="=1+1")
    sheet = workbook(exporters.export("themes")).worksheets[0]
    cell = sheet.cell(2, 2)
    assert (cell.value, cell.data_type) == ("'=1+1", "s")


# --- export -> edit -> re-import ----------------------------------------------------------------


def test_the_register_round_trips_through_excel(register, governance):
    export = exporters.export("risk-register")
    unedited = run_file("risks", export.filename, export.content, by=governance)
    assert unedited.summary() == "0 to create, 0 to change, 3 unchanged"
    book = workbook(export)
    sheet = book.worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == "12")
    row[3].value = "6 2x3 Yellow"  # current score, edited in Excel
    row[7].value = "Director of Primary Care"
    buffer = io.BytesIO()
    book.save(buffer)
    edited = buffer.getvalue()

    preview = run_file("risks", export.filename, edited, by=governance)
    assert preview.is_valid, errors(preview)
    assert [(o.label, o.changes) for o in preview.changed] == [
        ("12 – Failure to engage with Member Practices", ("Current risk score", "SRO"))
    ]
    assert len(preview.unchanged) == 2

    report = run_file("risks", export.filename, edited, by=governance, commit=True)
    assert report.committed
    risk = BAFRisk.objects.get(reference="12")
    assert (risk.current_likelihood, risk.current_consequence, risk.owner_role) == (
        2,
        3,
        "Director of Primary Care",
    )
    assert risk.category == BAFRisk.Category.SERVICE_DELIVERY  # from its heading row
    assert risk.mitigating_actions == register["risks"][2].mitigating_actions
    # The edited register exports as it was edited, and re-imports unchanged.
    again = exporters.export("risk-register")
    assert run_file("risks", again.filename, again.content, by=governance).summary() == (
        "0 to create, 0 to change, 3 unchanged"
    )


def test_rich_text_keeps_its_formatting_when_the_words_are_unchanged(register, governance):
    export = exporters.export("risks", fmt="csv")
    report = run_file("risks", export.filename, export.content, by=governance, commit=True)
    assert report.summary() == "0 created, 0 changed, 3 unchanged"
    assert BAFRisk.objects.get(reference="03").mitigating_actions.startswith("<ul><li>")


def test_workstreams_round_trip_through_csv(plan, governance):
    export = exporters.export("workstreams", fmt="csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = rows[0]
    rows[1][header.index("Leads")] = "ann.lead@example.nhs.uk; bob.deputy@example.nhs.uk"
    rows[1][header.index("BAF risks")] = "07"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    report = run_file(
        "workstreams",
        "workstreams.csv",
        buffer.getvalue().encode("cp1252"),
        by=governance,
        commit=True,
    )
    assert [(o.label, o.changes) for o in report.changed] == [
        ("DE – DIRECTION & ENGAGEMENT", ("Leads", "BAF risks"))
    ]
    de = Workstream.objects.get(code="DE")
    assert de.leads.count() == 2 and [r.reference for r in de.baf_risks.all()] == ["07"]


def test_update_statuses_round_trip_through_the_updates_csv(cycle_with_updates, governance):
    export = exporters.export("updates", fmt="csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    dig = next(r for r in rows if r[2] == "DIG")
    dig[6] = "On-Track"  # was Delayed
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    report = run_file(
        "updates", "updates.csv", buffer.getvalue().encode(), by=governance, commit=True
    )
    assert report.summary() == "0 created, 1 changed, 2 unchanged", errors(report)
    update = WorkstreamUpdate.objects.get(workstream__code="DIG")
    assert (update.overall_status, update.state) == ("ON_TRACK", WorkflowState.DRAFT)


@pytest.mark.parametrize(
    "kind",
    [
        "organisations",
        "people",
        "themes",
        "golden-threads",
        "risks",
        "workstreams",
        "objectives",
        "milestones",
    ],
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_plan_export_reimports_unchanged(kind, fmt, plan, register, governance):
    factories.ObjectiveFactory(
        workstream=plan["workstream"], number=1, target_fy_start_year=2021, target_quarter=1
    )
    factories.MilestoneFactory(title="Vision agreed").workstreams.add(plan["workstream"])
    plan["thread"].system_leads.add(plan["people"]["ann.lead@example.nhs.uk"])
    export = exporters.export(kind, fmt=fmt)
    report = run_file(kind, export.filename, export.content, by=governance)
    assert report.is_valid, errors(report)
    assert not report.has_changes and report.unchanged, (kind, report.changed, report.created)
