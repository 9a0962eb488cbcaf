"""Property-based tests (hypothesis): random input at every form, every URL, the period and
date-label parsers, the score parser and the rich-text sanitiser.

Profiles: "ci" (CI=true) is derandomised, so a CI run is reproducible and a failure repeats;
"dev" draws new examples each run. Neither keeps an example database (hypothesis still
caches Unicode tables and literals under .hypothesis/, which git ignores).
HYPOTHESIS_PROFILE picks one by name. `make test` passes --hypothesis-show-statistics, so the
output says how many examples each test ran.

Pages are requested against one set of data (`world`), made once per module inside a
transaction that is rolled back at the end; each example runs in a savepoint of its own
(support.rolled_back) so nothing one example writes is seen by the next.
"""

import datetime
import os
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings

from ics_portal.models import ReportingCycle
from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER, SYSTEM_LEAD
from ics_portal.status import DeliveryStatus
from packs.models import BoardPack

from .. import factories
from ..conftest import _in_group

_common = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    # Examples share the function's client and database on purpose (see support.rolled_back).
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("ci", derandomize=True, **_common)
settings.register_profile("dev", **_common)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One of everything the pages show, linked as the portal links them, and the people who
    look at them. Made once per module; rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    (media / "packs" / "published").mkdir(parents=True)
    (media / "packs" / "published" / "pack.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            AXES_ENABLED=False,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        yield _make_world()
        transaction.set_rollback(True)


def _make_world() -> SimpleNamespace:
    governance = _in_group(
        factories.UserFactory(full_name="Gus Governance", is_staff=True), GOVERNANCE_OFFICER
    )
    lead = _in_group(factories.UserFactory(full_name="Lee Lead"), SYSTEM_LEAD)
    board = _in_group(factories.UserFactory(full_name="Bea Board"), BOARD_MEMBER)
    superuser = factories.UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True)
    workstream = factories.WorkstreamFactory(name="Digital enablement", code="DE")
    workstream.leads.add(lead)
    objective = factories.ObjectiveFactory(
        workstream=workstream, number=1, target_fy_start_year=2021, target_quarter=4
    )
    milestone = factories.MilestoneFactory(title="Agreement on organisational form")
    workstream.milestones.add(milestone)
    risk = factories.BAFRiskFactory(reference="07", title="Workforce capacity", owner=lead)
    workstream.baf_risks.add(risk)
    thread = factories.GoldenThreadFactory(name="Health inequalities")
    thread.system_leads.add(lead)
    workstream.golden_threads.add(thread)
    cycle = factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=3,
        submission_deadline=datetime.date(2021, 12, 20),
        status=ReportingCycle.Status.OPEN,
    )
    update = factories.WorkstreamUpdateFactory(
        cycle=cycle, workstream=workstream, overall_status=DeliveryStatus.ON_TRACK
    )
    factories.ObjectiveProgressFactory(update=update, objective=objective)
    factories.MilestoneProgressFactory(update=update, milestone=milestone)
    thread_update = factories.GoldenThreadUpdateFactory(cycle=cycle, golden_thread=thread)
    review = factories.RiskReviewFactory(risk=risk, cycle=cycle)
    published = factories.PublishedPackFactory(
        pack__cycle=cycle,
        visibility=BoardPack.Visibility.PUBLIC,
        embargo_until=datetime.datetime(2022, 1, 19, 9, tzinfo=datetime.UTC),
    )
    pack = factories.BoardPackFactory(cycle=cycle, title="Draft pack", created_by=governance)
    factories.AuditEventFactory(verb="pack.create")
    from reporting.models import ReminderSent

    ReminderSent.objects.create(
        person=lead, cycle=cycle, kind="REMINDER", sent_on=datetime.date(2021, 12, 15)
    )
    return SimpleNamespace(
        governance=governance,
        lead=lead,
        board=board,
        superuser=superuser,
        workstream=workstream,
        objective=objective,
        milestone=milestone,
        risk=risk,
        thread=thread,
        cycle=cycle,
        update=update,
        thread_update=thread_update,
        review=review,
        published=published,
        pack=pack,
    )


@pytest.fixture(params=["governance", "anonymous"])
def visitor(request, client, world, db):
    """A client signed in as a governance officer, or no one."""
    if request.param == "governance":
        client.force_login(world.governance)
    return client


@pytest.fixture(params=["governance", "superuser"])
def staff(request, client, world, db):
    """A client signed in to the admin: as a governance officer (staff, with the role's model
    permissions) or as a superuser (who also sees the third-party models)."""
    user = world.governance if request.param == "governance" else world.superuser
    client.force_login(user)
    return client
