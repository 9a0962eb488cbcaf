"""Governance reviews a submitted update beside last quarter's approved one (and, after a
return, beside the version it returned), then makes one decision: approve it (after a
confirmation page that says what approving does) or return it with comments. After the cycle
closes, a return carries the date the lead has until to resubmit (docs/adr/0006)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, SubmissionInvalid
from ics_portal.workflow.forms import APPROVE, RETURN, decision_form_for

from .. import review
from ._access import describe, load_update


def _review_page(request, update, *, decision_form=None) -> HttpResponse:
    last = review.last_approved(update)
    return render(
        request,
        "reporting/update_review.html",
        {
            **describe(update),
            "update": update,
            "cycle": update.cycle,
            "last": last,
            "comparison": review.compare(update, last),
            "since_return": review.since_return(update),
            "decision_form": decision_form or decision_form_for(update),
        },
    )


@requires(Perm.UPDATE_REVIEW, load=load_update)
def update_review(request: HttpRequest, update) -> HttpResponse:
    return _review_page(request, update)


def _decide(request, update, data) -> HttpResponse:
    form = decision_form_for(update, data)
    if not form.is_valid():
        return _review_page(request, update, decision_form=form)
    if form.cleaned_data["decision"] == APPROVE:
        # Approving cannot be undone by the leads: a page says what it does first.
        return redirect("reporting:update_approve", kind=describe(update)["kind"], pk=update.pk)
    try:
        workflow.return_for_changes(
            update=update,
            by=request.user,
            comment=form.cleaned_data["comment"],
            sections=form.cleaned_data["sections"],
            extended_until=form.cleaned_data.get("extended_until"),
        )
    except SubmissionInvalid as error:
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
    except ActionError as error:
        form.add_error(None, str(error))
    else:
        messages.success(
            request, f"{describe(update)['title']} returned to its leads with your comments."
        )
        return redirect(update.cycle)
    return _review_page(request, update, decision_form=form)


@requires(Perm.UPDATE_REVIEW, load=load_update, methods=("POST",))
def update_decide(request: HttpRequest, update) -> HttpResponse:
    """The review page's one decision: approve (to the confirmation page) or return."""
    return _decide(request, update, request.POST)


@requires(Perm.UPDATE_REVIEW, load=load_update, methods=("POST",))
def update_return(request: HttpRequest, update) -> HttpResponse:
    """Return with comments (the decision form with "Return" chosen)."""
    data = request.POST.copy()
    data["decision"] = RETURN
    return _decide(request, update, data)


@requires(Perm.UPDATE_REVIEW, load=load_update, methods=("GET", "POST"))
def update_approve(request: HttpRequest, update) -> HttpResponse:
    """GET: what approving does, and the button that does it. POST: approve."""
    if request.method == "GET":
        return render(
            request,
            "reporting/approve_confirm.html",
            {**describe(update), "update": update, "cycle": update.cycle},
        )
    try:
        workflow.approve(update=update, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, f"{describe(update)['title']} approved. It is now locked.")
    return redirect(update.cycle)
