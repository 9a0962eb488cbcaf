"""Each importer: the happy path, re-importing changes nothing, and row errors in plain
English by row and column. Nothing is written unless the whole file is valid."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from dataio import exporters
from dataio.importers import IMPORT_ORDER
from ics_portal.models import AuditEvent, Organisation, User
from ics_portal.status import WorkflowState
from reporting.models import WorkstreamUpdate
from risks.models import BAFRisk
from tests import factories
from workstreams.models import (
    GoldenThread,
    Milestone,
    Objective,
    Theme,
    Workstream,
    WorkstreamMilestone,
)

from .support import errors, example, run, run_file

# --- the whole run ------------------------------------------------------------------------------


def test_a_dry_run_writes_nothing(governance):
    report = run("themes", [["Number", "Name"], [1, "Direction & Engagement"]], by=governance)
    assert report.is_valid and not report.committed
    assert [o.label for o in report.created] == ["Direction & Engagement"]
    assert not Theme.objects.exists()
    assert not AuditEvent.objects.filter(verb="data.import").exists()


def test_one_bad_row_means_nothing_is_written(governance):
    report = run(
        "themes",
        [["Number", "Name"], [1, "Direction & Engagement"], ["two", "Digital"], [3, "Finance"]],
        by=governance,
        commit=True,
    )
    assert not report.committed
    assert errors(report) == ['Row 3, Number: "two" is not a whole number']
    assert not Theme.objects.exists()


def test_every_error_in_the_file_is_listed_by_row_and_column(plan):
    report = run(
        "workstreams",
        [
            ["Code", "Name", "Theme", "Leads", "BAF risks"],
            ["DE", "DIRECTION & ENGAGEMENT", "Direction & Engagement", "", "07"],
            ["XX", "NEW ONE", "No such theme", "nobody@example.nhs.uk", "99"],
            ["YY", "", "Direction & Engagement", "", ""],
        ],
    )
    assert errors(report) == [
        'Row 3, Theme: "No such theme" is not a theme. Import themes first, or check the spelling',
        'Row 3, Leads: "nobody@example.nhs.uk" is not the email address of anyone in the portal. '
        "Import people first, or check the spelling",
        'Row 3, BAF risks: "99" is not the reference of a BAF risk',
        "Row 4, Name: Enter the workstream's name",
    ]


def test_a_committed_import_is_audited_once_with_what_it_did(governance):
    report = run(
        "themes",
        [["Number", "Name"], [1, "Direction & Engagement"], [2, "Digital"]],
        by=governance,
        commit=True,
    )
    assert report.committed and report.summary() == "2 created, 0 changed, 0 unchanged"
    event = AuditEvent.objects.get(verb="data.import")
    assert event.actor_id == governance.pk
    assert event.object_type == "dataio.ImportedFile" and len(event.object_id) == 64
    assert event.after["created_rows"] == ["Direction & Engagement", "Digital"]
    assert event.comment == "2 created, 0 changed, 0 unchanged"


def test_the_header_row_may_sit_below_a_title_and_columns_go_by_other_names(db):
    report = run(
        "themes",
        [
            ["Development plan themes 2021/22"],
            [],
            ["No.", "Workstream area", "Also known as", "Notes"],
            [1, "Direction & Engagement", "D&E", "ignored"],
        ],
        commit=True,
    )
    assert report.committed, errors(report)
    assert report.ignored_columns == ["Notes"]
    assert Theme.objects.get().aliases == ["D&E"]


def test_a_missing_required_column_is_named(db):
    report = run("workstreams", [["Name", "Theme"], ["DIGITAL", "Digital"]])
    assert errors(report) == ['The file has no "Code" column (row 1)']


def test_the_same_thing_twice_in_one_file_is_an_error(plan):
    report = run(
        "people",
        [
            ["Email", "Name"],
            ["dee@example.nhs.uk", "Dee"],
            ["DEE@example.nhs.uk", "Dee again"],
        ],
    )
    assert errors(report) == [
        "Row 3, Email: This is the same people as row 2: each row must be a different one"
    ]


# --- organisations and people -------------------------------------------------------------------

ORGS = [
    ["Short name", "Name", "Type"],
    ["NWAFT", "North West Anglia NHS Foundation Trust", "NHS trust"],
    ["CCC", "Cambridgeshire County Council", "Local authority"],
]


def test_organisations_import_and_reimport(db):
    assert run("organisations", ORGS, commit=True).summary() == "2 created, 0 changed, 0 unchanged"
    assert Organisation.objects.get(short_name="CCC").kind == Organisation.Kind.LOCAL_AUTHORITY
    assert run("organisations", ORGS).summary() == "0 to create, 0 to change, 2 unchanged"


def test_organisation_row_errors(db):
    report = run("organisations", [*ORGS[:1], ["", "Nameless", "Charity"]])
    assert errors(report) == [
        "Row 2, Short name: Enter the short name, for example CUH",
        'Row 2, Type: "Charity" is not a type of organisation. Use one of "Integrated care '
        'board", "NHS trust", "Local authority", "Voluntary, community and social enterprise", '
        '"Other"',
    ]


PEOPLE = [
    ["Email", "Name", "Organisation", "Job title", "Roles"],
    ["Dee.Lead@Example.nhs.uk", "Dee Lead", "CUH", "Clinical Lead", "System lead"],
    [
        "eve.gov@example.nhs.uk",
        "Eve Gov",
        "Cambridge University Hospitals",
        "",
        "Governance officer; Board member",
    ],
]


def test_people_import_and_reimport(plan, superuser):
    # An administrator's: only they give the governance officer role (ADR 0012).
    report = run("people", PEOPLE, by=superuser, commit=True)
    assert report.summary() == "2 created, 0 changed, 0 unchanged"
    dee = User.objects.get(email="dee.lead@example.nhs.uk")
    assert dee.organisation.short_name == "CUH"
    assert not dee.has_usable_password()
    assert set(
        User.objects.get(email="eve.gov@example.nhs.uk").groups.values_list("name", flat=True)
    ) == {
        "Governance officer",
        "Board member",
    }
    assert run("people", PEOPLE).summary() == "0 to create, 0 to change, 2 unchanged"


def test_people_are_matched_on_email_whatever_its_case(plan):
    report = run(
        "people", [["Email", "Name"], ["ANN.LEAD@example.nhs.uk", "Ann Lead-Smith"]], commit=True
    )
    assert [(o.label, o.changes) for o in report.changed] == [
        ("Ann Lead-Smith (ann.lead@example.nhs.uk)", ("Name",))
    ]
    assert User.objects.filter(email__iexact="ann.lead@example.nhs.uk").count() == 1


def test_people_row_errors(plan):
    report = run(
        "people",
        [PEOPLE[0], ["not-an-email", "X", "Nowhere Trust", "", "Chief"]],
    )
    assert errors(report) == [
        'Row 2, Email: "not-an-email" is not an email address',
        'Row 2, Organisation: "Nowhere Trust" is not an organisation in the portal. Import '
        "organisations first, or give the short name (for example CUH)",
        'Row 2, Roles: "Chief" is not a role. Use "System lead", "Governance officer", '
        '"Board member"',
    ]


def test_people_import_makes_governance_officers_staff(plan, superuser):
    run("people", PEOPLE, by=superuser, commit=True)
    assert User.objects.get(email="eve.gov@example.nhs.uk").is_staff
    assert not User.objects.get(email="dee.lead@example.nhs.uk").is_staff


def test_an_import_cannot_remove_the_importers_own_governance_role(plan, governance):
    rows = [["Email", "Name", "Roles"], [governance.email, governance.full_name, "Board member"]]
    report = run("people", rows, by=governance, commit=True)
    assert errors(report) == [
        "Row 2, Roles: This is your own account, a staff account: only an administrator can "
        "change it. Leave the row as it is, or take it out of the file"
    ]
    assert governance.groups.filter(name="Governance officer").exists()


# --- themes and golden threads ------------------------------------------------------------------


def test_themes_import_with_leads_and_next_free_number(plan):
    report = run(
        "themes",
        [
            ["Number", "Name", "Leads"],
            [1, "Direction & Engagement", "ann.lead@example.nhs.uk"],
            ["", "CCG to ICS Transition", "ann.lead@example.nhs.uk; bob.deputy@example.nhs.uk"],
        ],
        commit=True,
    )
    assert report.summary() == "1 created, 1 changed, 0 unchanged"
    new = Theme.objects.get(name="CCG to ICS Transition")
    assert (new.number, new.order) == (8, 8)  # after the highest number held (7)
    assert new.leads.count() == 2


def test_themes_reimport_changes_nothing(plan):
    rows = [
        ["Number", "Name", "Other names", "Order"],
        [7, "System and digital transformation", "System & Digital Transformation", 7],
    ]
    assert run("themes", rows).summary() == "0 to create, 0 to change, 1 unchanged"


def test_golden_threads_link_to_threads_later_in_the_file(plan):
    rows = [
        [
            "Number",
            "Name",
            "System leads",
            "Cross-referenced",
            "Read with threads",
            "Current drivers",
        ],
        [
            2,
            "Clinical, care & professional leadership",
            "ann.lead@example.nhs.uk",
            "Yes",
            "3; 5",
            "• Clinicians lead\n• Care models",
        ],
        [3, "Health inequalities", "", "Yes", "2; 5", ""],
        [5, "Population Health Management", "", "Yes", "2, 3", ""],
    ]
    report = run("golden-threads", rows, commit=True)
    assert report.summary() == "3 created, 0 changed, 0 unchanged", errors(report)
    two = GoldenThread.objects.get(number=2)
    assert sorted(t.number for t in two.cross_references.all()) == [3, 5]
    assert two.current_drivers == "<ul><li>Clinicians lead</li><li>Care models</li></ul>"
    assert run("golden-threads", rows).summary() == "0 to create, 0 to change, 4 unchanged".replace(
        "4", "3"
    )


def test_golden_thread_row_errors(plan):
    report = run(
        "golden-threads",
        [["Number", "Name", "Read with threads"], [6, "Safeguarding", "9; two"]],
    )
    assert errors(report) == [
        'Row 2, Read with threads: There is no golden thread 9; "two" is not a thread number'
    ]


# --- BAF risks ----------------------------------------------------------------------------------

RISKS = [
    [
        "Ref",
        "Risk",
        "Impact",
        "Category",
        "Year start risk score",
        "Current risk score",
        "Target risk score",
        "SRO",
        "SRO email",
        "Actions / mitigations",
    ],
    [
        "3",
        "Risk to delivery of QIPP Plan",
        "QIPP not delivered.",
        "Service/Transformation Delivery",
        "20 4x5 Red",
        "20 4x5",
        "10 2x5 Amber",
        "Chief Finance Officer",
        "cat.owner@example.nhs.uk",
        "• Monthly PMO review\n• Recovery plans",
    ],
    [
        "19",
        "Failure to engage with Member Practices",
        "Practices disengage.",
        "Stakeholder management",
        "12 3x4 Amber",
        "16 4x4 Red",
        "8 2x4 Amber",
        "Director of Corporate Affairs",
        "",
        "",
    ],
]


def test_risks_are_created_through_the_baf_actions(plan, governance):
    report = run("risks", RISKS, by=governance, commit=True)
    assert report.summary() == "2 created, 0 changed, 0 unchanged", errors(report)
    qipp = BAFRisk.objects.get(reference="03")
    assert (qipp.initial_likelihood, qipp.initial_consequence) == (4, 5)
    assert (qipp.target_likelihood, qipp.target_consequence) == (2, 5)
    assert qipp.current_score.label == "20 (4×5) Extreme"
    assert qipp.owner.email == "cat.owner@example.nhs.uk"
    assert qipp.mitigating_actions == "<ul><li>Monthly PMO review</li><li>Recovery plans</li></ul>"
    assert qipp.category == BAFRisk.Category.SERVICE_DELIVERY
    assert AuditEvent.objects.filter(verb="risk.create").count() == 2
    assert AuditEvent.objects.filter(verb="data.import").count() == 1


def test_risks_reimport_changes_nothing(plan, governance):
    run("risks", RISKS, by=governance, commit=True)
    report = run("risks", RISKS, by=governance, commit=True)
    assert report.summary() == "0 created, 0 changed, 2 unchanged"
    assert BAFRisk.objects.get(reference="03").version == 1


def test_a_changed_score_is_an_audited_edit(plan, governance):
    risk = plan["risks"]["07"]
    report = run(
        "risks",
        [["Ref", "Current likelihood", "Current consequence"], ["7", 2, 4]],
        by=governance,
        commit=True,
    )
    assert [(o.label, o.changes) for o in report.changed] == [
        ("07 – Risk 07", ("Current risk score",))
    ]
    risk.refresh_from_db()
    assert (risk.current_likelihood, risk.current_consequence, risk.version) == (2, 4, 2)
    edit = AuditEvent.objects.get(verb="risk.edit")
    assert edit.before == {"current_likelihood": 3} and edit.after == {"current_likelihood": 2}


def test_likelihood_out_of_range(plan):
    rows = [["Ref", "Likelihood", "Consequence"]] + [[f"0{n}", 3, 4] for n in (1, 4, 5, 6, 8)]
    rows[5][1] = 6  # row 6 of the sheet
    rows.append(["07", 6, 4])  # row 7
    report = run("risks", rows)
    assert "Row 7, Likelihood: 6 is not between 1 and 5" in errors(report)


def test_risk_row_errors(plan):
    report = run(
        "risks",
        [
            RISKS[0],
            [
                "21",
                "Workload",
                "Too much work.",
                "Workload management",
                "20 4x4",
                "16 Red",
                "6 2x3 Green",
                "",
                "",
                "",
            ],
            [
                "22",
                "",
                "",
                "",
                "20 4x5 Red",
                "20 4x5 Red",
                "9 3x3",
                "",
                "someone@example.nhs.uk",
                "",
            ],
        ],
    )
    assert errors(report) == [
        'Row 2, Category: "Workload management" is not a risk category. Use one of '
        '"Service/transformation delivery", "Stakeholder management", "Quality management", '
        '"Financial management", "Governance/leadership"',
        "Row 2, Year start risk score: 4×4 is 16, not 20. Check the likelihood and consequence",
        'Row 2, Current risk score: "16 Red" has no likelihood × consequence. Write it as, for '
        'example, "16 4x4 Red"',
        'Row 2, Target risk score: 2×3 = 6 is Yellow (Moderate) on the risk matrix, not "Green"',
        "Row 3, Risk: Enter the risk's short title",
        "Row 3, Impact: Enter the risk as the board approved it",
        "Row 3, Category: Give the risk's category",
        'Row 3, SRO email: "someone@example.nhs.uk" is not the email address of anyone in the '
        "portal. Import people first, or check the spelling",
    ]


def test_category_heading_rows_set_the_category_of_the_risks_below(plan):
    report = run(
        "risks",
        [
            ["Board Assurance Framework"],
            [
                "Ref",
                "Risk",
                "Year start risk score",
                "Current risk score",
                "Target risk score",
                "Impact",
            ],
            ["Financial management"],
            [
                "31",
                "Deficit grows",
                "16 4x4 Red",
                "16 4x4 Red",
                "8 2x4 Amber",
                "The deficit grows.",
            ],
            ["Quality Management"],
            ["32", "Quality dips", "9 3x3 Amber", "9 3x3 Amber", "3 1x3 Green", "Quality dips."],
        ],
        commit=True,
    )
    assert report.committed, errors(report)
    assert BAFRisk.objects.get(reference="31").category == BAFRisk.Category.FINANCIAL
    assert BAFRisk.objects.get(reference="32").category == BAFRisk.Category.QUALITY


# --- workstreams, objectives, milestones --------------------------------------------------------

WORKSTREAMS = [
    ["Code", "Name", "Theme", "Leads", "Deputies", "Golden threads", "BAF risks", "Order"],
    [
        "DE",
        "DIRECTION & ENGAGEMENT",
        "Direction & Engagement",
        "ann.lead@example.nhs.uk",
        "bob.deputy@example.nhs.uk",
        "",
        "07; 9",
        1,
    ],
    [
        "DIG",
        "DIGITAL",
        "System & Digital Transformation",
        "ann.lead@example.nhs.uk",
        "",
        "4",
        "",
        2,
    ],
]


def test_workstreams_import_and_reimport(plan, governance):
    report = run("workstreams", WORKSTREAMS, by=governance, commit=True)
    assert [(o.action, o.label) for o in report.outcomes] == [
        ("change", "DE – DIRECTION & ENGAGEMENT"),
        ("create", "DIG – DIGITAL"),
    ]
    assert report.changed[0].changes == ("Leads", "Deputies", "BAF risks", "Order")
    de = Workstream.objects.get(code="DE")
    assert sorted(r.reference for r in de.baf_risks.all()) == ["07", "09"]
    digital = Workstream.objects.get(code="DIG")
    assert digital.theme.name == "System and digital transformation"  # found by its alias
    assert [t.number for t in digital.golden_threads.all()] == [4]
    again = run("workstreams", WORKSTREAMS, by=governance, commit=True)
    assert again.summary() == "0 created, 0 changed, 2 unchanged"


def test_a_workstream_is_found_by_name_when_its_code_is_blank(plan):
    report = run(
        "workstreams",
        [WORKSTREAMS[0][:3], ["", "DIRECTION & ENGAGEMENT", "Direction & Engagement"]],
    )
    assert report.summary() == "0 to create, 0 to change, 1 unchanged", errors(report)


def test_a_new_workstream_needs_a_code(plan):
    report = run("workstreams", [WORKSTREAMS[0][:3], ["", "OD", "Direction & Engagement"]])
    assert errors(report) == ["Row 2, Code: Enter a short code for the workstream, e.g. DE"]


OBJECTIVES = [
    ["Workstream", "Number", "Objective", "Target quarter"],
    ["DE", 1, "Set Strategic Intent", "Q1 2021/22"],
    ["DIRECTION & ENGAGEMENT", 2, "Ongoing Stakeholder Engagement", ""],
]


def test_objectives_import_and_reimport(plan):
    assert (
        run("objectives", OBJECTIVES, commit=True).summary() == "2 created, 0 changed, 0 unchanged"
    )
    first = Objective.objects.get(number=1)
    assert (first.target_fy_start_year, first.target_quarter, first.target_label) == (
        2021,
        1,
        "Q1 2021/22",
    )
    assert run("objectives", OBJECTIVES).summary() == "0 to create, 0 to change, 2 unchanged"


def test_objective_row_errors(plan):
    report = run("objectives", [OBJECTIVES[0], ["ZZ", "one", "", "Q5 2021/22"]])
    assert errors(report) == [
        'Row 2, Workstream: "ZZ" is not the code or name of a workstream',
        'Row 2, Number: "one" is not a whole number',
        "Row 2, Objective: Enter the objective",
        'Row 2, Target quarter: "Q5 2021/22" is not a quarter like "Q2 2021/22"',
    ]


MILESTONES = [
    ["Milestone", "Delivery by", "Critical path", "Workstreams"],
    ["Agreement on organisational form at each level", "Delivery by Sept 2021", "Yes", "DE; DIG"],
    ["Engagement strategy complete", "by end of Oct", "No", "DE"],
    ["Go-live", date(2022, 1, 4), "", ""],
]


def test_milestones_import_with_delivery_by_text(plan):
    factories.WorkstreamFactory(code="DIG", name="DIGITAL", theme=plan["themes"]["digital"])
    report = run("milestones", MILESTONES, commit=True, reference_date=date(2021, 6, 1))
    assert report.summary() == "3 created, 0 changed, 0 unchanged", errors(report)
    shared = Milestone.objects.get(title__startswith="Agreement")
    assert (shared.due_date, shared.due_precision, shared.due_label) == (
        date(2021, 9, 30),
        "MONTH",
        "Delivery by Sept 2021",
    )
    assert sorted(w.code for w in shared.workstreams.all()) == ["DE", "DIG"]
    engagement = Milestone.objects.get(title="Engagement strategy complete")
    assert (engagement.due_date, engagement.critical_path) == (date(2021, 10, 31), False)
    assert Milestone.objects.get(title="Go-live").due_precision == "DAY"


def test_milestones_reimport_keeps_the_year_first_read(plan):
    factories.WorkstreamFactory(code="DIG", name="DIGITAL", theme=plan["themes"]["digital"])
    run("milestones", MILESTONES, commit=True, reference_date=date(2021, 6, 1))
    # A year later "by end of Oct" would mean October 2022; the stored label is kept as read.
    report = run("milestones", MILESTONES, reference_date=date(2022, 6, 1))
    assert report.summary() == "0 to create, 0 to change, 3 unchanged"


WITH_DATES = [
    ["Milestone", "Delivery by", "Workstreams", "Workstream dates"],
    [
        "Agreement on organisational form at each level",
        "Delivery by Sept 2021",
        "DE; DIG",
        "DIG: Delivery by July 2021",
    ],
]


def _own_dates(title):
    return {
        link.workstream.code: (link.delivery_date, link.delivery_label)
        for link in WorkstreamMilestone.objects.filter(milestone__title=title).select_related(
            "workstream", "milestone"
        )
    }


def test_a_shared_milestone_takes_a_delivery_date_per_workstream_and_round_trips(plan, governance):
    factories.WorkstreamFactory(code="DIG", name="DIGITAL", theme=plan["themes"]["digital"])
    report = run("milestones", WITH_DATES, commit=True, reference_date=date(2021, 6, 1))
    assert report.summary() == "1 created, 0 changed, 0 unchanged", errors(report)
    title = WITH_DATES[1][0]
    assert _own_dates(title) == {
        "DE": (date(2021, 9, 30), "Delivery by Sept 2021"),
        "DIG": (date(2021, 7, 31), "Delivery by July 2021"),
    }
    # The export carries the per-workstream date, and importing it again changes nothing.
    export = exporters.export("milestones", fmt="csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header, row = rows[0], next(r for r in rows if r[0] == title)
    assert row[header.index("Workstream dates")] == "DIG: Delivery by July 2021"
    report = run_file("milestones", export.filename, export.content, by=governance)
    assert report.summary() == "0 to create, 0 to change, 1 unchanged", errors(report)
    # Edited in the sheet: DE gets its own date, DIG goes back to the milestone's.
    row[header.index("Workstream dates")] = "DE: Q3 2021/22"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    report = run_file("milestones", "m.csv", buffer.getvalue().encode(), by=governance, commit=True)
    assert [o.changes for o in report.changed] == [("Workstream dates",)], errors(report)
    assert _own_dates(title) == {
        "DE": (date(2021, 12, 31), "Q3 2021/22"),
        "DIG": (date(2021, 9, 30), "Delivery by Sept 2021"),
    }


def test_workstream_date_errors(plan):
    report = run(
        "milestones",
        [
            WITH_DATES[0],
            ["Launch", "Sept 2021", "DE", "ZZ: July 2021; DE: soon; July 2021"],
            ["Other", "Sept 2021", "DE", "DIG: July 2021"],
        ],
    )
    factories.WorkstreamFactory(code="DIG", name="DIGITAL", theme=plan["themes"]["digital"])
    messages = errors(report)
    assert messages[0].startswith('Row 2, Workstream dates: "ZZ" is not the code or name of a ')
    assert '"soon" is not a delivery date' in messages[0]
    assert '"July 2021" is not a workstream code, a colon and a delivery date' in messages[0]
    assert messages[1] == 'Row 3, Workstream dates: "DIG" is not the code or name of a workstream'
    report = run("milestones", [WITH_DATES[0], ["Other", "Sept 2021", "DE", "DIG: July 2021"]])
    assert errors(report) == ["Row 2, Workstream dates: DIG is not in the Workstreams column"]


def test_milestone_row_errors(plan):
    report = run("milestones", [MILESTONES[0], ["Launch", "soon", "perhaps", "DE; QQ"]])
    assert errors(report) == [
        'Row 2, Delivery by: "soon" is not a delivery date. Write a month and year ("Sept '
        '2021"), a day ("30 June 2021"), a quarter ("Q2 2021/22") or a financial year '
        '("2021/22")',
        'Row 2, Critical path: "perhaps" is not Yes or No',
        'Row 2, Workstreams: "QQ" is not the code or name of a workstream',
    ]


# --- update statuses ----------------------------------------------------------------------------


@pytest.fixture
def q3_updates(plan):
    cycle = factories.ReportingCycleFactory()
    de = factories.WorkstreamUpdateFactory(cycle=cycle, workstream=plan["workstream"])
    dig = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=factories.WorkstreamFactory(code="DIG", theme=plan["themes"]["digital"]),
        state=WorkflowState.APPROVED,
        approved_at=timezone.make_aware(datetime.combine(cycle.opens_on, time(12))),
        approved_by=factories.UserFactory(),
        overall_status="ON_TRACK",
    )
    thread = factories.GoldenThreadUpdateFactory(cycle=cycle, golden_thread=plan["thread"])
    return {"de": de, "dig": dig, "thread": thread}


UPDATES = [
    ["Cycle", "Type", "Code", "Overall status", "Forecast status", "Status explanation"],
    ["Q3 2021/22", "Workstream", "DE", "On-Track", "Work not started", ""],
    ["Q3 2021/22", "Golden thread", "4", "On Track", "", ""],
    ["Q3 2021/22", "Workstream", "DIG", "on track", "", ""],
]


def test_update_statuses_map_the_seed_words_and_save_through_the_workflow(q3_updates, governance):
    report = run("updates", UPDATES, by=governance, commit=True)
    assert report.summary() == "0 created, 2 changed, 1 unchanged", errors(report)
    de = WorkstreamUpdate.objects.get(pk=q3_updates["de"].pk)
    assert (de.overall_status, de.forecast_status, de.state, de.version) == (
        "ON_TRACK",
        "NOT_STARTED",
        WorkflowState.DRAFT,
        2,
    )
    assert de.updated_by == governance
    assert AuditEvent.objects.filter(verb="update.save").count() == 2
    assert (
        run("updates", UPDATES, by=governance).summary() == "0 to create, 0 to change, 3 unchanged"
    )


def test_update_status_errors(q3_updates):
    report = run(
        "updates",
        [
            UPDATES[0],
            ["Q3 2021/22", "Workstream", "DE", "Going well", "", ""],
            ["Q3 2021/22", "Golden thread", "4", "", "At risk", ""],
            ["Q3 2021/22", "Workstream", "DIG", "Delayed", "", ""],
            ["Q4 2021/22", "Workstream", "DE", "Delayed", "", ""],
            ["Q3 2021/22", "Workstream", "ZZ", "Delayed", "", ""],
        ],
    )
    assert errors(report) == [
        'Row 2, Overall status: "Going well" is not a status the portal knows. Use one of "Not '
        'started", "On track", "At risk", "Delayed", "Complete", "Paused"',
        "Row 3, Forecast status: Golden-thread updates do not have this; leave it blank",
        "Row 4: This update is approved and can no longer be edited",
        "Row 5, Cycle: There is no Q4 2021/22 reporting cycle",
        'Row 6, Code: "ZZ" is not the code or name of a workstream',
    ]


# --- the example files --------------------------------------------------------------------------


def test_the_example_files_build_the_seed_plan_from_nothing(superuser, governance):
    # A new deployment's people (a governance officer among them) are imported by an
    # administrator: only they give that role (ADR 0012).
    for kind in IMPORT_ORDER[:-1]:
        path = example(kind)
        report = run_file(kind, path.name, path.read_bytes(), by=superuser, commit=True)
        assert report.committed, (kind, errors(report)[:3])
    assert (Theme.objects.count(), Workstream.objects.count(), BAFRisk.objects.count()) == (
        8,
        30,
        16,
    )
    assert Objective.objects.count() == 65 and Milestone.objects.count() == 39
    shared = Milestone.objects.get(title="Agreement on organisational form at each level")
    assert shared.workstreams.count() == 20
    # 001:141: the one workstream that delivers it by July keeps its own date.
    assert {
        (link.workstream.code, link.due_label)
        for link in shared.workstream_links.select_related("workstream")
        if link.has_own_date
    } == {("CRM", "Delivery by July 2021")}
    for kind in IMPORT_ORDER[:-1]:  # and importing them all again changes nothing
        path = example(kind)
        report = run_file(kind, path.name, path.read_bytes(), by=governance)
        assert not report.has_changes and report.is_valid, kind


def test_the_example_files_describe_the_demo_plan(governance):
    """Over the demo data they change only what load_demo_data adds for the demo lead, and the
    current scores of the risks whose illustrative Q3 2021/22 review moved them (the files
    describe the plan as the seeds leave it, at Q2: fixtures/demo/q3_illustrative.json)."""
    call_command("load_demo_data", password="x", force=True, stdout=io.StringIO())
    changed = {}
    for kind in IMPORT_ORDER[:-1]:
        path = example(kind)
        report = run_file(kind, path.name, path.read_bytes(), by=governance)
        assert report.is_valid and not report.created, kind
        changed.update({o.label: o.changes for o in report.changed})
    assert changed == {
        "4: Workforce": ("System leads",),
        "07 – Change and uncertainty strain system relationships": ("SRO email",),
        "12 – Workforce plans not based on system-wide analysis": ("SRO email",),
        "DE – DIRECTION & ENGAGEMENT": ("Leads",),
        "DIG – DIGITAL": ("Leads",),
        "WF – WORKFORCE": ("Deputies",),
        "05 – Loss of knowledge during governance and leadership change": ("Current risk score",),
        "08 – Reduced capacity for a learning and adaptive culture": ("Current risk score",),
        "11 – Instability from changes in senior roles": ("Current risk score",),
        "15 – Strategic commissioning limited by skills, capacity and budgets": (
            "Current risk score",
        ),
        "18 – National guidance diverges from the local narrative": ("Current risk score",),
    }


def test_roles_come_from_the_groups_the_migrations_made(db):
    assert (
        Group.objects.filter(name__in=["System lead", "Governance officer", "Board member"]).count()
        == 3
    )
