"""Board packs: governance compiles, previews, generates and publishes; board members and the
public read what was published."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ics_portal import audit
from ics_portal.audit import AuditVerb
from ics_portal.models import ReportingCycle
from ics_portal.permissions import Perm, is_public_now, readable_published
from ics_portal.views_support import requires
from ics_portal.workflow.errors import ActionError

from . import actions
from .defaults import default_pack
from .forms import BoardPackForm, WithdrawForm
from .models import BoardPack, PublishedPack
from .pdf_tags import stamp_draft
from .presenters import publish_check
from .reading import published_page
from .render import render_pack_html
from .web_report import web_report


def load_pack(request, pk) -> BoardPack:
    return get_object_or_404(BoardPack.objects.select_related("cycle", "created_by"), pk=pk)


@requires(see=Perm.PACK_MANAGE)
def pack_list(request):
    packs = BoardPack.objects.select_related("cycle").order_by("-date_of_meeting", "-pk")
    return render(request, "packs/pages/list.html", {"packs": packs})


def _linked_cycle(request) -> ReportingCycle | None:
    """The cycle a "new pack" link names (?cycle=<id>), or the latest. A cycle that does not
    exist, or is not a number, is a 404 rather than a server error."""
    if not request.GET.get("cycle"):
        return ReportingCycle.objects.first()
    try:
        return forms.ModelChoiceField(ReportingCycle.objects.all()).clean(request.GET["cycle"])
    except ValidationError:
        raise Http404 from None


@requires(see=Perm.PACK_MANAGE)
def pack_create(request):
    cycle = _linked_cycle(request)
    if request.method == "POST":
        form = BoardPackForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "cycle"}
            pack = actions.create_pack(cycle=form.cleaned_data["cycle"], by=request.user, **data)
            messages.success(request, "Board pack created. Preview it, then generate the PDF.")
            return redirect("packs:detail", pk=pack.pk)
    else:
        initial = {}
        if cycle:
            template = default_pack(cycle)
            initial = {
                "cycle": cycle,
                **{
                    f: getattr(template, f)
                    for f in (
                        "title",
                        "meeting",
                        "date_of_meeting",
                        "purpose",
                        "purpose_of_paper",
                        "recommendation",
                        "sections",
                    )
                },
            }
        form = BoardPackForm(initial=initial)
    return render(request, "packs/pages/form.html", {"form": form, "pack": None})


@requires(Perm.PACK_EDIT, see=Perm.PACK_MANAGE, load=load_pack)
def pack_edit(request, pack):
    form = BoardPackForm(request.POST or None, instance=pack, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_pack(pack=pack, by=request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Cover sheet saved. Generate the PDF again before publishing."
            )
            return redirect("packs:detail", pk=pack.pk)
    return render(request, "packs/pages/form.html", {"form": form, "pack": pack})


@requires(see=Perm.PACK_MANAGE, load=load_pack)
def pack_detail(request, pack):
    versions = pack.published_versions.select_related("published_by", "withdrawn_by")
    return render(
        request,
        "packs/pages/detail.html",
        {"pack": pack, "versions": versions, "withdraw_form": WithdrawForm()},
    )


@requires(see=Perm.PACK_MANAGE, load=load_pack)
def pack_progress(request, pack):
    """The generation status fragment, polled by htmx while the PDF renders. Once it has
    ended (or stalled: no sign of life for longer than a task may run), the poll reloads the
    whole page, so the actions for a ready, failed or stalled draft appear without the person
    reloading it (issue 11)."""
    response = render(request, "packs/pages/_progress.html", {"pack": pack})
    ended = pack.state != BoardPack.State.GENERATING or pack.generation_stalled
    if request.headers.get("HX-Request") and ended:
        response["HX-Refresh"] = "true"
    return response


@requires(see=Perm.PACK_MANAGE, load=load_pack)
def pack_preview(request, pack):
    """The live report, built now from the current data, read in the portal layout."""
    return render(
        request,
        "packs/pages/report.html",
        {
            "report": web_report(render_pack_html(pack), fallback_title=pack.title),
            "pack": pack,
            "notice": "A preview built from the data as it is now. Nothing here is published.",
            "back_url": reverse("packs:detail", args=[pack.pk]),
            "back_label": "Back to the board pack",
        },
    )


@requires(see=Perm.PACK_MANAGE, load=load_pack, methods=("POST",))
def pack_generate(request, pack):
    try:
        actions.request_generation(pack=pack, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, "The PDF has been requested: its progress shows below.")
    return redirect("packs:detail", pk=pack.pk)


@requires(see=Perm.PACK_MANAGE, load=load_pack)
def pack_draft_pdf(request, pack):
    """The generated PDF with DRAFT on every page; publishing copies the unstamped file."""
    if not pack.draft_pdf:
        raise Http404
    with pack.draft_pdf.open("rb") as handle:
        data = stamp_draft(handle.read())
    audit.record(
        by=request.user,
        verb=AuditVerb.PACK_DOWNLOAD,
        obj=pack,
        after={"draft": True, "version": pack.version},
        request=request,
    )
    return FileResponse(
        io.BytesIO(data),
        content_type="application/pdf",
        filename=f"draft-{pack.cycle.label.replace('/', '-')}-v{pack.version}.pdf",
    )


@requires(see=Perm.PACK_MANAGE, load=load_pack, methods=("GET", "POST"))
def pack_publish(request, pack):
    """Ask first, saying what in the cycle is not approved; publish on the confirmed POST."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            published = actions.publish_pack(pack=pack, by=request.user)
        except ActionError as error:
            messages.error(request, str(error))
            return redirect("packs:detail", pk=pack.pk)
        messages.success(
            request,
            f"Published version {published.number} ({published.page_count} pages). Its "
            "fingerprint (SHA-256) is listed under Published versions.",
        )
        return redirect("packs:detail", pk=pack.pk)
    if request.method == "POST":  # a form from before the confirmation step
        return redirect("packs:publish", pk=pack.pk)
    if pack.state != BoardPack.State.READY:
        messages.error(request, "Generate the PDF and check it before publishing.")
        return redirect("packs:detail", pk=pack.pk)
    return render(request, "packs/pages/publish.html", {"check": publish_check(pack)})


