"""Governance reviews a submitted update beside last quarter's approved one, then returns it
with comments or approves it (approved updates are locked). After the cycle closes, a return
carries the date the lead has until to resubmit (docs/adr/0006)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, SubmissionInvalid
from ics_portal.workflow.forms import return_form_for

from .. import review
from ._access import describe, load_update


def _review_page(request, update, *, return_form=None) -> HttpResponse:
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
            "return_form": return_form or return_form_for(update),
        },
    )


@requires(Perm.UPDATE_REVIEW, load=load_update)
def update_review(request: HttpRequest, update) -> HttpResponse:
    return _review_page(request, update)


@requires(Perm.UPDATE_REVIEW, load=load_update, methods=("POST",))
def update_return(request: HttpRequest, update) -> HttpResponse:
    form = return_form_for(update, request.POST)
    if form.is_valid():
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
    return _review_page(request, update, return_form=form)


@requires(Perm.UPDATE_REVIEW, load=load_update, methods=("POST",))
def update_approve(request: HttpRequest, update) -> HttpResponse:
    try:
        workflow.approve(update=update, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, f"{describe(update)['title']} approved. It is now locked.")
    return redirect(update.cycle)
