"""Leads write their quarterly updates: "My updates", an update's page, the form (save draft,
autosave, submit) and withdrawing a submission. Governance may edit any update that is not
approved (the actions audit it) but only the leads submit."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ics_portal.permissions import Perm, has_permission
from ics_portal.views_support import require, requires
from ics_portal.workflow import actions as workflow
from ics_portal.workflow import merge
from ics_portal.workflow.errors import ActionError, SubmissionInvalid

from .. import actions, check, edit_presenters, presenters, review
from ..forms import form_for
from ._access import describe, load_update, sign_in_then_restore, signed_out_notice


def _my_rows(request) -> list:
    return presenters.what_i_owe(request.user)


@requires(see=Perm.UPDATE_LIST_OWN, load=_my_rows)
def my_updates(request: HttpRequest, rows: list) -> HttpResponse:
    """What I owe: the updates the person writes and the reviews of the risks they own in
    open cycles, returned first (the same list as home's)."""
    return render(
        request,
        "reporting/my_updates.html",
        {"rows": rows, "outstanding": presenters.still_to_submit(rows)},
    )


def _page_context(request, update) -> dict:
    user = request.user
    to_change = review.sections_to_change(update)
    return {
        **describe(update),
        "update": update,
        "cycle": update.cycle,
        "days_left": (update.cycle.submission_deadline - timezone.localdate()).days,
        "can_edit": has_permission(user, Perm.UPDATE_EDIT, update),
        "can_submit": has_permission(user, Perm.UPDATE_SUBMIT, update),
        "can_withdraw": has_permission(user, Perm.UPDATE_WITHDRAW, update),
        "can_review": has_permission(user, Perm.UPDATE_REVIEW, update),
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


@requires(load=load_update)
def update_detail(request: HttpRequest, update) -> HttpResponse:
    return render(request, "reporting/update_detail.html", _page_context(request, update))


def _edit_page(
    request,
    update,
    *,
    form=None,
    saved_as_draft=False,
    bases=None,
    conflicts=(),
    status=200,
):
    last = review.last_approved(update)
    unchanged = review.unchanged_sections(update, last)
    overdue = check.overdue_milestones(update)
    context = _page_context(request, update)
    form = form or form_for(update)
    form.mark_changes_asked(context["sections_to_change"])
    if last is not None:
        form.mark_carried_forward(unchanged, last.cycle.label)
    panels = edit_presenters.conflict_panels(form, conflicts)
    form.mark_conflicts(panels)
    context.update(
        form=form,
        last=last,
        unchanged=unchanged,
        unchanged_keys={section.key for section in unchanged},
        # Flagged when the form opens, not only when submitting refuses them.
        overdue=overdue,
        overdue_ids={o.milestone_id for o in overdue},
        saved_as_draft=saved_as_draft,
        section_bases=json.dumps(bases if bases is not None else merge.bases_for(update)),
        conflicts=panels,
        max_post_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    )
    return render(request, "reporting/update_form.html", context, status=status)


def _posted_bases(request, update) -> dict[str, str] | None:
    """The bases the form was drawn with. A form that lost them counts as drawn from the
    update as it is stored now only while its version is still the stored one; otherwise
    None: what it changed cannot be told apart from what it did not."""
    bases = merge.parse_bases(request.POST.get("section_bases"))
    if bases is not None:
        return bases
    if request.POST.get("version") == str(update.version):
        return merge.bases_for(update)
    return None


_OUT_OF_DATE = (
    "This page is out of date: the update was saved elsewhere since it was opened. Your text "
    "is kept in the form below. Copy anything new, reload the page, then add it again."
)


def _edit_refused(request, update) -> HttpResponse:
    """The edit page for someone who may not edit: 403 saying why; a save posted by one of the
    update's writers since it moved on: what they typed, given back (_refused)."""
    if request.method != "POST":
        require(request, Perm.UPDATE_EDIT, update)
    return _refused(request, update)


@requires(
    Perm.UPDATE_EDIT, load=load_update, anonymous=sign_in_then_restore, otherwise=_edit_refused
)
def update_edit(request: HttpRequest, update) -> HttpResponse:
    if request.method != "POST":
        return _edit_page(request, update)
    return _save(request, update, submitting=False)


def _submit_refused(request, update) -> HttpResponse:
    """403 saying why, unless the person typed into the form of an update that moved on while
    they typed (they could have edited it, but not now): then what they typed, given back."""
    if has_permission(request.user, Perm.UPDATE_EDIT, update) or not _writes(request, update):
        require(request, Perm.UPDATE_SUBMIT, update)
    return _refused(request, update)


@requires(
    Perm.UPDATE_SUBMIT,
    load=load_update,
    methods=("POST",),
    anonymous=sign_in_then_restore,
    otherwise=_submit_refused,
)
def update_submit(request: HttpRequest, update) -> HttpResponse:
    """The form's Submit button: save what is on the form, then submit it for review."""
    return _save(request, update, submitting=True)


def _writes(request, update) -> bool:
    """Whether the person is one who writes this update (a lead, a deputy or governance)."""
    return has_permission(request.user, Perm.UPDATE_AUTHOR, update)


def _refused(request, update) -> HttpResponse:
    """A save refused because the update moved on (submitted, approved, the cycle closed)
    while the person was typing: say who did what and when, and give back what they typed."""
    if not _writes(request, update):
        raise PermissionDenied
    form = form_for(update, request.POST)
    bases = merge.parse_bases(request.POST.get("section_bases"))
    typed = edit_presenters.typed_sections(form, update, bases) if form.is_valid() else []
    context = {
        **_page_context(request, update),
        "why": edit_presenters.why_not_editable(update),
        "typed": typed,
    }
    return render(request, "reporting/update_refused.html", context, status=409)


def _reloaded_form(request, update):
    """The person's posted text on the freshly stored update (its new version), so a second
    save is deliberate and nothing typed is lost."""
    fresh = load_update(request, describe(update)["kind"], update.pk)
    data = request.POST.copy()
    data["version"] = fresh.version
    form = form_for(fresh, data)
    form.is_valid()
    return fresh, form


def _conflict_page(request, update, result) -> HttpResponse:
    """Some sections were changed by someone else too: the rest is saved; those are shown
    with both texts for the person to choose."""
    fresh, form = _reloaded_form(request, update)
    return _edit_page(
        request,
        fresh,
        form=form,
        bases=result.plan.bases,
        conflicts=result.plan.conflicts,
        status=409,
    )


def _save(request, update, *, submitting: bool) -> HttpResponse:
    form = form_for(update, request.POST)
    bases = _posted_bases(request, update)
    if bases is None:
        form.is_valid()
        form.add_error(None, _OUT_OF_DATE)
        return _edit_page(request, update, form=form, status=409)
    if not form.is_valid():
        return _edit_page(request, update, form=form, bases=bases)
    try:
        result = actions.merge_edits(
            update=update,
            by=request.user,
            bases=bases,
            resolutions=merge.parse_resolutions(request.POST),
            **form.action_kwargs(),
        )
    except ActionError as error:
        form.add_error(None, str(error))
        return _edit_page(request, update, form=form, bases=bases)
    if result.plan.conflicts:
        return _conflict_page(request, update, result)
    saved = result.update
    kind = describe(update)["kind"]
    if not submitting and request.POST.get("action") == "check":
        # "Check and submit": saved, then the check page, whose button submits.
        page = reverse("reporting:update_check", kwargs={"kind": kind, "pk": update.pk})
        return redirect(f"{page}?saved={saved.version}")
    if not submitting:
        local = timezone.localtime(saved.updated_at)
        messages.success(request, f"Draft saved at {local:%H:%M}. Submit it when it is ready.")
        # `saved` tells the page's script that what this browser kept is now on the server.
        edit = reverse("reporting:update_edit", kwargs={"kind": kind, "pk": update.pk})
        return redirect(f"{edit}?saved={saved.version}")
    try:
        submitted = workflow.submit(update=saved, by=request.user)
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
    return redirect(f"{submitted.get_absolute_url()}?saved={submitted.version}")


def _check_page(request, update, *, stale: bool = False, status: int = 200) -> HttpResponse:
    context = {
        **_page_context(request, update),
        "answers": check.check_answers(update),
        "stale": stale,
    }
    return render(request, "reporting/update_check.html", context, status=status)


@requires(Perm.UPDATE_SUBMIT, load=load_update, anonymous=sign_in_then_restore)
def update_check(request: HttpRequest, update) -> HttpResponse:
    """Check your answers, then submit: the update as saved, section by section, with a
    Change link to each on the form, what is unchanged since last quarter, the overdue
    milestones and anything still to fill. Its button submits the version the person
    checked; if the update was saved since (another tab, a colleague), the page is drawn
    again to check, and nothing is submitted."""
    if request.method != "POST":
        return _check_page(request, update)
    with transaction.atomic():
        current = type(update).objects.select_for_update().get(pk=update.pk)
        if request.POST.get("version") != str(current.version):
            return _check_page(
                request, load_update(request, **_address(update)), stale=True, status=409
            )
        try:
            submitted = workflow.submit(update=current, by=request.user)
        except SubmissionInvalid:
            return _check_page(request, update, status=400)  # the page lists what to fill
        except ActionError as error:
            messages.error(request, str(error))
            return redirect(update)
    messages.success(
        request,
        "Update submitted. The governance team will approve it or return it with comments.",
    )
    return redirect(f"{submitted.get_absolute_url()}?saved={submitted.version}")


def _address(update) -> dict:
    return {"kind": describe(update)["kind"], "pk": update.pk}


def _autosave_refused(request, update) -> HttpResponse:
    """Autosave for an update that moved on while the person typed: say so in place."""
    if not _writes(request, update):
        raise PermissionDenied
    why = edit_presenters.why_not_editable(update)
    return render(
        request,
        "reporting/_autosave_status.html",
        {"problem": f"Not saved: {why} Your text is still on this page: copy it before you leave."},
    )


@require_POST
@requires(
    Perm.UPDATE_EDIT, load=load_update, anonymous=signed_out_notice, otherwise=_autosave_refused
)
def update_autosave(request: HttpRequest, update) -> HttpResponse:
    """htmx saves the draft while the person types; answers with a status message (and the
    new version and section bases, swapped into the form out of band)."""
    if merge.parse_resolutions(request.POST) or "conflicts_open" in request.POST:
        return render(
            request,
            "reporting/_autosave_status.html",
            {
                "problem": "Not saved automatically while you choose between two versions. "
                "Choose which text to keep, then choose Save draft."
            },
        )
    form = form_for(update, request.POST)
    context = {}
    bases = _posted_bases(request, update)
    if bases is None:
        context["problem"] = f"Not saved: {_OUT_OF_DATE}"
        return render(request, "reporting/_autosave_status.html", context)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        context["problem"] = f"Not saved yet: {first}"
        return render(request, "reporting/_autosave_status.html", context)
    try:
        result = actions.merge_edits(
            update=update, by=request.user, bases=bases, **form.action_kwargs()
        )
    except ActionError as error:
        context["problem"] = f"Not saved: {error}"
        return render(request, "reporting/_autosave_status.html", context)
    labels = edit_presenters.section_labels(form)
    context.update(
        saved=result.update,
        wrote=result.saved,
        section_bases=json.dumps(result.plan.bases),
        conflicts=[edit_presenters.conflict_sentence(c, labels) for c in result.plan.conflicts],
        elsewhere=[
            edit_presenters.conflict_sentence(c, labels) for c in result.plan.changed_elsewhere
        ],
    )
    return render(request, "reporting/_autosave_status.html", context)


@requires(Perm.UPDATE_WITHDRAW, load=load_update, methods=("POST",))
def update_withdraw(request: HttpRequest, update) -> HttpResponse:
    try:
        workflow.withdraw(update=update, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, "Update withdrawn. It is a draft again: change it and resubmit.")
    return redirect(update)