def _load_published(request, pk) -> PublishedPack:
    return get_object_or_404(PublishedPack, pk=pk)


@requires(see=Perm.PACK_MANAGE, load=_load_published, methods=("POST",))
def published_withdraw(request, published):
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_published(
                published=published, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Version {published.number} withdrawn.")
        return redirect("packs:detail", pk=published.pack_id)
    pack = published.pack
    versions = pack.published_versions.select_related("published_by", "withdrawn_by")
    return render(
        request,
        "packs/pages/detail.html",
        {
            "pack": pack,
            "versions": versions,
            "withdraw_form": form,
            "withdraw_target": published.pk,
        },
        status=400,
    )


# --- reading published packs ------------------------------------------------------------------
# Public pages (tests/access/test_views_guarded.py's allow-list): what each person may read, signed in
# or not, is the rule Perm.PACK_READ as a filter.


def visible_published(user):
    """Published versions this person may read: members see every live version; anyone sees
    public versions once their embargo has passed; governance also sees withdrawn ones
    (permissions.readable_published)."""
    return readable_published(
        user, PublishedPack.objects.select_related("pack__cycle").defer("html")
    )


def published_list(request):
    reports = visible_published(request.user).order_by("-pack__date_of_meeting", "-published_at")
    return render(request, "packs/pages/published_list.html", {"reports": reports})


def _published(request, pk) -> PublishedPack | None:
    """The published version if this person may read it; None when they are signed out and
    it is a members-only one (the view sends them to sign in, then back); else 404. A public
    one still under embargo stays unknown to the public."""
    report = visible_published(request.user).defer(None).filter(pk=pk).first()
    if report is not None:
        return report
    members_only = PublishedPack.objects.filter(
        pk=pk, withdrawn_at__isnull=True, visibility=BoardPack.Visibility.MEMBERS
    )
    if not request.user.is_authenticated and members_only.exists():
        return None
    raise Http404


def published_detail(request, pk):
    report = _published(request, pk)
    if report is None:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "packs/pages/published_detail.html",
        {"report": report, "page": published_page(report)},
    )


def published_html(request, pk):
    """The published report as a portal page: the frozen HTML the PDF was made from (stored
    as is) read through packs/web_report.py, in the portal layout with its own stylesheet."""
    report = _published(request, pk)
    if report is None:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "packs/pages/report.html",
        {
            "report": web_report(report.html, fallback_title=report.title),
            "published": report,
            "back_url": reverse("packs:published_detail", args=[report.pk]),
            "back_label": "Back to the published report",
        },
    )


def published_pdf(request, pk):
    report = _published(request, pk)
    if report is None:
        return redirect_to_login(request.get_full_path())
    name = f"{report.pack.cycle.label.replace('/', '-')}-board-pack-v{report.number}.pdf"
    handle = report.pdf.open("rb")
    # A PDF open to everyone (public, embargo passed, not withdrawn) is not audited: the
    # public reads it without signing in. Every other download names who took it.
    if not is_public_now(request.user, report) or report.withdrawn_at is not None:
        audit.record(
            by=request.user,
            verb=AuditVerb.PACK_DOWNLOAD,
            obj=report,
            after={
                "version": report.number,
                "visibility": report.visibility,
                "withdrawn": report.withdrawn_at is not None,
            },
            request=request,
        )
    return FileResponse(handle, content_type="application/pdf", filename=name)
