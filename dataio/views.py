"""Governance's import and export pages: upload a spreadsheet, see what it would create and
change (and every problem in it), confirm; download the registers and returns.

Only governance (``Perm.DATA_VIEW``: ``data.import`` or ``data.export``) sees these pages;
anyone else signed in gets a 404, as for the other governance-only pages. A file is parsed once, on upload; the
preview and the import read its kept rows (uploads.py). The preview of a file of more than
IMPORT_BACKGROUND_ROWS rows is checked in the task worker (the preview page shows its progress,
then the same preview), and every confirmed import runs there: its page (for whoever started
it, and governance) shows its progress and then how it ended. No request waits for a big file.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from ics_portal import audit, audit_presenters
from ics_portal.audit import AuditVerb, Subject
from ics_portal.audit_forms import AuditFilterForm
from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from reporting.presenters import current_cycle

from . import actions, exporters, presenters, safety, uploads
from .forms import CycleForm, ImportForm
from .importers import IMPORT_ORDER, ImportReport, run_import
from .models import ImportCheck, ImportJob
from .resources import RESOURCES
from .safety import FileRejected

SESSION_KEY = "dataio_upload"
EXAMPLES = Path(settings.BASE_DIR) / "fixtures" / "import"
# The preview lists this many rows to create and to change; the counts are always complete.
PREVIEW_ROWS = 500


def _example_files() -> dict[str, Path]:
    return {path.stem.split("-", 1)[1]: path for path in sorted(EXAMPLES.glob("*.xlsx"))}


def _index(request: HttpRequest, form: ImportForm | None = None, status: int = 200):
    examples = _example_files()
    kinds = [
        {"resource": RESOURCES[kind], "example": kind in examples, "kind": kind}
        for kind in IMPORT_ORDER
    ]
    cycle = current_cycle()
    return render(
        request,
        "dataio/index.html",
        {
            "form": form or ImportForm(),
            "kinds": kinds,
            "register_export": exporters.EXPORT_KINDS["risk-register"],
            "plan_exports": [exporters.EXPORT_KINDS[k] for k in IMPORT_ORDER if k != "updates"],
            "cycle_form": CycleForm(initial={"cycle": cycle}) if cycle else None,
            "recent_imports": presenters.recent_imports(request.user),
        },
        status=status,
    )


@requires(see=Perm.DATA_VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    # ?kind=workstreams (the admin's "Import from a spreadsheet" link) pre-selects the kind.
    kind = request.GET.get("kind")
    form = ImportForm(initial={"kind": kind}) if kind in RESOURCES else None
    return _index(request, form)


@requires(see=Perm.DATA_IMPORT)
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form)
    uploaded = form.cleaned_data["file"]
    try:
        # Name and size first, so a 10 MB+ file is refused without being read.
        safety.check_name_and_size(uploaded.name, uploaded.size)
        # The one parse of this file: the preview and the import use the rows kept here.
        sheet = safety.read_upload(uploaded.name, uploaded.read())
    except FileRejected as error:
        form.add_error("file", str(error))
        return _index(request, form)
    _forget_upload(request)
    request.session[SESSION_KEY] = {
        "token": uploads.store(sheet),
        "kind": form.cleaned_data["kind"],
        "filename": uploaded.name,
    }
    return redirect("dataio:preview")


def _pending(request: HttpRequest):
    """The upload waiting in this session and its rows, or None (with a message)."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.info(request, "Upload a file to import.")
        return None, None
    sheet = uploads.load(pending.get("token", ""))
    if sheet is None:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "The uploaded file is no longer here. Upload it again.")
        return None, None
    return pending, sheet


def _preview(request, pending, report: ImportReport, status: int = 200) -> HttpResponse:
    # What confirm needs to know: whether this upload's preview found problems.
    request.session[SESSION_KEY] = {**pending, "problems": not report.is_valid}
    form = ImportForm(initial={"kind": pending["kind"]})
    return render(
        request,
        "dataio/preview.html",
        {
            "pending": pending,
            "report": report,
            "form": form,
            "created": report.created[:PREVIEW_ROWS],
            "changed": report.changed[:PREVIEW_ROWS],
            "created_more": max(0, len(report.created) - PREVIEW_ROWS),
            "changed_more": max(0, len(report.changed) - PREVIEW_ROWS),
            "to_write": len(report.created) + len(report.changed),
        },
        status=status,
    )


def _checking(request, pending, check: ImportCheck) -> HttpResponse:
    """A big file's preview while the task worker checks it (or why it could not)."""
    progress = presenters.check_progress(check)
    return render(
        request,
        "dataio/checking.html",
        {"pending": pending, "check": check, "progress": progress},
    )


def _check_of(request, pending) -> ImportCheck | None:
    return ImportCheck.objects.filter(
        upload_token=pending.get("token", ""), owner=request.user
    ).first()


@requires(see=Perm.DATA_IMPORT)
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    pending, sheet = _pending(request)
    if pending is None:
        return redirect("dataio:index")
    if not actions.checked_in_background(sheet):
        report = run_import(pending["kind"], sheet, by=request.user, commit=False)
        return _preview(request, pending, report)
    # Too big to check inside the request: the task worker checks it and keeps the report.
    check = actions.queue_check(
        kind=pending["kind"], token=pending["token"], sheet=sheet, by=request.user
    )
    if check.state == ImportCheck.State.DONE:
        kept = uploads.load_report(pending["token"])
        if kept is not None:
            return _preview(request, pending, ImportReport.from_json(kept))
        # The report is gone (lost from storage): check the rows again.
        check.delete()
        check = actions.queue_check(
            kind=pending["kind"], token=pending["token"], sheet=sheet, by=request.user
        )
    return _checking(request, pending, check)


