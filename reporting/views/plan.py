"""The plan pages (/plan/): themes, golden threads, workstreams and partner organisations, for
everyone signed in, read-only. They show approved updates only (reporting/plan_presenters.py);
editing the plan stays with governance in the admin."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ics_portal.models import Organisation
from ics_portal.views_support import requires
from workstreams.models import GoldenThread, Theme, Workstream

from .. import plan_presenters


def _loader(model):
    def load(request, pk: int):
        return get_object_or_404(model, pk=pk)

    return load


def _quarters(page) -> dict:
    """The page, its quarters and the compare form (as `form`, so the title says "Error:"
    when the comparison asked for cannot be made)."""
    return {"page": page, "quarters": page.quarters, "form": page.quarters.compare_form}


def _risk_words(page) -> dict:
    """For a reader who may not open the BAF: risks named without links, and why none show."""
    return {"hide_risk_links": page.risks is None, "risks_hidden": plan_presenters.RISKS_HIDDEN}


@requires()
def plan_index(request: HttpRequest) -> HttpResponse:
    return render(request, "plan/index.html", {"page": plan_presenters.plan_index()})


@requires(load=_loader(Theme))
def theme_detail(request: HttpRequest, theme: Theme) -> HttpResponse:
    return render(request, "plan/theme.html", {"page": plan_presenters.theme_page(theme)})


@requires(load=_loader(GoldenThread))
def thread_detail(request: HttpRequest, thread: GoldenThread) -> HttpResponse:
    page = plan_presenters.thread_page(thread, request.user, request.GET)
    return render(
        request,
        "plan/thread.html",
        {**_quarters(page), **_risk_words(page)},
    )


@requires(load=_loader(Workstream))
def workstream_detail(request: HttpRequest, workstream: Workstream) -> HttpResponse:
    page = plan_presenters.workstream_page(workstream, request.user, request.GET)
    return render(
        request,
        "plan/workstream.html",
        {**_quarters(page), **_risk_words(page)},
    )


@requires(load=_loader(Organisation))
def organisation_detail(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = plan_presenters.organisation_page(organisation, request.user)
    return render(request, "plan/organisation.html", {"page": page, **_risk_words(page)})
