from django.apps import AppConfig


class PacksConfig(AppConfig):
    """Board packs: cover sheets, generated PDFs and published versions (ADR 0009)."""

    name = "packs"
    verbose_name = "Board packs"

    def ready(self):
        from ics_portal.workflow.signals import approved_work_reopened

        from .actions import discard_generated_drafts

        def discard_stale_drafts(sender, *, cycle, **kwargs) -> int:
            return discard_generated_drafts(cycle=cycle)

        approved_work_reopened.connect(
            discard_stale_drafts, weak=False, dispatch_uid="packs.discard_stale_drafts"
        )