@requires(see=Perm.DATA_IMPORT)
@require_GET
def preview_progress(request: HttpRequest) -> HttpResponse:
    """The check's progress fragment, polled by htmx every two seconds while the task worker
    checks a big file. Once the check has ended the whole page is loaded again, and shows the
    preview (or why the file could not be checked)."""
    pending = request.session.get(SESSION_KEY)
    check = _check_of(request, pending) if pending else None
    if not request.htmx:
        return redirect("dataio:preview")
    if check is None or not check.in_progress:
        return HttpResponseClientRefresh()
    progress = presenters.check_progress(check)
    return render(
        request,
        "dataio/_check_progress.html",
        {
            "check": check,
            "progress": progress,
            "announce": request.GET.get("announced") != progress.announcement_key,
        },
    )


@requires(see=Perm.DATA_IMPORT)
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    if not request.session.get(SESSION_KEY):
        # Confirmed already (another tab, a double click): show that import if it is queued.
        job = ImportJob.objects.filter(upload_token=token, owner=request.user).first()
        if token and job is not None:
            messages.info(request, "This file is already being imported.")
            return redirect("dataio:import_job", pk=job.pk)
    pending, sheet = _pending(request)
    if pending is None:
        return redirect("dataio:index")
    if token != pending["token"]:
        # A confirm from an older preview (another tab): show the current file again.
        messages.info(request, "That preview was replaced by a newer upload. Check this one.")
        return redirect("dataio:preview")
    check = _check_of(request, pending)
    if check is not None and check.state != ImportCheck.State.DONE:
        messages.info(request, "The file is still being checked. Import it once it is checked.")
        return redirect("dataio:preview")
    if pending.get("problems"):
        messages.info(request, "Nothing was imported: fix the problems in the file first.")
        return redirect("dataio:preview")
    # Every import runs in the task worker, checking the kept rows again as it goes (the plan
    # may have changed since the preview); its page shows the progress, then the result.
    job = actions.queue_import(
        kind=pending["kind"], token=pending["token"], sheet=sheet, by=request.user
    )
    request.session.pop(SESSION_KEY, None)  # the job has the rows now; it deletes them
    return redirect("dataio:import_job", pk=job.pk)


def _load_job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("owner__organisation"), pk=pk)


@requires(see=Perm.DATA_VIEW_IMPORT, load=_load_job, methods=("GET",))
def import_job(request: HttpRequest, job: ImportJob) -> HttpResponse:
    """An import running in the task worker: its progress, then how it ended."""
    progress = presenters.import_progress(job)
    return render(request, "dataio/import_job.html", {"progress": progress, "job": progress.job})


@requires(see=Perm.DATA_VIEW_IMPORT, load=_load_job, methods=("GET",))
def import_job_progress(request: HttpRequest, job: ImportJob) -> HttpResponse:
    """The progress fragment, polled by htmx every two seconds until the import ends. The
    screen-reader announcement is sent along only when it has changed."""
    progress = presenters.import_progress(job)
    return render(
        request,
        "dataio/_import_progress.html",
        {
            "progress": progress,
            "job": progress.job,
            "announce": request.GET.get("announced") != progress.announcement_key,
        },
    )


@requires(see=Perm.DATA_IMPORT)
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    _forget_upload(request)
    messages.info(request, "Nothing was imported.")
    return redirect("dataio:index")


def _forget_upload(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        actions.forget_upload(pending.get("token", ""))


@requires(see=Perm.DATA_EXPORT)
@require_GET
def download(request: HttpRequest, kind: str) -> HttpResponse:
    spec = exporters.EXPORT_KINDS.get(kind)
    if spec is None:
        raise Http404
    fmt = request.GET.get("format") or spec.formats[0]
    if fmt not in spec.formats:
        raise Http404
    cycle = None
    if spec.needs_cycle or request.GET.get("cycle"):
        form = CycleForm(request.GET)
        if not form.is_valid():
            raise Http404
        cycle = form.cleaned_data["cycle"]
    result = exporters.export(kind, fmt=fmt, cycle=cycle)
    actions.record_export(
        kind=kind, result=result, fmt=fmt, cycle=cycle, by=request.user, request=request
    )
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@requires(see=Perm.AUDIT_VIEW, methods=("GET",))
def audit_export(request: HttpRequest) -> HttpResponse:
    """The audit trail as filtered on the audit page, one row per event, as CSV or Excel.
    Exporting it is itself audited, with the filters used."""
    fmt = request.GET.get("format", "csv")
    form = AuditFilterForm(request.GET)
    if fmt not in ("csv", "xlsx") or not form.is_valid():
        # The audit page says what is wrong with the filters.
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('audit_log')}?{query.urlencode()}")
    filters = form.filters()
    result, rows = exporters.audit_log(audit_presenters.filtered_events(filters), fmt)
    audit.record(
        by=request.user,
        verb=AuditVerb.AUDIT_EXPORT,
        subject=Subject("audit.log", "", "Audit trail"),
        after={"format": fmt, "filters": filters.as_dict(), "rows": rows},
        request=request,
    )
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@requires(see=Perm.DATA_IMPORT)
@require_GET
def example(request: HttpRequest, kind: str) -> FileResponse:
    path = _example_files().get(kind)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
