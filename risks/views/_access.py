"""Loaders shared by the BAF views' decorator (ics_portal.views_support.requires), so each
view body stays short.

Cannot see -> 404 (an outsider does not learn what exists); can see but may not do this -> 403.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from ics_portal.permissions import Perm, has_permission
from ics_portal.workflow.errors import ActionError, SubmissionInvalid

from ..models import BAFRisk, RiskReview


def load_risk(request, reference: str):
    """The risk named in the URL, however its reference was typed: /risks/7/ answers with a
    redirect to /risks/07/."""
    canonical = BAFRisk.canonical_reference(reference)
    if canonical != reference:
        return redirect(request.resolver_match.view_name, reference=canonical)
    return get_object_or_404(
        BAFRisk.objects.select_related("owner__organisation"), reference=canonical
    )


def load_review(request, pk: int) -> RiskReview:
    """The review if the person may see it ("update.view": its owner, governance, board
    members once accepted), else 404."""
    review = get_object_or_404(
        RiskReview.objects.select_related(
            "risk__owner__organisation", "cycle", "updated_by", "approved_by", "extended_by"
        ),
        pk=pk,
    )
    if not has_permission(request.user, Perm.UPDATE_VIEW, review):
        raise Http404
    return review


def add_action_errors(form, error: ActionError) -> None:
    """Show an action's refusal on the form: per field where it names one, else at the top."""
    if isinstance(error, SubmissionInvalid):
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(error))
