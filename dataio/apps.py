from django.apps import AppConfig


class DataioConfig(AppConfig):
    """Spreadsheet import and export: an app of its own only for its models (ImportJob, ImportCheck),
    so that its migrations do not interleave with the people-and-organisations app's."""

    name = "dataio"
    label = "dataio"
    verbose_name = "Spreadsheet import and export"

    def ready(self):
        from ics_portal.admin import register_spreadsheet_kind

        from .exporters import EXPORT_KINDS
        from .resources import RESOURCES

        for kind, resource in RESOURCES.items():
            register_spreadsheet_kind(resource._meta.model, kind, exportable=kind in EXPORT_KINDS)
