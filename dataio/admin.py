"""Import jobs in the admin: what was imported in the background, by whom, and how it ended.
Read-only: a job is started from the import page (dataio/views.py) and ended by the worker."""

from django.contrib import admin

from ics_portal.admin import PortalModelAdmin, ReadOnlyAdminMixin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ("label", "filename", "owner", "state", "rows_total", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("owner",)
    search_fields = ("filename", "label", "owner__full_name", "owner__email")
    date_hierarchy = "created_at"
    exclude = ("upload_token",)
