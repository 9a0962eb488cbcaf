"""Fixtures shared by every folder of tests: the settings each test runs with, one person in
each role, and the reporting plan with an open quarter that the update, workflow, permission
and input tests start from. A folder's own fixtures are in its conftest.py; plain helpers are
in support modules, imported by name.
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER, SYSTEM_LEAD
from reporting import actions
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate

from . import factories
from .updates.support import approve_quarter, cycle_for, make_workstream

DEMO_PASSWORD = "correct-horse-battery"


def _test_settings() -> dict:
    """What every test runs with: fast password hashing, no lockouts, mail kept in memory,
    tasks run at once, static files from the finders (no manifest)."""
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "AXES_ENABLED": False,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "STORAGES": {
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    for name, value in _test_settings().items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data (load_demo_data), loaded once for a module of tests that read it and
    rolled back after the module; each test asks for `db` too and runs in a savepoint of its
    own, so what one test changes the next never sees. Yields the command's output. Loading
    takes about ten seconds: once per module instead of once per test."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, **_test_settings()),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("load_demo_data", password=DEMO_PASSWORD, force=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _in_group(user, role):
    user.groups.add(Group.objects.get_or_create(name=role.group_name)[0])
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but with no role and no relation to anything."""
    return factories.UserFactory(full_name="Olive Outsider")


@pytest.fixture
def lead(db):
    return _in_group(factories.UserFactory(full_name="Lee Lead"), SYSTEM_LEAD)


@pytest.fixture
def other_lead(db):
    return _in_group(factories.UserFactory(full_name="Ola Otherlead"), SYSTEM_LEAD)


@pytest.fixture
def governance(db):
    return _in_group(
        factories.UserFactory(full_name="Gus Governance", is_staff=True), GOVERNANCE_OFFICER
    )


@pytest.fixture
def board_member(db):
    return _in_group(factories.UserFactory(full_name="Bea Board"), BOARD_MEMBER)


@pytest.fixture
def superuser(db):
    return factories.UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True)


# --- the reporting plan (tests/updates/support.py has the helpers) --------------------------------


@pytest.fixture
def plan(lead, other_lead, governance):
    """DIGITAL (led by `lead`: two objectives, BAF risk 07, a milestone due in Q2 and one due
    in Q4) with an approved Q2 2021/22 update, WORKFORCE led by `other_lead`, a golden thread
    led by `lead`, and Q3 2021/22 open (deadline in ten days) with its updates pre-filled."""
    risk = factories.BAFRiskFactory(reference="07", title="Change and uncertainty")
    overdue = factories.MilestoneFactory(
        title="Shared care record procured",
        due_date=datetime.date(2021, 9, 30),
        due_label="Delivery by Sept 2021",
    )
    later = factories.MilestoneFactory(
        title="Digital strategy agreed",
        due_date=datetime.date(2022, 3, 31),
        due_label="Delivery by March 2022",
    )
    workstream = make_workstream(lead, risks=[risk], milestones=[overdue, later])
    other = factories.WorkstreamFactory(name="WORKFORCE", code="WF")
    other.leads.add(other_lead)
    thread = factories.GoldenThreadFactory(name="Health inequalities")
    thread.system_leads.add(lead)
    workstream.golden_threads.add(thread)
    approve_quarter(cycle_for(2021, 2), lead=lead, governance=governance)
    q3 = cycle_for(2021, 3, deadline=timezone.localdate() + datetime.timedelta(days=10))
    actions.open_cycle(cycle=q3, by=governance)
    return SimpleNamespace(
        cycle=q3,
        workstream=workstream,
        other=other,
        thread=thread,
        risk=risk,
        overdue=overdue,
        later=later,
    )


@pytest.fixture
def update(plan):
    """DIGITAL's Q3 2021/22 update, not started, pre-filled from Q2."""
    return WorkstreamUpdate.objects.get(cycle=plan.cycle, workstream=plan.workstream)


@pytest.fixture
def thread_update(plan):
    return GoldenThreadUpdate.objects.get(cycle=plan.cycle, golden_thread=plan.thread)


def pytest_terminal_summary(terminalreporter):
    """Show the workflow state machine's figures (tests/workflow/test_state_machine.py) at the
    end of the run, also when the tests ran in xdist workers (properties travel with reports)."""
    lines = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "call") == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "workflow_state_machine"
    ]
    if lines:
        terminalreporter.section("workflow state machine")
        for line in sorted(lines):
            terminalreporter.write_line(line)
