"""The dashboards (issue 15): the plan overview, the trend grid and the risk trends. Read-only
pages for board members, leads and governance (Perm.DASHBOARD_VIEW); the numbers come from
reporting/dashboards.py, the charts from reporting/charts.py."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ics_portal.permissions import Perm, has_permission
from ics_portal.views_support import requires

from .. import dashboards
from ..dashboard_forms import OverviewForm, TrendFilterForm


@requires(see=Perm.DASHBOARD_VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    cycles = list(dashboards.opened_cycles())
    form = OverviewForm(request.GET, cycles=cycles)
    chosen = form.chosen().get("cycle")
    by_pk = {str(c.pk): c for c in cycles}
    cycle = by_pk[chosen] if chosen else dashboards.default_overview_cycle(cycles)
    user = request.user
    page = dashboards.overview(
        cycle,
        cycles,
        show_risks=has_permission(user, Perm.RISK_VIEW),
        show_progress=has_permission(user, Perm.CYCLE_VIEW_PROGRESS),
    )
    if cycle is not None and not form.errors:
        form = OverviewForm({"cycle": str(cycle.pk)}, cycles=cycles)
    return render(request, "dashboards/overview.html", {"page": page, "form": form})


@requires(see=Perm.DASHBOARD_VIEW)
def trends(request: HttpRequest) -> HttpResponse:
    form = TrendFilterForm(request.GET, choices=dashboards.trend_choices())
    grid = dashboards.trend_grid(**form.filters())
    return render(request, "dashboards/trends.html", {"grid": grid, "form": form})


@requires(see=Perm.DASHBOARD_VIEW)
def risk_trends(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/risk_trends.html", {"trends": dashboards.risk_trends()})
