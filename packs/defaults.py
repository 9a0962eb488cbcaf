"""A board pack's default cover sheet and sections for a cycle, used when governance starts a
new pack and by `build_board_pack` when the cycle has none."""

from django.conf import settings

from ics_portal.models import ReportingCycle

from .models import BoardPack


def default_pack(cycle: ReportingCycle) -> BoardPack:
    """An unsaved pack with every section, for previews and the command line. Who leads and
    writes the report usually stays the same from quarter to quarter, so those come from the
    most recent pack."""
    latest = BoardPack.objects.order_by("-created_at").first()
    return BoardPack(
        cycle=cycle,
        meeting=cycle.board_forum or "Partnership Board",
        date_of_meeting=cycle.board_meeting_date or cycle.review_deadline,
        agenda_item=latest.agenda_item if latest else "",
        title=f"Development plan progress report, {cycle.label}",
        lead=latest.lead if latest else "",
        author=latest.author if latest else "",
        purpose=BoardPack.Purpose.ASSURE,
        purpose_of_paper=(
            f"To report progress on the {settings.ORGANISATION_NAME} development plan for "
            f"{cycle.period.long_label}, and the associated Board Assurance Framework risks."
        ),
        recommendation="The Board is asked to note the progress and the risks set out in this report.",
        sections=[s.value for s in BoardPack.Section],
    )
