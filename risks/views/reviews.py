"""Quarterly risk reviews: the owner reviews and submits; governance accepts or returns. The
workflow and its permissions are the update workflow's (reporting.actions, "update.*")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ics_portal.permissions import has_permission
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, StaleUpdateError

from .. import actions, presenters
from ..forms import RiskReviewForm, return_review_form_for
from ..models import BAFRisk, RiskReview
from ._access import add_action_errors, load_review, require


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """ "My risk reviews" for an owner; every review in open cycles for governance."""
    user = request.user
    if not (has_permission(user, "risk.view") or BAFRisk.objects.filter(owner=user).exists()):
        raise Http404
    manages = has_permission(user, "risk.manage")
    return render(
        request,
        "risks/reviews.html",
        {
            "mine": presenters.review_rows(user),
            "everyone": presenters.review_rows(user, everyone=True) if manages else None,
        },
    )


def _review_page(request, review: RiskReview, *, form=None, return_form=None, stored=None):
    user = request.user
    last = presenters.previous_review_score(review)
    can_edit = has_permission(user, "update.edit", review)
    if form is None and can_edit:
        form = RiskReviewForm(instance=review, last_quarter=last)
    can_review = has_permission(user, "update.review", review)
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
            "can_submit": has_permission(user, "update.submit", review),
            "can_withdraw": has_permission(user, "update.withdraw", review),
            "can_review": can_review,
            "return_form": return_form or (return_review_form_for(review) if can_review else None),
            "stored": stored,
        },
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = load_review(request, pk)
    if request.method != "POST":
        return _review_page(request, review)
    require(request, "update.edit", review)
    submitting = request.POST.get("action") == "submit"
    if submitting:
        require(request, "update.submit", review)
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
        fresh = load_review(request, pk)
        data = request.POST.copy()
        data["version"] = error.current.version
        form = RiskReviewForm(data, instance=fresh, last_quarter=last)
        form.is_valid()
        form.add_error(None, f"{error} Their version is shown below; check it, then save again.")
        stored = RiskReview.objects.select_related("matrix").get(pk=pk)
        return _review_page(request, load_review(request, pk), form=form, stored=stored)
    except ActionError as error:
        add_action_errors(form, error)
        return _review_page(request, review, form=form)
    if not submitting:
        messages.success(request, "Review saved as a draft. Submit it when it is ready.")
        return redirect(f"{saved.get_absolute_url()}?saved={saved.version}")
    try:
        workflow.submit(update=saved, by=request.user)
    except ActionError as error:
        fresh = load_review(request, pk)
        data = request.POST.copy()
        data["version"] = fresh.version
        form = RiskReviewForm(data, instance=fresh, last_quarter=last)
        form.is_valid()
        add_action_errors(form, error)
        return _review_page(request, load_review(request, pk), form=form)
    messages.success(
        request,
        "Review submitted. The governance team will accept it or return it with comments.",
    )
    return redirect(f"{saved.get_absolute_url()}?saved={saved.version}")


@login_required
@require_POST
def review_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = load_review(request, pk)
    require(request, "update.withdraw", review)
    try:
        workflow.withdraw(update=review, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Review withdrawn. It is a draft again.")
    return redirect(review)


@login_required
@require_POST
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    review = load_review(request, pk)
    require(request, "update.review", review)
    try:
        workflow.approve(update=review, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(review)
    messages.success(
        request, f"Review accepted. Risk {review.risk.reference} now shows its scores."
    )
    return redirect(review.risk)


@login_required
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    review = load_review(request, pk)
    require(request, "update.review", review)
    form = return_review_form_for(review, request.POST)
    if form.is_valid():
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
    return _review_page(request, review, return_form=form)
