"""The spreadsheet import is held to the admin's least-privilege rules
(docs/adr/0012-admin-least-privilege.md): a governance officer's people import cannot give or
take away the Governance officer role (it makes its holder staff), nor change a staff or
administrator account; an administrator's can, and staff follows the roles. Every import that
changes who can see or do what (roles, staff, leads, deputies, risk owners) writes
ACCESS_CHANGE with the admin's plain before/after, in the import's transaction: a dry run
writes nothing. Run through the real import path: an .xlsx built with openpyxl, read and
imported by the importer, or by `manage.py import_data`."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent, User
from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER, SYSTEM_LEAD
from tests import factories
from tests.dataio.support import errors, run, xlsx_bytes

PEOPLE_HEADER = ["Email", "Name", "Job title", "Roles"]


def _group(role) -> Group:
    return Group.objects.get(name=role.group_name)


def _access_events(obj=None):
    events = AuditEvent.objects.filter(verb=AuditVerb.ACCESS_CHANGE).order_by("id")
    if obj is not None:
        events = events.filter(object_type=obj._meta.label, object_id=str(obj.pk))
    return list(events)


@pytest.fixture
def person(db):
    return factories.UserFactory(email="pat.person@example.nhs.uk", full_name="Pat Person")


def _row(user, roles="", name=None):
    return [user.email, name or user.full_name, user.job_title, roles]


# --- a governance officer's people import --------------------------------------------------------


def test_governance_cannot_give_the_governance_role_by_import(governance, person):
    rows = [
        PEOPLE_HEADER,
        ["new.person@example.nhs.uk", "New Person", "", "System lead"],
        _row(person, "Governance officer; Board member"),
    ]
    report = run("people", rows, by=governance, commit=True)
    assert errors(report) == [
        "Row 3, Roles: Only an administrator can give or take away the Governance officer "
        "role (it opens the admin). Leave the role as it is, or ask an administrator"
    ]
    assert not report.committed
    person.refresh_from_db()
    assert not person.groups.exists() and not person.is_staff
    assert not User.objects.filter(email="new.person@example.nhs.uk").exists()
    assert not AuditEvent.objects.filter(verb__in=[AuditVerb.ACCESS_CHANGE, AuditVerb.DATA_IMPORT])


def test_governance_cannot_give_the_governance_role_to_a_new_person(governance):
    rows = [PEOPLE_HEADER, ["new.gov@example.nhs.uk", "New Gov", "", "Governance officer"]]
    report = run("people", rows, by=governance, commit=True)
    assert errors(report) == [
        "Row 2, Roles: Only an administrator can give or take away the Governance officer "
        "role (it opens the admin). Leave the role as it is, or ask an administrator"
    ]
    assert not User.objects.filter(email="new.gov@example.nhs.uk").exists()


def test_governance_cannot_take_a_colleagues_governance_role_away(governance):
    colleague = factories.UserFactory(full_name="Col League", is_staff=True)
    colleague.groups.add(_group(GOVERNANCE_OFFICER))
    report = run("people", [PEOPLE_HEADER, _row(colleague, "Board member")], by=governance)
    assert errors(report) == [
        f"Row 2, Roles: Col League ({colleague.email}) is a staff or administrator account: only an administrator "
        "can change it. Leave the row as it is, or take it out of the file"
    ]


def test_governance_cannot_change_a_superusers_name_by_import(governance, superuser):
    rows = [PEOPLE_HEADER, _row(superuser, name="Mallory Takeover")]
    report = run("people", rows, by=governance, commit=True)
    assert errors(report) == [
        f"Row 2, Name: Ada Admin ({superuser.email}) is a staff or administrator account: only an administrator "
        "can change it. Leave the row as it is, or take it out of the file"
    ]
    superuser.refresh_from_db()
    assert superuser.full_name == "Ada Admin"
    assert not AuditEvent.objects.filter(verb=AuditVerb.DATA_IMPORT).exists()


def test_governance_cannot_change_their_own_roles_by_import(governance):
    rows = [PEOPLE_HEADER, _row(governance, "Governance officer; Board member")]
    report = run("people", rows, by=governance, commit=True)
    assert errors(report) == [
        "Row 2, Roles: This is your own account, a staff account: only an administrator can "
        "change it. Leave the row as it is, or take it out of the file"
    ]
    assert not governance.groups.filter(name=BOARD_MEMBER.group_name).exists()


def test_an_unchanged_staff_row_is_no_problem(governance, superuser, person):
    """The portal's own export lists everyone: re-importing it changes nothing, so passes."""
    rows = [PEOPLE_HEADER, _row(superuser), _row(person, "Board member")]
    report = run("people", rows, by=governance, commit=True)
    assert report.is_valid, errors(report)
    assert report.summary() == "0 created, 1 changed, 1 unchanged"


