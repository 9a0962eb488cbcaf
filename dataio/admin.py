"""Import jobs and checks in the admin: what was imported (or checked) in the background, by
whom, and how it ended. Read-only: each is started from the import pages (dataio/views.py) and
ended by the worker."""

from django.contrib import admin

from ics_portal.admin import PortalModelAdmin, ReadOnlyAdminMixin

from .models import ImportCheck, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ("label", "filename", "owner", "state", "rows_total", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("owner",)
    search_fields = ("filename", "label", "owner__full_name", "owner__email")
    date_hierarchy = "created_at"
    exclude = ("upload_token",)


@admin.register(ImportCheck)
class ImportCheckAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ("label", "filename", "owner", "state", "rows_total", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("owner",)
    search_fields = ("filename", "label", "owner__full_name", "owner__email")
    date_hierarchy = "created_at"
    exclude = ("upload_token",)
