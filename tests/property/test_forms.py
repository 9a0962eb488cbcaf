"""Every form of the project, the admin's included, is given random data: `is_valid()` answers
True or False (never raises), says why when it refuses, writes nothing, and never accepts a
year or date outside the portal's range.

The forms are found by walking the subclasses of Django's BaseForm defined in the portal's
packages (after importing every forms and admin module), so a new form is fuzzed without
being listed; one that needs more than data to be made is given it in BUILDERS, and fails
here until it is."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from ics_portal import dates
from reporting.views._access import _update_queryset

from .routes import our_models
from .strategies import form_data, multi_value
from .support import rolled_back

PACKAGES = tuple(django_settings.PORTAL_APPS)
# Timestamps Django keeps on a person (read-only in the admin), not dates anyone plans with.
UNBOUNDED = {"last_login", "date_joined"}


def _project_form_classes() -> list[type]:
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        for module in pkgutil.walk_packages(path, f"{package}."):
            # forms.py, admin.py and a page's own forms module (plan_forms, search_forms), so
            # every form is fuzzed whichever test imported what first.
            last = module.name.rsplit(".", 1)[-1]
            if last in ("forms", "admin") or last.endswith("_forms"):
                importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in PACKAGES:
                found.add(subclass)
    # A ModelForm without a model is a base for the admin's forms, which are fuzzed below.
    usable = [c for c in found if not (hasattr(c, "_meta") and c._meta.model is None)]
    return sorted(usable, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _builders() -> dict:
    from dataio.forms import ImportForm
    from ics_portal.admin import PortalUserChangeForm
    from ics_portal.forms import SignInForm
    from ics_portal.workflow.forms import (
        ClosedCycleReturnDecisionForm,
        ClosedCycleReturnForm,
        ReopenCycleForm,
        ReopenUpdateForm,
        ReturnDecisionForm,
        ReturnForm,
    )
    from packs.forms import BoardPackForm
    from reporting.dashboard_forms import OverviewForm, TrendFilterForm
    from reporting.dashboards import TrendChoices
    from reporting.forms import CycleUpdatesFilterForm, form_for
    from reporting.plan_forms import CompareForm
    from reporting.search_forms import SearchFilterForm
    from risks.forms import RegisterFilterForm, RiskForm, RiskReviewForm

    def update_form(kind, attribute):
        return lambda world, data: form_for(
            _update_queryset(kind).get(pk=getattr(world, attribute).pk), data
        )

    return {
        "SignInForm": lambda world, data: SignInForm(request=None, data=data),
        "ImportForm": lambda world, data: ImportForm(data, {}),
        "PortalUserChangeForm": lambda world, data: PortalUserChangeForm(
            data, instance=_fresh(world.lead)
        ),
        "BoardPackForm (editing)": lambda world, data: BoardPackForm(
            data, instance=_fresh(world.pack), editing=True
        ),
        "WorkstreamUpdateForm": update_form("workstream", "update"),
        "GoldenThreadUpdateForm": update_form("thread", "thread_update"),
        "ReturnForm": lambda world, data: ReturnForm(data, update=world.update),
        "RegisterFilterForm": lambda world, data: RegisterFilterForm(
            data, band_names=["Low", "Moderate", "High", "Extreme"]
        ),
        "RiskForm (editing)": lambda world, data: RiskForm(data, instance=_fresh(world.risk)),
        "RiskReviewForm": lambda world, data: RiskReviewForm(data, instance=_fresh(world.review)),
        "ClosedCycleReturnForm": lambda world, data: ClosedCycleReturnForm(
            data, update=world.update
        ),
        "ReturnDecisionForm": lambda world, data: ReturnDecisionForm(data, update=world.update),
        "ClosedCycleReturnDecisionForm": lambda world, data: ClosedCycleReturnDecisionForm(
            data, update=world.update
        ),
        "ReopenCycleForm": lambda world, data: ReopenCycleForm(data, cycle=world.cycle),
        "ReopenUpdateForm": lambda world, data: ReopenUpdateForm(data, cycle_closed=True),
        "CycleUpdatesFilterForm": lambda world, data: CycleUpdatesFilterForm(
            data, themes=[("threads", "Golden threads")], leads=[(str(world.lead.pk), "Lead")]
        ),
        "CompareForm": lambda world, data: CompareForm(data, cycles=[world.cycle]),
        "SearchFilterForm": lambda world, data: SearchFilterForm(
            data, cycles=[world.cycle], themes=[world.workstream.theme]
        ),
        "OverviewForm": lambda world, data: OverviewForm(data, cycles=[world.cycle]),
        "TrendFilterForm": lambda world, data: TrendFilterForm(
            data,
            choices=TrendChoices(
                themes=[(str(world.workstream.theme_id), "Theme")],
                threads=[(str(world.thread.pk), "Thread")],
                leads=[(str(world.lead.pk), "Lead")],
                organisations=[],
            ),
        ),
    }


def _fresh(obj):
    """The object as stored: a model form's is_valid() writes what it read onto its instance,
    so each example starts from its own copy."""
    return type(obj).objects.get(pk=obj.pk)


def _specs() -> list[tuple[str, object]]:
    """(name, build(world, data) -> bound form) for every form."""
    builders = _builders()
    specs = []
    for form_class in _project_form_classes():
        name = form_class.__name__
        build = builders.get(name) or (lambda world, data, c=form_class: c(data))
        specs.append((f"{form_class.__module__}.{name}", build))
        variant = builders.get(f"{name} (editing)")
        if variant:
            specs.append((f"{form_class.__module__}.{name} (editing)", variant))
    # The admin's add and change form of each of the portal's models.
    for model in our_models():
        specs.append((f"admin add {model._meta.label}", _admin_form(model, change=False)))
        specs.append((f"admin change {model._meta.label}", _admin_form(model, change=True)))
    return specs


def _admin_form(model, *, change: bool):
    def build(world, data):
        model_admin = admin.site._registry[model]
        request = RequestFactory().get("/")
        request.user = world.superuser
        obj = model.objects.order_by("pk").first() if change else None
        form_class = model_admin.get_form(request, obj, change=change)
        return form_class(data, instance=obj) if obj is not None else form_class(data)

    return build


SPECS = _specs()


def _dates_in(value):
    if isinstance(value, datetime.date):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _dates_in(item)


def test_every_kind_of_form_is_found():
    names = {name.rsplit(".", 1)[-1] for name, _ in SPECS}
    assert {
        "CycleForm",
        "WorkstreamUpdateForm",
        "GoldenThreadUpdateForm",
        "BoardPackForm",
        "RiskForm",
        "RiskReviewForm",
        "ImportForm",
        "SignInForm",
        "PortalUserCreationForm",
    } <= names
    assert any(name.startswith("admin change ics_portal.ReportingCycle") for name, _ in SPECS)


@pytest.mark.parametrize(("name", "build"), SPECS, ids=[name for name, _ in SPECS])
@settings(max_examples=8)
@given(data=st.data())
def test_forms_accept_or_refuse_anything(world, db, name, build, data):
    template = build(world, None)
    posted = data.draw(form_data(template), label="data")
    with rolled_back(), CaptureQueriesContext(connection) as queries:
        form = build(world, multi_value(posted))
        valid = form.is_valid()
    assert valid in (True, False)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == [], "is_valid() wrote to the database"
    if not valid:
        assert all(message for messages in form.errors.values() for message in messages)
        return
    for field, value in form.cleaned_data.items():
        if field not in UNBOUNDED:
            for day in _dates_in(value):
                assert dates.is_plausible_date(day), (field, day)


PORTAL_SPECS = [(name, build) for name, build in SPECS if not name.startswith("admin ")]


@pytest.mark.parametrize(("name", "build"), PORTAL_SPECS, ids=[n for n, _ in PORTAL_SPECS])
def test_no_error_message_is_the_generic_one(world, db, name, build):
    """Sent empty, every form's errors name their field ("Enter the lead", "Select the
    quarter"), as the NHS error message pattern asks: never Django's "This field is required."
    """
    with rolled_back():
        form = build(world, {})
        form.is_valid()
    generic = [
        (field, message)
        for field, messages in form.errors.items()
        for message in messages
        if message == "This field is required."
    ]
    assert generic == []


def test_a_required_message_is_worded_from_the_label():
    from ics_portal.forms import required_message

    assert required_message(forms.CharField(label="Lead"), "lead") == "Enter the lead"
    assert required_message(forms.CharField(label="BAF risk"), "x") == "Enter the BAF risk"
    assert required_message(forms.CharField(), "board_forum") == "Enter the board forum"
    assert required_message(forms.ChoiceField(label="Quarter"), "q") == "Select the quarter"
    assert (
        required_message(forms.MultipleChoiceField(label="Golden threads"), "g")
        == "Select at least one of the golden threads"
    )
    assert required_message(forms.CharField(label="Why?"), "why") == "Answer \u201cWhy?\u201d"
