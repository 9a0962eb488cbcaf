from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    verbose_name = "Development plan"
    name = "workstreams"

    def ready(self) -> None:
        # Objectives and milestones are found by the search box (issue 15).
        from ics_portal.search_sources import register_search_source

        from .search_texts import SOURCES

        for source in SOURCES:
            register_search_source(source)
