"""Workflow-state counts of every cycle on governance's cycle list, in a fixed number of
queries however many cycles there are."""

from django.db.models import Count

from .models import GoldenThreadUpdate, WorkstreamUpdate
from .presenters import StateCounts
from .status import WorkflowState


def counts_by_cycle(cycles) -> dict[int, StateCounts]:
    """Workflow-state counts of every cycle in `cycles`, in two queries."""
    counts = {cycle.pk: StateCounts(cycle.label) for cycle in cycles}
    for model in (WorkstreamUpdate, GoldenThreadUpdate):
        grouped = (
            model.objects.filter(cycle__in=list(counts))
            .values_list("cycle_id", "state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for cycle_id, state, n in grouped:
            key = WorkflowState.APPROVED if state == WorkflowState.PUBLISHED else state
            counts[cycle_id].counts[key] += n
    return counts
