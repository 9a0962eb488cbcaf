"""Set-up helpers shared by the tests/risks/ modules (no tests here).

History is built through the real actions (open, save, submit, accept) so the tests exercise
the workflow; the query-count tests use `bulk_history` to make hundreds of accepted reviews
quickly.
"""

import datetime

from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from risks import actions
from risks.models import RiskMatrix, RiskReview

from .. import factories


def cycle_for(fy_start_year: int, quarter: int, *, status=ReportingCycle.Status.OPEN):
    """A reporting cycle for a quarter, its dates inside the quarter after it."""
    period = Quarter(fy_start_year, quarter)
    opens_on = period.end - datetime.timedelta(days=20)
    return factories.ReportingCycleFactory(
        fy_start_year=fy_start_year,
        quarter=quarter,
        opens_on=opens_on,
        submission_deadline=period.end,
        review_deadline=period.end + datetime.timedelta(days=14),
        status=status,
    )


def run_quarter(cycle, scores: dict, *, governance, close: bool = True) -> dict:
    """Open `cycle`'s risk reviews and, for each risk in `scores` ({risk: (likelihood,
    consequence)}), save, submit and accept its review through the actions. Returns the
    accepted reviews by risk pk."""
    if cycle.status != ReportingCycle.Status.OPEN:
        ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.OPEN)
        cycle.refresh_from_db()
    actions.open_risk_reviews(cycle=cycle, by=governance)
    accepted = {}
    for risk, (likelihood, consequence) in scores.items():
        review = RiskReview.objects.get(risk=risk, cycle=cycle)
        owner = risk.owner or governance
        review = actions.save_review(
            review=review,
            base_version=review.version,
            by=owner,
            fields={
                "likelihood": likelihood,
                "consequence": consequence,
                "rationale": f"<p>{cycle.label}: scored {likelihood}×{consequence}.</p>",
            },
        )
        review = workflow.submit(update=review, by=owner)
        accepted[risk.pk] = workflow.approve(update=review, by=governance)
    if close:
        ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.CLOSED)
        cycle.refresh_from_db()
    return accepted


def bulk_history(risks, cycles, *, governance, score=lambda risk, i: (3, 4)) -> None:
    """Accepted reviews for every risk in every cycle, written directly (fast set-up for the
    query-count tests; the workflow itself is tested elsewhere)."""
    matrix = RiskMatrix.objects.current()
    now = timezone.now()
    rows = []
    for i, cycle in enumerate(cycles):
        for risk in risks:
            likelihood, consequence = score(risk, i)
            rows.append(
                RiskReview(
                    risk=risk,
                    cycle=cycle,
                    likelihood=likelihood,
                    consequence=consequence,
                    target_likelihood=risk.target_likelihood,
                    target_consequence=risk.target_consequence,
                    matrix=matrix,
                    rationale="<p>Reviewed.</p>",
                    state=WorkflowState.APPROVED,
                    submitted_at=now,
                    submitted_by=governance,
                    approved_at=now,
                    approved_by=governance,
                )
            )
    RiskReview.objects.bulk_create(rows)


def quarters(n: int, *, first=(2019, 1)):
    """`n` consecutive closed cycles starting at `first`."""
    fy, q = first
    result = []
    for _ in range(n):
        result.append(cycle_for(fy, q, status=ReportingCycle.Status.CLOSED))
        fy, q = (fy, q + 1) if q < 4 else (fy + 1, 1)
    return result
