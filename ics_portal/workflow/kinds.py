"""The protocol each kind of reviewed item implements, and where the workflow finds it.

A reviewed model (one with the `WorkflowFields` columns) registers a `ReviewedKind` for itself
when its app loads (`register(Model, Kind())` in the app's `ready()`); the workflow actions
(ics_portal/workflow/actions.py), the permission module and the workflow emails then ask
`kind_of(item)` for whatever is particular to that kind, and never check which kind it is.
Workstream updates and golden-thread updates (reporting/kinds.py) and risk reviews
(risks/kinds.py) plug in this way; so will the registers still to come (ADR 0010).
"""

from typing import Any


class ReviewedKind:
    """What the review workflow needs to know about one kind of reviewed item.

    Words: `noun` in messages ("This update is approved"); `audit_kind` prefixes its audit
    verbs (`update.submit`, `risk_review.submit`: each must be an AuditVerb); `email_prefix`
    picks its email templates (templates/emails/<prefix>_returned.html ...).
    """

    noun = "update"
    audit_kind = "update"
    email_prefix = "update"
    # What its leads (or governance) write, in form order; the workflow fields never are.
    fields: tuple[str, ...] = ()
    # Is it in its cycle's board pack, so that publishing the pack publishes it (locks it
    # for good)? Risk reviews are not: they end at accepted (ADR 0006).
    published_with_pack = True

    def lead_ids(self, item) -> set[int]:
        """Ids of the people who write it (leads, deputies, owner), from prefetched relations
        where the caller has them."""
        raise NotImplementedError

    def submission_errors(self, item) -> dict[str, str]:
        """What must be put right before it can be submitted: field name -> message."""
        return {}

    def after_approve(self, item, by) -> None:
        """What approving it changes beyond its own state (inside the approval's transaction)."""

    # Sections beyond its plain fields (rows, links), by merge key (ics_portal/workflow/merge.py).
    def stored_related(self, item) -> dict[str, Any]:
        return {}

    def check_related(self, sections: dict[str, Any]) -> None:
        """Refuse (ActionError) related sections whose values the models would not take."""

    def write_related(self, item, sections: dict[str, Any]) -> list[str]:
        """Write the related sections among `sections`; return labels of what changed."""
        return []

    def section_choices(self, item) -> list[tuple[str, str]]:
        """The sections a reviewer can ask to change when returning it: (key, label), in
        form order."""
        return []

    def section_keys(self, item) -> list[str]:
        return [key for key, _ in self.section_choices(item)]

    def action_url(self, item, action: str) -> str:
        """The page of governance's `action` on it: "extend" or "reopen"."""
        raise NotImplementedError

    # What governance's review queue and submission emails call it ("Workstream update").
    queue_label = "Item"

    def queue_title(self, item) -> str:
        """Its name in the review queue: what it reports on."""
        return str(item)

    def review_url(self, item) -> str:
        """The page governance reviews it on."""
        raise NotImplementedError

    def sections_to_change(self, item) -> list:
        """The returned sections as its email shows them (each has a `label`)."""
        return []


_KINDS: dict[type, ReviewedKind] = {}


def register(model: type, kind: ReviewedKind) -> None:
    _KINDS[model] = kind


def kind_of(item) -> ReviewedKind:
    """The registered kind of `item` (an instance or a model class)."""
    model = item if isinstance(item, type) else type(item)
    try:
        return _KINDS[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} is not a reviewed kind: register it in its app's ready()"
        ) from None


def reviewed_models() -> list[type]:
    return list(_KINDS)
