"""Quarterly risk reviews as a kind of reviewed item (ADR 0010): what the workflow asks of
them (ics_portal/workflow/kinds.py). Registered in risks/apps.py."""

from django.urls import reverse

from ics_portal.workflow.kinds import ReviewedKind

from .actions import REVIEW_FIELDS, apply_accepted_review, validate_review


class RiskReviewKind(ReviewedKind):
    noun = "risk review"
    audit_kind = "risk_review"
    email_prefix = "risk_review"
    fields = REVIEW_FIELDS
    published_with_pack = False
    queue_label = "Risk review"

    def lead_ids(self, item) -> set[int]:
        """The risk's owner writes its review."""
        owner_id = item.risk.owner_id
        return {owner_id} if owner_id else set()

    def action_url(self, item, action: str) -> str:
        return reverse(f"risks:review_{action}", kwargs={"pk": item.pk})

    def queue_title(self, item) -> str:
        return f"Risk {item.risk.reference}: {item.risk.title}"

    def review_url(self, item) -> str:
        return item.get_absolute_url()

    def submission_errors(self, item) -> dict[str, str]:
        return validate_review(item)

    def after_approve(self, item, by) -> None:
        """Accepting a review gives the risk its scores (unless a later one was accepted)."""
        apply_accepted_review(item, by)
