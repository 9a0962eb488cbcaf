"""Writing audit events. Actions call `record` inside their transaction."""

from typing import Any

from django.db import models

from .models import AuditEvent


def record(
    *,
    by,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    """Store who did `verb` to `obj`, with plain values that survive deletions."""
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
