"""Writing audit events. Actions call `record` inside their transaction, naming what happened
with an `AuditVerb`, so a misspelt verb fails where it is written, not in a report later."""

from enum import StrEnum
from typing import Any

from django.db import models

from .models import AuditEvent


class AuditVerb(StrEnum):
    """Every kind of audit event the portal writes."""

    CYCLE_CLOSE = "cycle.close"
    CYCLE_CREATE = "cycle.create"
    CYCLE_OPEN = "cycle.open"
    CYCLE_PUBLISH = "cycle.publish"
    CYCLE_PUBLICATION_WITHDRAWN = "cycle.publication_withdrawn"
    CYCLE_REMIND = "cycle.remind"
    CYCLE_REOPEN = "cycle.reopen"
    DATA_IMPORT = "data.import"
    DATA_IMPORT_QUEUED = "data.import_queued"
    PACK_CREATE = "pack.create"
    PACK_EDIT = "pack.edit"
    PACK_GENERATE = "pack.generate"
    PACK_PUBLISH = "pack.publish"
    PACK_WITHDRAW = "pack.withdraw"
    RISK_CLOSE = "risk.close"
    RISK_CREATE = "risk.create"
    RISK_EDIT = "risk.edit"
    RISK_REOPEN = "risk.reopen"
    RISK_REVIEW_ACCEPTED = "risk.review_accepted"
    RISK_REVIEW_APPROVE = "risk_review.approve"
    RISK_REVIEW_EXTEND = "risk_review.extend"
    RISK_REVIEW_REOPEN = "risk_review.reopen"
    RISK_REVIEW_RETURN = "risk_review.return"
    RISK_REVIEW_SAVE = "risk_review.save"
    RISK_REVIEW_SUBMIT = "risk_review.submit"
    RISK_REVIEW_WITHDRAW = "risk_review.withdraw"
    RISK_REVIEWS_OPEN = "risk_reviews.open"
    UPDATE_APPROVE = "update.approve"
    UPDATE_EXTEND = "update.extend"
    UPDATE_PUBLISH = "update.publish"
    UPDATE_REOPEN = "update.reopen"
    UPDATE_RETURN = "update.return"
    UPDATE_SAVE = "update.save"
    UPDATE_SUBMIT = "update.submit"
    UPDATE_WITHDRAW = "update.withdraw"


def record(
    *,
    by,
    verb: AuditVerb,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    """Store who did `verb` to `obj`, with plain values that survive deletions."""
    verb = AuditVerb(verb)  # a verb not in the list is a mistake: ValueError
    return AuditEvent.objects.create(
        actor_id=getattr(by, "pk", None),
        actor_name=(by.full_name or by.email) if by is not None else "system",
        verb=verb,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_label=str(obj)[:300],
        before=before,
        after=after,
        comment=comment,
    )
