"""Leads write their quarterly updates: "My updates", an update's page, the form (save draft,
autosave, submit) and withdrawing a submission. Governance may edit any update that is not
approved (the actions audit it) but only the leads submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ics_portal.permissions import has_permission
from ics_portal.roles import SYSTEM_LEAD, has_role, is_governance

from .. import actions, presenters, review
from ..actions import ActionError, StaleUpdateError, SubmissionInvalid
from ..forms import form_for
from ._access import describe, load_update, require, signed_in_or_notice


@login_required
def my_updates(request: HttpRequest) -> HttpResponse:
    """Everything the person leads or deputises in the open cycle, outstanding first."""
    user = request.user
    rows = presenters.my_updates(user)
    if not rows and not (has_role(user, SYSTEM_LEAD) or is_governance(user)):
        raise Http404
    return render(
        request,
        "reporting/my_updates.html",
        {"rows": rows, "outstanding": sum(row.is_outstanding for row in rows)},
    )


def _page_context(request, update) -> dict:
    user = request.user
    to_change = review.sections_to_change(update)
    return {
        **describe(update),
        "update": update,
        "cycle": update.cycle,
        "days_left": (update.cycle.submission_deadline - timezone.localdate()).days,
        "can_edit": has_permission(user, "update.edit", update),
        "can_submit": has_permission(user, "update.submit", update),
        "can_withdraw": has_permission(user, "update.withdraw", update),
        "can_review": has_permission(user, "update.review", update),
        "headings": review.quarter_headings(update.cycle),
        # What the reviewer asked to change when returning it: listed at the top and marked
        # at each section (by key; objectives by number).
        "sections_to_change": to_change,
        "to_change": {section.key: section for section in to_change},
        "objectives_to_change": {
            int(section.key.removeprefix("objective-"))
            for section in to_change
            if section.key.startswith("objective-")
        },
    }


@login_required
def update_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    update = load_update(request, kind, pk)
    return render(request, "reporting/update_detail.html", _page_context(request, update))


def _edit_page(request, update, *, form=None, stored=None, saved_as_draft=False):
    last = review.last_approved(update)
    unchanged = review.unchanged_sections(update, last)
    context = _page_context(request, update)
    form = form or form_for(update)
    form.mark_changes_asked(context["sections_to_change"])
    context.update(
        form=form,
        last=last,
        unchanged=unchanged,
        unchanged_keys={section.key for section in unchanged},
        stored=stored,
        stored_sections=review.text_sections(stored) if stored else None,
        saved_as_draft=saved_as_draft,
    )
    return render(request, "reporting/update_form.html", context)


@login_required
def update_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    update = load_update(request, kind, pk)
    require(request, "update.edit", update)
    if request.method != "POST":
        return _edit_page(request, update)
    return _save(request, update, submitting=False)


@login_required
@require_POST
def update_submit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The form's Submit button: save what is on the form, then submit it for review."""
    update = load_update(request, kind, pk)
    require(request, "update.submit", update)
    return _save(request, update, submitting=True)


def _reloaded_form(request, update):
    """The person's posted text on the freshly stored update (its new version), so a second
    save is deliberate and nothing typed is lost."""
    fresh = load_update(request, describe(update)["kind"], update.pk)
    data = request.POST.copy()
    data["version"] = fresh.version
    form = form_for(fresh, data)
    form.is_valid()
    return fresh, form


def _save(request, update, *, submitting: bool) -> HttpResponse:
    form = form_for(update, request.POST)
    if not form.is_valid():
        return _edit_page(request, update, form=form)
    try:
        saved = actions.save_update(
            update=update,
            base_version=form.cleaned_data["version"],
            by=request.user,
            **form.action_kwargs(),
        )
    except StaleUpdateError as error:
        fresh, form = _reloaded_form(request, update)
        form.add_error(
            None,
            f"{error} Your text is kept in the form below and the saved version is shown "
            "above it. Check both, then save again.",
        )
        return _edit_page(request, fresh, form=form, stored=fresh)
    except ActionError as error:
        form.add_error(None, str(error))
        return _edit_page(request, update, form=form)
    if not submitting:
        local = timezone.localtime(saved.updated_at)
        messages.success(request, f"Draft saved at {local:%H:%M}. Submit it when it is ready.")
        return redirect("reporting:update_edit", kind=describe(update)["kind"], pk=update.pk)
    try:
        actions.submit_update(update=saved, by=request.user)
    except ActionError as error:
        fresh, form = _reloaded_form(request, update)
        if isinstance(error, SubmissionInvalid):
            form.add_submission_errors(error.errors)
        else:
            form.add_error(None, str(error))
        return _edit_page(request, fresh, form=form, saved_as_draft=True)
    messages.success(
        request,
        "Update submitted. The governance team will approve it or return it with comments.",
    )
    return redirect(update)


@require_POST
@signed_in_or_notice
def update_autosave(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """htmx saves the draft while the person types; answers with a status message (and the
    new version, swapped into the form out of band)."""
    update = load_update(request, kind, pk)
    require(request, "update.edit", update)
    form = form_for(update, request.POST)
    context = {}
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        context["problem"] = f"Not saved yet: {first}"
    else:
        try:
            saved = actions.save_update(
                update=update,
                base_version=form.cleaned_data["version"],
                by=request.user,
                **form.action_kwargs(),
            )
        except StaleUpdateError as error:
            context["problem"] = (
                f"{error} Your latest changes are not saved: choose Save draft to see both "
                "versions."
            )
            context["conflict"] = True
        except ActionError as error:
            context["problem"] = f"Not saved: {error}"
        else:
            context["saved"] = saved
    return render(request, "reporting/_autosave_status.html", context)


@login_required
@require_POST
def update_withdraw(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    update = load_update(request, kind, pk)
    require(request, "update.withdraw", update)
    try:
        actions.withdraw_update(update=update, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, "Update withdrawn. It is a draft again: change it and resubmit.")
    return redirect(update)
