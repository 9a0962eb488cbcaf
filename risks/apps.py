from django.apps import AppConfig


class RisksConfig(AppConfig):
    verbose_name = "Board Assurance Framework"
    name = "risks"

    def ready(self) -> None:
        # Risk reviews go through the update workflow; these hooks add what is particular to a
        # risk: the submission checks and what accepting a review changes.
        from reporting.actions import register_workflow_hooks

        from .actions import REVIEW_FIELDS, apply_accepted_review, validate_review
        from .models import RiskReview

        register_workflow_hooks(
            RiskReview,
            validate=validate_review,
            on_approve=apply_accepted_review,
            fields=REVIEW_FIELDS,
        )
