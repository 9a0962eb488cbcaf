from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RisksConfig(AppConfig):
    verbose_name = "Board Assurance Framework"
    name = "risks"

    def ready(self) -> None:
        # Risk reviews are reviewed through the shared workflow (ADR 0010).
        from ics_portal.workflow.kinds import register

        from .kinds import RiskReviewKind
        from .models import RiskReview

        register(RiskReview, RiskReviewKind())

        # Risks and their reviews are found by the search box (issue 15).
        from ics_portal.search_sources import register_search_source

        from .search_texts import SOURCES

        for source in SOURCES:
            register_search_source(source)

        # After every migrate (and flush: a transactional test's, or an operator's), a risk
        # matrix is in force, as the role groups are (ics_portal/apps.py): scores always have
        # a band to fall in.
        post_migrate.connect(_ensure_matrix, sender=self, dispatch_uid="risks.ensure_matrix")


def _ensure_matrix(sender, using="default", **kwargs) -> None:
    from .actions import ensure_default_matrix

    if using == "default":
        ensure_default_matrix()
