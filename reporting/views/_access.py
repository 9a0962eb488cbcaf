"""Loaders and sign-in answers for the reporting views' decorator (ics_portal.views_support
.requires), so each view body is short.

Cannot see -> 404 (an outsider does not learn what exists); can see but may not do this -> 403.
"""

from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse

from ics_portal.models import ReportingCycle, User
from ics_portal.permissions import Perm, has_permission
from ics_portal.workflow.kinds import kind_of
from workstreams.models import Objective

from ..models import GoldenThreadUpdate, MilestoneProgress, ObjectiveProgress, WorkstreamUpdate

_PEOPLE = User.objects.select_related("organisation").order_by("full_name")
UPDATE_KINDS = {"workstream": WorkstreamUpdate, "thread": GoldenThreadUpdate}


def _update_queryset(kind: str):
    """An update with everything its pages and permission checks read, in fixed queries."""
    common = ("cycle", "updated_by", "submitted_by", "approved_by", "extended_by")
    if kind == "workstream":
        return WorkstreamUpdate.objects.select_related(
            *common, "workstream__theme"
        ).prefetch_related(
            Prefetch("workstream__leads", queryset=_PEOPLE),
            Prefetch("workstream__deputies", queryset=_PEOPLE),
            # Each milestone's delivery date in this workstream (MilestoneProgress.due_text).
            "workstream__milestone_links",
            Prefetch(
                "objective_progress",
                queryset=ObjectiveProgress.objects.select_related("objective"),
            ),
            Prefetch(
                "milestone_progress",
                queryset=MilestoneProgress.objects.select_related("milestone"),
            ),
            "baf_risks",
        )
    return GoldenThreadUpdate.objects.select_related(*common, "golden_thread").prefetch_related(
        Prefetch("golden_thread__system_leads", queryset=_PEOPLE),
        Prefetch("objectives", queryset=Objective.objects.select_related("workstream")),
        "baf_risks",
    )


def load_update(request, kind: str, pk: int):
    """The update if the person may see it ("update.view": its leads and deputies,
    governance, board members once approved), else 404."""
    if kind not in UPDATE_KINDS:
        raise Http404
    update = get_object_or_404(_update_queryset(kind), pk=pk)
    if not has_permission(request.user, Perm.UPDATE_VIEW, update):
        raise Http404
    return update


def load_cycle(request, pk: int) -> ReportingCycle:
    return get_object_or_404(ReportingCycle, pk=pk)


def describe(update) -> dict:
    """What every update page says about the update: its kind, title, and who writes it
    (each kind answers for itself: reporting/kinds.py)."""
    kind = kind_of(update)
    return {
        "kind": kind.slug,
        "title": kind.title(update),
        "group": kind.group(update),
        "leads": kind.leads(update),
        "deputies": kind.deputies(update),
    }


def sign_in_then_restore(request, **kwargs):
    """Sign-in for the edit form's own URLs (`requires(anonymous=...)`). A save posted after
    the session expired sends the person to sign in and then back to the edit page with
    `restore=1`, where the page's script puts back the text this browser kept (the post itself
    cannot survive the sign-in)."""
    target = request.get_full_path()
    if request.method == "POST":
        target = reverse("reporting:update_edit", kwargs=kwargs) + "?restore=1"
    return redirect_to_login(target)


def restore_url(path: str) -> str | None:
    """The edit page to go back to, with the kept text put back, when `path` is one of an
    update form's URLs (edit, submit, autosave); else None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "reporting" or match.url_name not in {
        "update_edit",
        "update_submit",
        "update_autosave",
    }:
        return None
    return reverse("reporting:update_edit", kwargs=match.kwargs) + "?restore=1"


def signed_out_notice(request, **kwargs):
    """Sign-in for autosave (`requires(anonymous=...)`): an htmx request gets a short notice to
    show in place, since following the redirect would put the sign-in page inside the status
    message; anything else is sent to sign in."""
    if getattr(request, "htmx", False):
        return render(
            request,
            "reporting/_autosave_status.html",
            {
                "problem": "You have been signed out, so this was not saved. Your text is "
                "kept in this browser.",
                "sign_in_url": redirect_to_login(restore_url(request.path) or "/").url,
            },
        )
    return redirect_to_login(request.get_full_path())
