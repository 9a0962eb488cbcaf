"""The audit trail page: governance's view of who did what, filtered and a page at a time.
Its CSV/XLSX export is in the import/export app (dataio/views.py audit_export)."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import audit_presenters
from .audit_forms import AuditFilterForm
from .permissions import Perm
from .views_support import requires


@requires(see=Perm.AUDIT_VIEW, methods=("GET",))
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    page = audit_presenters.audit_page(filters, request.GET.get("page", 1))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "elided": list(page.paginator.get_elided_page_range(page.number)),
            "query": urlencode(query),
            "export_query": urlencode(filters.as_dict()),
        },
    )
