"""What the task worker runs for a queued pack (packs/tasks.py): render the HTML and the PDF,
noting progress on the pack as it goes, and keep the result as the pack's draft."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import BoardPack
from .render import render_pack_html, render_pdf


def set_progress(pack_id: int, percent: int, message: str) -> None:
    BoardPack.objects.filter(pk=pack_id).update(progress=percent, progress_message=message)


def generate_now(*, pack_id: int) -> BoardPack:
    """Render the pack's HTML and PDF and store them as its draft (run by the background task)."""
    pack = BoardPack.objects.select_related("cycle").get(pk=pack_id)
    try:
        set_progress(pack_id, 10, "Collecting approved updates and risks")
        html = render_pack_html(pack)
        set_progress(pack_id, 40, "Laying out pages")
        pdf = render_pdf(html)
        set_progress(pack_id, 90, "Saving the PDF")
    except Exception as error:  # the person needs to see a failed render, not a stuck spinner
        BoardPack.objects.filter(pk=pack_id).update(
            state=BoardPack.State.DRAFT,
            progress=0,
            progress_message="",
            generation_error=str(error)[:2000],
        )
        raise
    with transaction.atomic():
        pack = BoardPack.objects.select_for_update().get(pk=pack_id)
        if pack.draft_pdf:
            pack.draft_pdf.delete(save=False)
        pack.draft_pdf.save(
            f"pack-{pack.pk}-v{pack.version}.pdf", ContentFile(pdf.data), save=False
        )
        pack.draft_html = html
        pack.draft_sha256 = pdf.sha256
        pack.draft_page_count = pdf.page_count
        pack.generated_at = timezone.now()
        pack.state = BoardPack.State.READY
        pack.progress = 100
        pack.progress_message = f"Ready: {pdf.page_count} pages"
        pack.save()
    return pack
