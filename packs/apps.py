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

        # A risk's linked workstreams link first to their latest update in a published report
        # the reader may see (ics_portal/reading.py; issue 14).
        from ics_portal.reading import register_workstream_finder

        from .reading import workstream_in_published_reports

        register_workstream_finder(workstream_in_published_reports, preference=10)

        # A pack's cover names its meeting as written (ics_portal/forum_texts.py, issue 16).
        from ics_portal.forum_texts import register_forum_text

        from .models import BoardPack

        register_forum_text(BoardPack, "meeting", "Board packs' meeting")
