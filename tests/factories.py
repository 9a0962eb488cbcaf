"""Test data factories. Tests set up state through these and through actions."""

import datetime

import factory
from factory.django import DjangoModelFactory

from ics_portal.models import Organisation, User
from reporting.models import GoldenThreadUpdate, ReportingCycle, WorkstreamUpdate
from risks.actions import ensure_default_matrix
from risks.models import BAFRisk
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