def test_governance_gives_a_system_lead_role_and_it_is_an_access_change(governance, person):
    rows = [PEOPLE_HEADER, _row(person, "System lead")]
    report = run("people", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    assert list(person.groups.all()) == [_group(SYSTEM_LEAD)]
    [event] = _access_events(person)
    assert event.actor_id == governance.pk
    assert event.before == {"groups": []}
    assert event.after == {"groups": [_group(SYSTEM_LEAD).pk]}


def test_other_groups_a_person_holds_are_kept(governance, person):
    other = Group.objects.create(name="Site operators")
    person.groups.add(other)
    report = run(
        "people", [PEOPLE_HEADER, _row(person, "Board member")], by=governance, commit=True
    )
    assert report.committed, errors(report)
    assert set(person.groups.all()) == {other, _group(BOARD_MEMBER)}
    [event] = _access_events(person)
    assert event.before == {"groups": [other.pk]}
    assert event.after == {"groups": sorted([other.pk, _group(BOARD_MEMBER).pk], key=str)}
    again = run("people", [PEOPLE_HEADER, _row(person, "Board member")], by=governance)
    assert again.summary() == "0 to create, 0 to change, 1 unchanged"


# --- an administrator's people import ------------------------------------------------------------


def test_an_administrators_import_gives_the_governance_role_and_staff(superuser, person):
    rows = [
        PEOPLE_HEADER,
        _row(person, "Governance officer"),
        ["new.gov@example.nhs.uk", "New Gov", "", "Governance officer"],
    ]
    report = run("people", rows, by=superuser, commit=True)
    assert report.committed, errors(report)
    person.refresh_from_db()
    assert person.is_staff
    governance = _group(GOVERNANCE_OFFICER).pk
    [event] = _access_events(person)
    assert event.actor_id == superuser.pk
    assert event.before == {"groups": [], "is_staff": False}
    assert event.after == {"groups": [governance], "is_staff": True}
    new = User.objects.get(email="new.gov@example.nhs.uk")
    assert new.is_staff
    [event] = _access_events(new)
    assert event.before == {"groups": [], "is_staff": False}
    assert event.after == {"groups": [governance], "is_staff": True}


def test_an_administrators_import_taking_the_governance_role_away_ends_staff(superuser):
    officer = factories.UserFactory(full_name="Old Gov", is_staff=True)
    officer.groups.add(_group(GOVERNANCE_OFFICER))
    report = run(
        "people", [PEOPLE_HEADER, _row(officer, "Board member")], by=superuser, commit=True
    )
    assert report.committed, errors(report)
    officer.refresh_from_db()
    assert not officer.is_staff
    [event] = _access_events(officer)
    assert event.before == {"groups": [_group(GOVERNANCE_OFFICER).pk], "is_staff": True}
    assert event.after == {"groups": [_group(BOARD_MEMBER).pk], "is_staff": False}


def test_an_administrators_import_may_change_a_superusers_name(superuser):
    other = factories.UserFactory(full_name="Sam Super", is_staff=True, is_superuser=True)
    report = run("people", [PEOPLE_HEADER, _row(other, name="Sam Superior")], by=superuser)
    assert report.is_valid, errors(report)


def test_the_command_holds_a_governance_officer_to_the_same_rule(tmp_path, governance, person):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes([PEOPLE_HEADER, _row(person, "Governance officer")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data", "people", str(path), "--commit", "--by", governance.email, stderr=err
        )
    assert "Row 2, Roles: Only an administrator can give or take away" in err.getvalue()
    assert not person.groups.exists()


def test_the_command_by_an_administrator_writes_the_access_change(tmp_path, superuser, person):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes([PEOPLE_HEADER, _row(person, "Governance officer")]))
    call_command(
        "import_data",
        "people",
        str(path),
        "--commit",
        "--by",
        superuser.email,
        stdout=io.StringIO(),
    )
    person.refresh_from_db()
    assert person.is_staff
    [event] = _access_events(person)
    assert event.actor_id == superuser.pk


# --- leads, deputies and risk owners -------------------------------------------------------------


@pytest.fixture
def workstream(db, lead):
    workstream = factories.WorkstreamFactory(code="DE", name="Direction and engagement")
    workstream.leads.add(lead)
    return workstream


WORKSTREAM_HEADER = ["Code", "Name", "Theme", "Leads", "Deputies"]


def _workstream_row(workstream, leads, deputies=""):
    return [workstream.code, workstream.name, workstream.theme.name, leads, deputies]


def test_a_workstream_import_changing_leads_is_an_access_change(
    governance, workstream, lead, other_lead
):
    rows = [WORKSTREAM_HEADER, _workstream_row(workstream, other_lead.email, lead.email)]
    report = run("workstreams", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    [event] = _access_events(workstream)
    assert event.actor_id == governance.pk
    assert event.before == {"leads": [lead.pk], "deputies": []}
    assert event.after == {"leads": [other_lead.pk], "deputies": [lead.pk]}


def test_a_new_workstream_with_leads_is_an_access_change(governance, workstream, lead):
    rows = [WORKSTREAM_HEADER, ["DG", "Digital", workstream.theme.name, lead.email, ""]]
    report = run("workstreams", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    [event] = _access_events()
    assert event.object_label.startswith("Digital")
    assert event.before == {"leads": []} and event.after == {"leads": [lead.pk]}


def test_a_workstream_import_changing_only_its_name_is_no_access_change(governance, workstream):
    leads = workstream.leads.get().email
    rows = [WORKSTREAM_HEADER, [workstream.code, "Renamed", workstream.theme.name, leads, ""]]
    report = run("workstreams", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    assert _access_events() == []


def test_a_dry_run_writes_no_access_change_and_the_confirmed_import_does(
    governance, workstream, lead, other_lead
):
    rows = [WORKSTREAM_HEADER, _workstream_row(workstream, other_lead.email)]
    preview = run("workstreams", rows, by=governance, commit=False)
    assert preview.summary() == "0 to create, 1 to change, 0 unchanged"
    assert _access_events() == []
    assert list(workstream.leads.all()) == [lead]
    run("workstreams", rows, by=governance, commit=True)
    assert len(_access_events(workstream)) == 1


def test_a_golden_thread_import_changing_system_leads_is_an_access_change(
    governance, lead, other_lead
):
    thread = factories.GoldenThreadFactory(number=4, name="Workforce")
    thread.system_leads.add(lead)
    rows = [
        ["Number", "Name", "System leads"],
        [4, "Workforce", f"{lead.email}; {other_lead.email}"],
    ]
    report = run("golden-threads", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    [event] = _access_events(thread)
    assert event.before == {"system_leads": [lead.pk]}
    assert event.after == {"system_leads": sorted([lead.pk, other_lead.pk], key=str)}


def test_a_risk_import_changing_the_owner_is_an_access_change(governance, lead, other_lead):
    risk = factories.BAFRiskFactory(reference="07", title="Risk 07", owner=lead)
    rows = [["Ref", "SRO email"], ["07", other_lead.email]]
    report = run("risks", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    [event] = _access_events(risk)
    assert event.actor_id == governance.pk
    assert event.before == {"owner": lead.pk} and event.after == {"owner": other_lead.pk}
    assert AuditEvent.objects.filter(verb=AuditVerb.RISK_EDIT).exists()  # still the action's


def test_a_risk_import_leaving_the_owner_is_no_access_change(governance, lead):
    factories.BAFRiskFactory(reference="07", title="Risk 07", owner=lead)
    rows = [["Ref", "Risk", "SRO email"], ["07", "Renamed risk", lead.email]]
    report = run("risks", rows, by=governance, commit=True)
    assert report.committed, errors(report)
    assert _access_events() == []
