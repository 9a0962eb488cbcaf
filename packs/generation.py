"""What the task worker runs for a queued pack (packs/tasks.py): render the HTML and the PDF,
noting progress on the pack as it goes, and keep the result as the pack's draft.

Several workers may run at once, and a task may be delivered twice, so a render is kept only
while it is still wanted. Each request to generate counts up the pack's `generation`
(actions.request_generation) and its task carries that number: the task renders only if the
pack is still GENERATING for that number, notes progress and failure only then, and keeps its
PDF only if that is still so once it has the pack locked. Otherwise it changes nothing: a
newer request, another worker that finished the same request first, an edit or a publication
has overtaken it. Called with no number (the demo loader, the command line, a task queued by
an earlier version of the portal), it renders and keeps the PDF whatever the pack's state.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import BoardPack
from .render import render_pack_html, render_pdf

logger = logging.getLogger(__name__)


def _wanted(pack_id: int, generation: int | None):
    """The pack, as a queryset, only while `generation` is its current request (if given)."""
    packs = BoardPack.objects.filter(pk=pack_id)
    if generation is not None:
        packs = packs.filter(state=BoardPack.State.GENERATING, generation=generation)
    return packs


def set_progress(pack_id: int, percent: int, message: str, generation: int | None = None) -> None:
    # Progress is the task's sign of life (BoardPack.generation_stalled).
    _wanted(pack_id, generation).update(
        progress=percent, progress_message=message, updated_at=timezone.now()
    )


def generate(*, pack_id: int, generation: int | None = None) -> tuple[BoardPack, bool]:
    """Render the pack's HTML and PDF and keep them as its draft if request `generation` is
    still the pack's current one. Returns the pack as it now is, and whether this render was
    kept."""
    pack = BoardPack.objects.select_related("cycle").get(pk=pack_id)
    if not _wanted(pack_id, generation).exists():
        logger.info(
            "Board pack %s: generation %s is no longer wanted (the pack is %s, generation %s); "
            "nothing done.",
            pack_id,
            generation,
            pack.state,
            pack.generation,
        )
        return pack, False
    try:
        set_progress(pack_id, 10, "Collecting approved updates and risks", generation)
        html = render_pack_html(pack)
        set_progress(pack_id, 40, "Laying out pages", generation)
        pdf = render_pdf(html)
        set_progress(pack_id, 90, "Saving the PDF", generation)
    except Exception as error:  # the person needs to see a failed render, not a stuck spinner
        _wanted(pack_id, generation).update(
            state=BoardPack.State.DRAFT,
            progress=0,
            progress_message="",
            generation_error=str(error)[:2000],
        )
        raise
    with transaction.atomic():
        pack = BoardPack.objects.select_for_update().get(pk=pack_id)
        if generation is not None and (
            pack.state != BoardPack.State.GENERATING or pack.generation != generation
        ):
            logger.info(
                "Board pack %s: generation %s was overtaken while rendering (the pack is %s, "
                "generation %s); its PDF is not kept.",
                pack_id,
                generation,
                pack.state,
                pack.generation,
            )
            return pack, False
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
    return pack, True


def generate_now(*, pack_id: int, generation: int | None = None) -> BoardPack:
    """Render the pack's HTML and PDF and store them as its draft (see `generate`)."""
    return generate(pack_id=pack_id, generation=generation)[0]
