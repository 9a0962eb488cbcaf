"""State changes of board packs: create, edit, generate (in the background), publish, withdraw.

Publishing freezes an immutable PublishedPack from the generated draft (PDF, SHA-256, page
count, HTML); later edits to updates or risks never change it.
"""

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, record
from ics_portal.models import ReportingCycle
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError

from .models import EDITABLE_PACK_STATES, BoardPack, PublishedPack
from .tasks import announce_publication, generate_board_pack

COVER_FIELDS = (
    "meeting",
    "date_of_meeting",
    "agenda_item",
    "title",
    "lead",
    "author",
    "purpose",
    "presented_before",
    "purpose_of_paper",
    "recommendation",
    "sections",
    "exception_only",
    "visibility",
    "embargo_until",
)


def create_pack(*, cycle: ReportingCycle, by, **fields: Any) -> BoardPack:
    """Start a board pack for a cycle."""
    with transaction.atomic():
        pack = BoardPack(
            cycle=cycle, created_by=by, **{k: v for k, v in fields.items() if k in COVER_FIELDS}
        )
        pack.full_clean()
        pack.save()
        record(by=by, verb=AuditVerb.PACK_CREATE, obj=pack)
    return pack


def edit_pack(*, pack: BoardPack, by, **fields: Any) -> BoardPack:
    """Change the cover sheet or sections. Any generated draft is discarded (it is out of date)."""
    with transaction.atomic():
        current = BoardPack.objects.select_for_update().get(pk=pack.pk)
        if current.state not in EDITABLE_PACK_STATES:
            raise ActionError(
                f"The pack is {current.get_state_display().lower()}; it cannot be edited now."
            )
        before = {k: str(getattr(current, k)) for k in fields if k in COVER_FIELDS}
        for name, value in fields.items():
            if name in COVER_FIELDS:
                setattr(current, name, value)
        _discard_draft(current)
        current.version += 1
        current.full_clean()
        current.save()
        record(
            by=by,
            verb=AuditVerb.PACK_EDIT,
            obj=current,
            before=before,
            after={k: str(getattr(current, k)) for k in before},
        )
    return current


def _discard_draft(pack: BoardPack) -> None:
    if pack.draft_pdf:
        pack.draft_pdf.delete(save=False)
    pack.draft_pdf = ""
    pack.draft_html = ""
    pack.draft_sha256 = ""
    pack.draft_page_count = 0
    pack.generated_at = None
    if pack.state == BoardPack.State.READY:
        pack.state = BoardPack.State.DRAFT


def discard_generated_drafts(*, cycle: ReportingCycle) -> int:
    """Discard the generated (not yet published) PDFs of `cycle`'s packs, because what they
    show has changed (an approved update was reopened). Returns how many were discarded; the
    caller audits the change that made them stale."""
    count = 0
    for pack in BoardPack.objects.select_for_update().filter(
        cycle=cycle, state=BoardPack.State.READY
    ):
        _discard_draft(pack)
        pack.save()
        count += 1
    return count


def request_generation(*, pack: BoardPack, by) -> BoardPack:
    """Queue the PDF render; the request returns at once and the page shows progress."""
    with transaction.atomic():
        current = BoardPack.objects.select_for_update().get(pk=pack.pk)
        if current.state == BoardPack.State.GENERATING and not current.generation_stalled:
            raise ActionError("This pack is already being generated.")
        if current.state == BoardPack.State.PUBLISHED:
            raise ActionError(
                "This pack is published. Withdraw it before generating a new version."
            )
        current.state = BoardPack.State.GENERATING
        current.generation += 1  # this request's task is now the only one that may finish it
        current.progress = 0
        current.progress_message = "Queued"
        current.generation_error = ""
        current.save(
            update_fields=[
                "state",
                "generation",
                "progress",
                "progress_message",
                "generation_error",
                "updated_at",
            ]
        )
        record(by=by, verb=AuditVerb.PACK_GENERATE, obj=current)
        generation = current.generation
        transaction.on_commit(
            lambda: generate_board_pack.enqueue(pack_id=current.pk, generation=generation)
        )
    return current


def publish_pack(*, pack: BoardPack, by) -> PublishedPack:
    """Freeze the generated draft as a new immutable published version; the cycle must be
    closed (ics_portal.workflow.actions.publish_cycle)."""
    with transaction.atomic():
        current = BoardPack.objects.select_for_update().get(pk=pack.pk)
        if current.state != BoardPack.State.READY or not current.draft_pdf:
            raise ActionError("Generate the PDF and check it before publishing.")
        cycle = ReportingCycle.objects.select_for_update().get(pk=current.cycle_id)
        number = (
            current.published_versions.order_by("-number").values_list("number", flat=True).first()
            or 0
        ) + 1
        try:
            with current.draft_pdf.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            data = None
        # The fingerprint is of the bytes published, and they must be the bytes generated:
        # a draft missing from, or changed in, the file storage is not published.
        sha256 = hashlib.sha256(data).hexdigest() if data is not None else ""
        if sha256 != current.draft_sha256:
            raise ActionError(
                "The generated PDF is missing from the file storage or has changed since it "
                "was generated. Generate it again, check it, then publish."
            )
        published = PublishedPack(
            pack=current,
            number=number,
            sha256=sha256,
            page_count=current.draft_page_count,
            html=current.draft_html,
            title=current.title,
            visibility=current.visibility,
            embargo_until=current.embargo_until,
            published_at=timezone.now(),
            published_by=by,
        )
        published.pdf.save(
            f"pack-{current.pk}-published-v{number}.pdf", ContentFile(data), save=False
        )
        published.save()
        current.state = BoardPack.State.PUBLISHED
        current.save(update_fields=["state", "updated_at"])
        # What the pack contains is now published, and frozen for ever (each item audited).
        items = workflow.publish_cycle(cycle=cycle, by=by)
        transaction.on_commit(lambda: announce_publication.enqueue(published_id=published.pk))
        record(
            by=by,
            verb=AuditVerb.PACK_PUBLISH,
            obj=published,
            after={
                "sha256": published.sha256,
                "pages": published.page_count,
                "items_published": items,
            },
        )
    return published


def withdraw_published(*, published: PublishedPack, by, reason: str) -> PublishedPack:
    """Withdraw a published version (reason required). A new version can be published after."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Give the reason for withdrawing this pack.")
    with transaction.atomic():
        current = PublishedPack.objects.select_for_update().get(pk=published.pk)
        if current.is_withdrawn:
            raise ActionError("This version has already been withdrawn.")
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = by
        current.withdrawn_reason = reason
        current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        pack = BoardPack.objects.select_for_update().get(pk=current.pack_id)
        pack.state = BoardPack.State.WITHDRAWN
        pack.save(update_fields=["state", "updated_at"])
        record(by=by, verb=AuditVerb.PACK_WITHDRAW, obj=current, comment=reason)
        workflow.publication_withdrawn(
            cycle=ReportingCycle.objects.select_for_update().get(pk=pack.cycle_id),
            by=by,
            still_published=PublishedPack.objects.filter(
                pack__cycle_id=pack.cycle_id, withdrawn_at__isnull=True
            ).exists(),
        )
    return current
