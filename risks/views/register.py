"""The register of BAF risks and the heat map: read by board members, leads and governance."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ics_portal.permissions import Perm
from ics_portal.views_support import requires

from .. import presenters
from ..forms import RegisterFilterForm
from ..matrix import CONSEQUENCE_WORDS, LIKELIHOOD_WORDS
from ..models import SCORE_BASES

BASIS_LABELS = {"current": "Current", "target": "Target", "initial": "Initial"}


@requires(see=Perm.RISK_VIEW)
def register(request: HttpRequest) -> HttpResponse:
    matrices = presenters.matrices_by_id()
    matrix = presenters.matrix_in_force(matrices)
    bands = [band.name for band in matrix.bands.all()] if matrix else []
    form = RegisterFilterForm(request.GET, band_names=bands)
    filters = form.filters()
    rows = presenters.register_rows(**filters, matrices=matrices)
    cell = None
    if filters["likelihood"] and filters["consequence"]:
        cell = {
            "basis": BASIS_LABELS[filters["basis"]].lower(),
            "likelihood": filters["likelihood"],
            "likelihood_word": LIKELIHOOD_WORDS[filters["likelihood"]],
            "consequence": filters["consequence"],
            "consequence_word": CONSEQUENCE_WORDS[filters["consequence"]],
        }
    return render(
        request,
        "risks/register.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "cell": cell,
            "matrix": matrix,
        },
    )


@requires(see=Perm.RISK_VIEW)
def heat_map(request: HttpRequest) -> HttpResponse:
    basis = request.GET.get("basis", "current")
    if basis not in SCORE_BASES:
        basis = "current"
    return render(
        request,
        "risks/heat_map.html",
        {
            "grid": presenters.heat_map(basis),
            "basis": basis,
            "bases": [(b, BASIS_LABELS[b]) for b in SCORE_BASES],
            "basis_label": BASIS_LABELS[basis],
        },
    )
