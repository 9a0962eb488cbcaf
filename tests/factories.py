"""Test data factories. Tests set up state through these and through actions."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ics_portal.models import AuditEvent, Organisation, ReportingCycle, User
from packs.models import BoardPack, PublishedPack
from reporting.models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    WorkstreamUpdate,
)
from risks.actions import ensure_default_matrix
from risks.models import BAFRisk, RiskReview
from workstreams.models import GoldenThread, Milestone, Objective, Theme, Workstream


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Partner Trust {n} NHS Foundation Trust")
    short_name = factory.Sequence(lambda n: f"PT{n}")
    kind = Organisation.Kind.NHS_TRUST


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    job_title = "Programme lead"
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Theme {n + 1}")
    order = factory.SelfAttribute("number")


class GoldenThreadFactory(DjangoModelFactory):
    class Meta:
        model = GoldenThread

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Golden thread {n + 1}")
    current_drivers = "<ul><li>A driver</li></ul>"


class WorkstreamFactory(DjangoModelFactory):
    class Meta:
        model = Workstream

    theme = factory.SubFactory(ThemeFactory)
    name = factory.Sequence(lambda n: f"WORKSTREAM {n}")
    code = factory.Sequence(lambda n: f"WS{n}")


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    workstream = factory.SubFactory(WorkstreamFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Objective text {n}")


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = datetime.date(2021, 9, 30)
    due_label = "Delivery by Sept 2021"


class BAFRiskFactory(DjangoModelFactory):
    class Meta:
        model = BAFRisk

    reference = factory.Sequence(lambda n: f"{n + 1:02d}")
    title = factory.Sequence(lambda n: f"Risk {n}")
    description = "A risk the board approved."
    category = BAFRisk.Category.GOVERNANCE
    initial_likelihood = 4
    initial_consequence = 4
    current_likelihood = 3
    current_consequence = 4
    target_likelihood = 2
    target_consequence = 4
    matrix = factory.LazyFunction(ensure_default_matrix)


class ReportingCycleFactory(DjangoModelFactory):
    class Meta:
        model = ReportingCycle
        django_get_or_create = ("fy_start_year", "quarter")

    fy_start_year = 2021
    quarter = 3
    opens_on = datetime.date(2021, 12, 1)
    submission_deadline = datetime.date(2021, 12, 20)
    review_deadline = datetime.date(2022, 1, 7)
    board_forum = "System Partnership Board"
    board_meeting_date = datetime.date(2022, 1, 26)
    status = ReportingCycle.Status.OPEN


class WorkstreamUpdateFactory(DjangoModelFactory):
    class Meta:
        model = WorkstreamUpdate

    cycle = factory.SubFactory(ReportingCycleFactory)
    workstream = factory.SubFactory(WorkstreamFactory)


class GoldenThreadUpdateFactory(DjangoModelFactory):
    class Meta:
        model = GoldenThreadUpdate

    cycle = factory.SubFactory(ReportingCycleFactory)
    golden_thread = factory.SubFactory(GoldenThreadFactory)


class ObjectiveProgressFactory(DjangoModelFactory):
    class Meta:
        model = ObjectiveProgress

    update = factory.SubFactory(WorkstreamUpdateFactory)
    objective = factory.SubFactory(
        ObjectiveFactory, workstream=factory.SelfAttribute("..update.workstream")
    )
    progress = "<p>Progress made.</p>"


class MilestoneProgressFactory(DjangoModelFactory):
    class Meta:
        model = MilestoneProgress

    update = factory.SubFactory(WorkstreamUpdateFactory)
    milestone = factory.SubFactory(MilestoneFactory)
    status = "ON_TRACK"


class RiskReviewFactory(DjangoModelFactory):
    class Meta:
        model = RiskReview

    risk = factory.SubFactory(BAFRiskFactory)
    cycle = factory.SubFactory(ReportingCycleFactory)
    likelihood = factory.SelfAttribute("risk.current_likelihood")
    consequence = factory.SelfAttribute("risk.current_consequence")
    target_likelihood = factory.SelfAttribute("risk.target_likelihood")
    target_consequence = factory.SelfAttribute("risk.target_consequence")
    matrix = factory.LazyFunction(ensure_default_matrix)
    rationale = "<p>Scored at the quarterly review.</p>"


class BoardPackFactory(DjangoModelFactory):
    class Meta:
        model = BoardPack

    cycle = factory.SubFactory(ReportingCycleFactory)
    meeting = "System Partnership Board Meeting in Public"
    date_of_meeting = datetime.date(2022, 1, 26)
    agenda_item = "03.1"
    title = factory.Sequence(lambda n: f"Development plan quarterly report {n}")
    lead = "Jan Thomas, Accountable Officer"
    author = "Sharon Fox, Director of Governance"
    purpose = BoardPack.Purpose.ASSURE
    purpose_of_paper = "To assure the board of progress."
    recommendation = "The board is asked to note the report."
    sections = factory.LazyFunction(lambda: ["summary", "workstreams"])
    created_by = factory.SubFactory(UserFactory)


class PublishedPackFactory(DjangoModelFactory):
    """A published version as publish_pack leaves it (the file itself is not written)."""

    class Meta:
        model = PublishedPack

    pack = factory.SubFactory(BoardPackFactory, state=BoardPack.State.PUBLISHED)
    number = factory.Sequence(lambda n: n + 1)
    pdf = "packs/published/pack.pdf"
    sha256 = "0" * 64
    page_count = 12
    html = "<h1>Report</h1>"
    title = factory.SelfAttribute("pack.title")
    visibility = factory.SelfAttribute("pack.visibility")
    published_at = factory.LazyFunction(timezone.now)


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor_name = "Gus Governance"
    verb = "update.save"
    object_type = "reporting.WorkstreamUpdate"
    object_id = "1"
    object_label = "Digital enablement – Q3 2021/22"
