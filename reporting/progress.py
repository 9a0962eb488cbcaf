"""Rows of governance's cycle progress page: every update of a cycle with its leads, state
and last change, in a fixed number of queries however many workstreams there are."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch
from django.utils import timezone

from ics_portal.models import User

from .models import GoldenThreadUpdate, ReportingCycle, WorkstreamUpdate
from .presenters import StateCounts
from .status import WorkflowState
from .workflow import OUTSTANDING_STATES

_PEOPLE = User.objects.select_related("organisation").order_by("full_name")


@dataclass
class CycleRow:
    update: object
    kind: str  # "workstream" or "thread"
    title: str
    group: str  # the theme, or "Golden threads"
    leads: list
    deputies: list
    state: str
    delivery_status: str
    updated_at: datetime | None
    updated_by: User | None
    overdue: bool

    @property
    def is_outstanding(self) -> bool:
        return self.state in OUTSTANDING_STATES


def cycle_rows(cycle: ReportingCycle) -> list[CycleRow]:
    """Every update in `cycle`: workstreams by theme, then golden threads (five queries)."""
    overdue = timezone.localdate() > cycle.submission_deadline
    rows = []
    workstream_updates = (
        WorkstreamUpdate.objects.filter(cycle=cycle)
        .select_related("workstream__theme", "updated_by")
        .prefetch_related(
            Prefetch("workstream__leads", queryset=_PEOPLE),
            Prefetch("workstream__deputies", queryset=_PEOPLE),
        )
        .order_by(
            "workstream__theme__order",
            "workstream__theme__number",
            "workstream__order",
            "workstream__name",
        )
    )
    for update in workstream_updates:
        rows.append(
            CycleRow(
                update=update,
                kind="workstream",
                title=update.workstream.name,
                group=update.workstream.theme.name,
                leads=list(update.workstream.leads.all()),
                deputies=list(update.workstream.deputies.all()),
                state=update.state,
                delivery_status=update.overall_status,
                updated_at=update.updated_at if update.state != WorkflowState.NOT_STARTED else None,
                updated_by=update.updated_by if update.state != WorkflowState.NOT_STARTED else None,
                overdue=overdue and update.state in OUTSTANDING_STATES,
            )
        )
    thread_updates = (
        GoldenThreadUpdate.objects.filter(cycle=cycle)
        .select_related("golden_thread", "updated_by")
        .prefetch_related(Prefetch("golden_thread__system_leads", queryset=_PEOPLE))
        .order_by("golden_thread__order", "golden_thread__number")
    )
    for update in thread_updates:
        rows.append(
            CycleRow(
                update=update,
                kind="thread",
                title=str(update.golden_thread),
                group="Golden threads",
                leads=list(update.golden_thread.system_leads.all()),
                deputies=[],
                state=update.state,
                delivery_status=update.overall_status,
                updated_at=update.updated_at if update.state != WorkflowState.NOT_STARTED else None,
                updated_by=update.updated_by if update.state != WorkflowState.NOT_STARTED else None,
                overdue=overdue and update.state in OUTSTANDING_STATES,
            )
        )
    return rows


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
