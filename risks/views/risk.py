"""A risk's page (read by everyone who reads the BAF) and governance's create / edit / close."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from ics_portal.workflow.errors import ActionError

from .. import actions, presenters
from ..forms import CloseRiskForm, RiskForm
from ..models import BAFRisk
from ._access import add_action_errors, load_risk


@requires(see=Perm.RISK_VIEW, load=load_risk)
def risk_detail(request: HttpRequest, risk: BAFRisk) -> HttpResponse:
    return render(
        request,
        "risks/detail.html",
        {
            "page": presenters.risk_page(risk, request.user),
            "risk": risk,
        },
    )


@requires(Perm.RISK_MANAGE, see=Perm.RISK_VIEW)
def risk_create(request: HttpRequest) -> HttpResponse:
    form = RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            risk = actions.create_risk(
                by=request.user,
                fields=form.action_fields(),
                themes=list(form.cleaned_data["themes"]),
            )
        except ActionError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} added to the BAF.")
            # ?saved: the text this browser kept for the form is on the server now.
            return redirect(f"{risk.get_absolute_url()}?saved=1")
    return render(request, "risks/risk_form.html", {"form": form, "risk": None})


@requires(Perm.RISK_MANAGE, see=Perm.RISK_VIEW, load=load_risk)
def risk_edit(request: HttpRequest, risk: BAFRisk) -> HttpResponse:
    # The form gets its own copy: validating writes what was typed onto its instance, and the
    # page links to the risk by its stored reference whatever was typed.
    form = RiskForm(request.POST or None, instance=BAFRisk.objects.get(pk=risk.pk))
    if request.method == "POST" and form.is_valid():
        try:
            risk = actions.edit_risk(
                risk=risk,
                base_version=form.cleaned_data["version"] or 0,
                by=request.user,
                fields=form.action_fields(),
                themes=list(form.cleaned_data["themes"]),
            )
        except actions.StaleRiskError as error:
            data = request.POST.copy()
            data["version"] = error.current.version
            form = RiskForm(data, instance=BAFRisk.objects.get(pk=risk.pk))
            form.is_valid()
            form.add_error(None, f"{error} Check the form below, then save again.")
        except ActionError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} saved.")
            return redirect(f"{risk.get_absolute_url()}?saved={risk.version}")
    return render(request, "risks/risk_form.html", {"form": form, "risk": risk})


@requires(Perm.RISK_MANAGE, Perm.RISK_CLOSE, see=Perm.RISK_VIEW, load=load_risk)
def risk_close(request: HttpRequest, risk: BAFRisk) -> HttpResponse:
    form = CloseRiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_risk(risk=risk, by=request.user, reason=form.cleaned_data["reason"])
        except ActionError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} closed.")
            return redirect(risk)
    return render(request, "risks/close.html", {"form": form, "risk": risk})


@requires(Perm.RISK_MANAGE, see=Perm.RISK_VIEW, load=load_risk)
@require_POST
def risk_reopen(request: HttpRequest, risk: BAFRisk) -> HttpResponse:
    try:
        actions.reopen_risk(risk=risk, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Risk {risk.reference} is open again.")
    return redirect(risk)
