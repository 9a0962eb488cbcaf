import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ics_portal.models import (
    Forum,
    ForumAlias,
    ForumMember,
    Meeting,
    Post,
    PostAlias,
    ReportingCycle,
    User,
)
from ics_portal.status import WorkflowState
from reporting.models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    WorkstreamUpdate,
)
from risks.models import BAFRisk, RiskReview
from workstreams.models import GoldenThread, Milestone, Objective, Theme, Workstream

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
MODELS = [
    User,
    Theme,
    GoldenThread,
    Workstream,
    Objective,
    Milestone,
    BAFRisk,
    RiskReview,
    ReportingCycle,
    WorkstreamUpdate,
    GoldenThreadUpdate,
    ObjectiveProgress,
    MilestoneProgress,
    Post,
    PostAlias,
    Forum,
    ForumAlias,
    ForumMember,
    Meeting,
]

# Every workstream of the seed workstream paper (fixtures/demo/workstreams.json), by its name there.
SEED_WORKSTREAMS = {
    "DIRECTION & ENGAGEMENT",
    "FUNCTIONS AND SERVICES (INCL. STRATEGIC COMMISSIONING DEVELOPMENT)",
    "PROVIDER COLLABORATIVES AND PLACES",
    "TRANSITIONAL ARRANGEMENTS",
    "LEADERSHIP STRUCTURE",
    "GOVERNANCE",
    "TRANSITIONAL ICS GOVERNANCE",
    "CLINICAL LEADERSHIP",
    "ASSURANCE",
    "OD",
    "TARGET OPERATING MODEL",
    "QUALITY AND PERFORMANCE",
    "RISK MANAGEMENT",
    "SINGLE PEOPLE PLAN",
    "PLACE BASED PARTNERSHIP",
    "SUPPORTING PEOPLE TO TRANSITION",
    "SYSTEM WIDE FINANCIAL FRAMEWORK INCLUDING CAPITAL",
    "COLLECTIVE RISK MANAGEMENT STRUCTURES AND MECHANISMS",
    "ALLOCATION APPROACH TO PLACES, COLLABORATIVES AND ORGANISATIONS",
    "FINANCIAL RESOURCE MANAGEMENT AND MECHANISMS",
    "COVID RESPONSE AND RECOVERY",
    "DIGITAL",
    "DATA AND INFORMATION",
    "ESTATES",
    "WORKFORCE",
    "INTEGRATED CARE DELIVERY (INCL. CLINICAL STRATEGY)",
    "TRANSFORMATION APPROACH",
    "CCG TO ICS TRANSITION",
    "IMPLEMENTATION",
    "RECRUITMENT",
}


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def loaded(demo_once, db):
    """The demo data, loaded once for this module (tests/conftest.py)."""


def test_loads_the_seed_content(loaded):
    assert GoldenThread.objects.count() == 5
    assert BAFRisk.objects.count() == 16
    assert Theme.objects.count() == 8
    names = {name.upper() for name in Workstream.objects.values_list("name", flat=True)}
    assert names >= SEED_WORKSTREAMS
    assert set(BAFRisk.objects.values_list("reference", flat=True)) == {
        "01",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "17",
        "18",
        "21",
    }
    asterisked = GoldenThread.objects.filter(is_cross_referenced=True).values_list(
        "number", flat=True
    )
    assert sorted(asterisked) == [2, 3, 5]
    thread2 = GoldenThread.objects.get(number=2)
    assert {t.number for t in thread2.cross_references.all()} == {3, 5}


def test_shared_milestone_sits_in_many_workstreams(loaded):
    shared = Milestone.objects.get(title="Agreement on organisational form at each level")
    assert shared.workstreams.count() >= 15


