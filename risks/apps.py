from django.apps import AppConfig


class RisksConfig(AppConfig):
    verbose_name = "Board Assurance Framework"
    name = "risks"

    def ready(self) -> None:
        # Risk reviews are reviewed through the shared workflow (ADR 0010).
        from ics_portal.workflow.kinds import register

        from .kinds import RiskReviewKind
        from .models import RiskReview

        register(RiskReview, RiskReviewKind())
