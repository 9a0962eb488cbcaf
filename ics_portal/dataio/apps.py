from django.apps import AppConfig


class DataioConfig(AppConfig):
    """Spreadsheet import and export: an app of its own only for its one model (ImportJob),
    so that its migrations do not interleave with the people-and-organisations app's."""

    name = "ics_portal.dataio"
    label = "dataio"
    verbose_name = "Spreadsheet import and export"
