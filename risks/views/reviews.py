"""Quarterly risk reviews: the owner reviews and submits; governance makes one decision,
accept (after a page that says what accepting does) or return with comments. The workflow and
its permissions are the update workflow's (ics_portal/workflow/actions.py, "update.*")."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ics_portal.permissions import Perm, has_permission
from ics_portal.views_support import require, requires
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, StaleUpdateError
from ics_portal.workflow.forms import APPROVE, RETURN

from .. import actions, presenters
from ..forms import RiskReviewForm, review_decision_form_for
from ..models import RiskReview
from ._access import add_action_errors, load_review


@requires(see=Perm.RISK_LIST_REVIEWS)
def review_list(request: HttpRequest) -> HttpResponse:
    """ "My risk reviews" for an owner; every review in open cycles for governance."""
    user = request.user
    manages = has_permission(user, Perm.RISK_MANAGE)
    return render(
        request,
        "risks/reviews.html",
        {
            "mine": presenters.review_rows(user),
            "everyone": presenters.review_rows(user, everyone=True) if manages else None,
        },
    )


def _review_page(request, review: RiskReview, *, form=None, decision_form=None, stored=None):
    user = request.user
    last = presenters.previous_review_score(review)
    can_edit = has_permission(user, Perm.UPDATE_EDIT, review)
    if form is None and can_edit:
        form = RiskReviewForm(instance=review, last_quarter=last)
    can_review = has_permission(user, Perm.UPDATE_REVIEW, review)
    return render(
        request,
        "risks/review.html",
        {
            "review": review,
            "risk": review.risk,
            "last": last,
            "score": review.score,
            "target": review.target_score,
            "change": presenters.direction(review.score, last.score if last else None),
            "form": form if can_edit else None,
            "can_submit": has_permission(user, Perm.UPDATE_SUBMIT, review),
            "can_withdraw": has_permission(user, Perm.UPDATE_WITHDRAW, review),
            "can_review": can_review,
            "decision_form": decision_form
            or (review_decision_form_for(review) if can_review else None),
            "stored": stored,
        },
    )


@requires(load=load_review)
def review_detail(request: HttpRequest, review: RiskReview) -> HttpResponse:
    if request.method != "POST":
        return _review_page(request, review)
    require(request, Perm.UPDATE_EDIT, review)
    submitting = request.POST.get("action") == "submit"
    if submitting:
        require(request, Perm.UPDATE_SUBMIT, review)
    last = presenters.previous_review_score(review)
    form = RiskReviewForm(request.POST, instance=review, last_quarter=last)
    if not form.is_valid():
        return _review_page(request, review, form=form)
    try:
        saved = actions.save_review(
            review=review,
            base_version=form.cleaned_data["version"],
            by=request.user,
            fields=form.action_fields(),
        )
    except StaleUpdateError as error:
        # Keep the person's text, show the stored one, and let a second save be deliberate.
        fresh = load_review(request, review.pk)
        data = request.POST.copy()
        data["version"] = error.current.version
        form = RiskReviewForm(data, instance=fresh, last_quarter=last)
        form.is_valid()
        form.add_error(None, f"{error} Their version is shown below; check it, then save again.")
        stored = RiskReview.objects.select_related("matrix").get(pk=review.pk)
        return _review_page(request, load_review(request, review.pk), form=form, stored=stored)
    except ActionError as error:
        add_action_errors(form, error)
        return _review_page(request, review, form=form)
    if not submitting:
        messages.success(request, "Review saved as a draft. Submit it when it is ready.")
        return redirect(f"{saved.get_absolute_url()}?saved={saved.version}")
    try:
        workflow.submit(update=saved, by=request.user)
    except ActionError as error:
        fresh = load_review(request, review.pk)
        data = request.POST.copy()
        data["version"] = fresh.version
        form = RiskReviewForm(data, instance=fresh, last_quarter=last)
        form.is_valid()
        add_action_errors(form, error)
        return _review_page(request, load_review(request, review.pk), form=form)
    messages.success(
        request,
        "Review submitted. The governance team will accept it or return it with comments.",
    )
    return redirect(f"{saved.get_absolute_url()}?saved={saved.version}")


@requires(Perm.UPDATE_WITHDRAW, load=load_review, methods=("POST",))
def review_withdraw(request: HttpRequest, review: RiskReview) -> HttpResponse:
    try:
        workflow.withdraw(update=review, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Review withdrawn. It is a draft again.")
    return redirect(review)


@requires(Perm.UPDATE_REVIEW, load=load_review, methods=("GET", "POST"))
def review_accept(request: HttpRequest, review: RiskReview) -> HttpResponse:
    """GET: what accepting does, and the button that does it. POST: accept."""
    if request.method == "GET":
        return render(
            request,
            "risks/accept_confirm.html",
            {
                "review": review,
                "risk": review.risk,
                "score": review.score,
                "target": review.target_score,
            },
        )
    try:
        workflow.approve(update=review, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(review)
    messages.success(
        request, f"Review accepted. Risk {review.risk.reference} now shows its scores."
    )
    return redirect(review.risk)


def _decide(request, review: RiskReview, data) -> HttpResponse:
    form = review_decision_form_for(review, data)
    if not form.is_valid():
        return _review_page(request, review, decision_form=form)
    if form.cleaned_data["decision"] == APPROVE:
        # Accepting changes the risk's scores: a page says so before anything changes.
        return redirect("risks:review_accept", pk=review.pk)
    try:
        workflow.return_for_changes(
            update=review,
            by=request.user,
            comment=form.cleaned_data["comment"],
            extended_until=form.cleaned_data.get("extended_until"),
        )
    except ActionError as error:
        add_action_errors(form, error)
    else:
        messages.success(request, "Review returned to its owner with your comments.")
        return redirect("risks:reviews")
    return _review_page(request, review, decision_form=form)


@requires(Perm.UPDATE_REVIEW, load=load_review, methods=("POST",))
def review_decide(request: HttpRequest, review: RiskReview) -> HttpResponse:
    """The review page's one decision: accept (to the confirmation page) or return."""
    return _decide(request, review, request.POST)


@requires(Perm.UPDATE_REVIEW, load=load_review, methods=("POST",))
def review_return(request: HttpRequest, review: RiskReview) -> HttpResponse:
    """Return with comments (the decision form with "Return" chosen)."""
    data = request.POST.copy()
    data["decision"] = RETURN
    return _decide(request, review, data)
