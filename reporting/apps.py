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
