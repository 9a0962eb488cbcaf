import pytest
from django.contrib.auth.models import Group

from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER, SYSTEM_LEAD

from . import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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


def pytest_terminal_summary(terminalreporter):
    """Show the workflow state machine's figures (tests/test_workflow_state_machine.py) at the
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
