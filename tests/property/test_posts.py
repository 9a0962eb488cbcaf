"""Random data posted to every page that takes a form, as the person the page is for: never a
server error; a refused form changes nothing (every table of the portal, its history and
audit trail included, keeps its row count); and whatever is accepted, no year or date outside
the portal's range is ever stored."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ics_portal import dates
from ics_portal.dates import FinancialYearField, PlanDateField, PlanDateTimeField
from packs.forms import BoardPackForm, WithdrawForm
from reporting.forms import CycleForm, ReturnForm, form_for
from reporting.views._access import _update_queryset
from risks.forms import CloseRiskForm, ReturnReviewForm, RiskForm, RiskReviewForm

from . import strategies
from .strategies import form_data
from .support import rolled_back

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class Target:
    name: str
    who: str  # "governance", "lead" or "superuser"
    kwargs: Any  # world -> URL kwargs
    form: Any  # world -> the form the page shows, for its fields
    extra_keys: tuple = ()
    headers: dict | None = None
    # The page saves the draft before it submits, so an update refused at submission has
    # still been saved: its row counts may change.
    saves_before_refusing: bool = False

    label: str = ""

    def __str__(self) -> str:
        return self.label or self.name


def _update(world):
    return _update_queryset("workstream").get(pk=world.update.pk)


def _thread_update(world):
    return _update_queryset("thread").get(pk=world.thread_update.pk)


def _admin_form(model):
    def form(world):
        request = RequestFactory().get("/")
        request.user = world.superuser
        return admin.site._registry[model].get_form(request)()

    return form


def _update_kwargs(world):
    return {"kind": "workstream", "pk": world.update.pk}


TARGETS = [
    Target("reporting:cycle_create", "governance", lambda w: {}, lambda w: CycleForm()),
    Target(
        "reporting:cycle_remind",
        "governance",
        lambda w: {"pk": w.cycle.pk},
        lambda w: None,
        extra_keys=("person",),
    ),
    Target("packs:create", "governance", lambda w: {}, lambda w: BoardPackForm()),
    Target(
        "packs:edit",
        "governance",
        lambda w: {"pk": w.pack.pk},
        lambda w: BoardPackForm(instance=w.pack, editing=True),
    ),
    Target(
        "packs:published_withdraw",
        "governance",
        lambda w: {"pk": w.published.pk},
        lambda w: WithdrawForm(),
    ),
    Target("reporting:update_edit", "lead", _update_kwargs, lambda w: form_for(_update(w))),
    Target(
        "reporting:update_autosave",
        "lead",
        _update_kwargs,
        lambda w: form_for(_update(w)),
        headers=HTMX,
    ),
    Target(
        "reporting:update_submit",
        "lead",
        _update_kwargs,
        lambda w: form_for(_update(w)),
        saves_before_refusing=True,
    ),
    Target(
        "reporting:update_edit",
        "lead",
        lambda w: {"kind": "thread", "pk": w.thread_update.pk},
        lambda w: form_for(_thread_update(w)),
        label="reporting:update_edit (golden thread)",
    ),
    Target(
        "reporting:update_return",
        "governance",
        _update_kwargs,
        lambda w: ReturnForm(update=_update(w)),
    ),
    Target("risks:create", "governance", lambda w: {}, lambda w: RiskForm()),
    Target(
        "risks:edit",
        "governance",
        lambda w: {"reference": w.risk.reference},
        lambda w: RiskForm(instance=w.risk),
    ),
    Target(
        "risks:close",
        "governance",
        lambda w: {"reference": w.risk.reference},
        lambda w: CloseRiskForm(),
    ),
    Target(
        "risks:review",
        "lead",
        lambda w: {"pk": w.review.pk},
        lambda w: RiskReviewForm(instance=w.review),
        extra_keys=("action",),
        saves_before_refusing=True,
    ),
    Target(
        "risks:review_return",
        "governance",
        lambda w: {"pk": w.review.pk},
        lambda w: ReturnReviewForm(),
    ),
    *(
        Target(
            f"admin:{label.replace('.', '_').lower()}_add",
            "superuser",
            lambda w: {},
            _admin_form(apps.get_model(label)),
        )
        for label in (
            "ics_portal.ReportingCycle",
            "packs.BoardPack",
            "workstreams.Milestone",
            "workstreams.Objective",
            "risks.BAFRisk",
        )
    ),
]


def _our_models():
    return [
        model
        for label in django_settings.PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
    ]


def _row_counts() -> dict:
    """Rows in every table of the portal (history and audit trail included), in one query."""
    tables = sorted({model._meta.db_table for model in _our_models()})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _implausible_rows() -> list[str]:
    """Rows holding a year or date outside the portal's range, in any bounded column."""
    found = []
    for model in _our_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FinancialYearField):
                outside = Q(**{f"{field.name}__lt": dates.first_year()}) | Q(
                    **{f"{field.name}__gt": dates.last_year()}
                )
            elif isinstance(field, PlanDateField | PlanDateTimeField):
                lookup = (
                    f"{field.name}__date" if isinstance(field, PlanDateTimeField) else field.name
                )
                outside = Q(**{f"{lookup}__lt": dates.earliest()}) | Q(
                    **{f"{lookup}__gt": dates.latest()}
                )
            else:
                continue
            if model.objects.filter(outside).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.parametrize("target", TARGETS, ids=str)
@settings(max_examples=6)
@given(data=st.data())
def test_posted_forms_never_fail_or_half_save(world, client, db, target, data):
    user = getattr(world, target.who)
    if client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    template = target.form(world)
    if template is None:  # a button, not a form: only its extra keys
        values = st.one_of(st.just(str(world.lead.pk)), strategies.value)
        keys = st.sampled_from(target.extra_keys)
        posted = data.draw(st.dictionaries(keys, values), label="data")
    else:
        posted = data.draw(form_data(template, target.extra_keys), label="data")
    url = reverse(target.name, kwargs=target.kwargs(world))
    with rolled_back():
        before = _row_counts()
        response = client.post(url, posted, **(target.headers or {}))
        assert response.status_code < 500
        body = response.content.decode(errors="replace")
        accepted = response.status_code == 302 or (
            target.headers is HTMX and "app-autosave-problem" not in body
        )
        event("accepted" if accepted else f"refused ({response.status_code})")
        if not accepted and not target.saves_before_refusing:
            assert _row_counts() == before, "a refused form changed the database"
        assert _implausible_rows() == []
