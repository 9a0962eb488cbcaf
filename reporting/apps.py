from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        # Updates are reviewed through the shared workflow (ADR 0010).
        from ics_portal.workflow.kinds import register

        from .kinds import GoldenThreadUpdateKind, WorkstreamUpdateKind
        from .models import GoldenThreadUpdate, WorkstreamUpdate

        register(WorkstreamUpdate, WorkstreamUpdateKind())
        register(GoldenThreadUpdate, GoldenThreadUpdateKind())

        # A risk's linked workstreams link to their latest update's page, for those who may
        # see it, when no published report shows it (ics_portal/reading.py; issue 14).
        from ics_portal.reading import register_workstream_finder

        from .reading import workstream_update_pages

        register_workstream_finder(workstream_update_pages, preference=20)

        # Governance hears of submissions as SUBMISSION_NOTICE says (reporting/submissions.py).
        from ics_portal.workflow.signals import item_submitted

        from .submissions import item_submitted as tell_governance

        item_submitted.connect(tell_governance, dispatch_uid="reporting.submissions")

        # The search box (issue 15): updates' texts join the plan's and the BAF's, and the
        # index follows every source's saves (reporting/search_index.py).
        from ics_portal.search_sources import register_search_source

        from .search_index import follow_sources
        from .search_texts import SOURCES

        for source in SOURCES:
            register_search_source(source)
        follow_sources()