def test_history_and_open_cycle(loaded):
    q2 = ReportingCycle.objects.get(fy_start_year=2021, quarter=2)
    q3 = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    assert q3.status == ReportingCycle.Status.OPEN
    # Approved, then published with the demo's Q2 board pack (issue 11).
    assert q2.status == ReportingCycle.Status.PUBLISHED
    assert (
        WorkstreamUpdate.objects.filter(cycle=q2, state=WorkflowState.PUBLISHED).count()
        == Workstream.objects.count()
    )
    # The open cycle's updates are pre-filled from Q2's approved text.
    digital = WorkstreamUpdate.objects.get(cycle=q3, workstream__code="DIG")
    assert digital.state == WorkflowState.NOT_STARTED
    assert digital.objective_progress.exclude(progress="").exists()
    assert RiskReview.objects.filter(cycle=q3).count() == 16
    # Q1 and Q2 for every risk, and Q3 for the twelve in fixtures/demo/q3_illustrative.json
    # (not the demo lead's 07 and 12, nor 01 and 04): the dashboards' third quarter.
    assert (
        RiskReview.objects.filter(state=WorkflowState.APPROVED, cycle__quarter__lt=3).count() == 32
    )
    assert RiskReview.objects.filter(state=WorkflowState.APPROVED, cycle=q3).count() == 12


def test_rich_text_keeps_lists_and_strips_typed_bullets(loaded):
    progress = ObjectiveProgress.objects.filter(update__cycle__quarter=2).values_list(
        "progress", flat=True
    )
    joined = "".join(progress)
    assert "<li>" in joined
    assert "•" not in joined and "data-bbox" not in joined
    assert any(
        "<table>" in t.quarter_update or "<table>" in t.next_quarter_plans
        for t in GoldenThreadUpdate.objects.all()
    )


def test_demo_logins_one_per_role(loaded):
    for email, group in [
        ("demo.lead@example.nhs.uk", "System lead"),
        ("demo.governance@example.nhs.uk", "Governance officer"),
        ("demo.board@example.nhs.uk", "Board member"),
    ]:
        user = User.objects.get(email=email)
        assert user.check_password("correct-horse-battery")
        assert list(user.groups.values_list("name", flat=True)) == [group]
    assert User.objects.get(email="demo.admin@example.nhs.uk").is_superuser


def test_only_the_demo_logins_get_a_password_or_a_flag(loaded):
    seed_people = User.objects.exclude(email__startswith="demo.")
    assert seed_people.count() == 15
    for person in seed_people:
        assert not person.has_usable_password(), person.email
        assert not person.is_staff and not person.is_superuser, person.email
    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    assert staff == {"demo.governance@example.nhs.uk", "demo.admin@example.nhs.uk"}


def test_reloading_never_gives_a_seed_person_a_password(loaded):
    chose_one = User.objects.get(email="louis.kamfer@example.nhs.uk")
    chose_one.set_password("a passphrase of my own")
    chose_one.save()
    # A database loaded before: the seed people held the demo logins' password hash.
    leftover = User.objects.get(email="sharon.fox@example.nhs.uk")
    leftover.password = User.objects.get(email="demo.lead@example.nhs.uk").password
    leftover.is_staff = True
    leftover.save()
    call_command(
        "load_demo_data", password="another-demo-password", force=True, stdout=io.StringIO()
    )
    chose_one.refresh_from_db()
    leftover.refresh_from_db()
    assert chose_one.check_password("a passphrase of my own")
    assert not leftover.has_usable_password()
    assert not leftover.is_staff
    untouched = User.objects.exclude(email__startswith="demo.").exclude(pk=chose_one.pk)
    assert not any(person.has_usable_password() for person in untouched)
    assert User.objects.get(email="demo.lead@example.nhs.uk").check_password(
        "another-demo-password"
    )


def test_loading_twice_gives_the_same_rows(loaded):
    first = _counts()
    call_command(
        "load_demo_data",
        password="correct-horse-battery",
        force=True,
        stdout=io.StringIO(),
    )
    assert _counts() == first


def test_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data")


def test_fixture_files_are_valid_json():
    for path in DEMO.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
