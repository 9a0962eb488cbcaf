"""Loading and permission checks shared by the BAF views, so each view body stays short.

Cannot see -> 404 (an outsider does not learn what exists); can see but may not do this -> 403.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from ics_portal.permissions import has_permission, refusal
from ics_portal.workflow.errors import ActionError, SubmissionInvalid

from ..models import BAFRisk, RiskReview


def risk_reader(view):
    """Signed in and allowed to read the BAF ("risk.view"), else 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_permission(request.user, "risk.view"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def risk_manager(view):
    """Reads the BAF and manages it ("risk.manage"): 404 for outsiders, 403 for readers."""

    @risk_reader
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_permission(request.user, "risk.manage"):
            raise PermissionDenied("Only the governance team changes the BAF.")
        return view(request, *args, **kwargs)

    return wrapped


def with_risk(view):
    """Load the risk named in the URL, however its reference was typed: /risks/7/ redirects
    to /risks/07/."""

    @wraps(view)
    def wrapped(request, reference, *args, **kwargs):
        canonical = BAFRisk.canonical_reference(reference)
        if canonical != reference:
            return redirect(request.resolver_match.view_name, reference=canonical)
        risk = get_object_or_404(
            BAFRisk.objects.select_related("owner__organisation"), reference=canonical
        )
        return view(request, risk, *args, **kwargs)

    return wrapped


def load_review(request, pk: int) -> RiskReview:
    """The review if the person may see it ("update.view": its owner, governance, board
    members once accepted), else 404."""
    review = get_object_or_404(
        RiskReview.objects.select_related(
            "risk__owner__organisation", "cycle", "updated_by", "approved_by", "extended_by"
        ),
        pk=pk,
    )
    if not has_permission(request.user, "update.view", review):
        raise Http404
    return review


def require(request, perm: str, obj) -> None:
    """403 unless the person may do `perm` to an object they can already see; the 403 page
    says why and what to do instead (permissions.refusal)."""
    if not has_permission(request.user, perm, obj):
        raise PermissionDenied(refusal(request.user, perm, obj))


def add_action_errors(form, error: ActionError) -> None:
    """Show an action's refusal on the form: per field where it names one, else at the top."""
    if isinstance(error, SubmissionInvalid):
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(error))
