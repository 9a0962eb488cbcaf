"""Read models for reporting pages, emails and exports: one function per shape, so a page,
an export and the board pack show the same rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from ics_portal.models import User

from .models import GoldenThreadUpdate, ReportingCycle, WorkstreamUpdate
from .status import WorkflowState
from .workflow import OUTSTANDING_STATES

_PEOPLE = User.objects.select_related("organisation")


def _workstream_updates(cycle_filter):
    return (
        WorkstreamUpdate.objects.filter(**cycle_filter)
        .select_related("cycle", "workstream__theme", "updated_by")
        .prefetch_related(
            Prefetch("workstream__leads", queryset=_PEOPLE),
            Prefetch("workstream__deputies", queryset=_PEOPLE),
        )
    )


def _thread_updates(cycle_filter):
    return (
        GoldenThreadUpdate.objects.filter(**cycle_filter)
        .select_related("cycle", "golden_thread", "updated_by")
        .prefetch_related(Prefetch("golden_thread__system_leads", queryset=_PEOPLE))
    )


@dataclass(frozen=True)
class OwedUpdate:
    """One update a person writes, with what they need to know about its deadline."""

    update: object
    kind: str  # "workstream" or "thread"
    title: str
    role: str  # "Lead", "Deputy", "System lead"
    cycle: ReportingCycle
    state: str

    @property
    def deadline(self) -> date:
        return self.cycle.submission_deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def is_outstanding(self) -> bool:
        return self.state in OUTSTANDING_STATES


def _owed_rows(updates_ws, updates_gt):
    for update in updates_ws:
        for person in update.workstream.leads.all():
            yield (
                person,
                OwedUpdate(
                    update, "workstream", update.workstream.name, "Lead", update.cycle, update.state
                ),
            )
        for person in update.workstream.deputies.all():
            yield (
                person,
                OwedUpdate(
                    update,
                    "workstream",
                    update.workstream.name,
                    "Deputy",
                    update.cycle,
                    update.state,
                ),
            )
    for update in updates_gt:
        for person in update.golden_thread.system_leads.all():
            yield (
                person,
                OwedUpdate(
                    update,
                    "thread",
                    str(update.golden_thread),
                    "System lead",
                    update.cycle,
                    update.state,
                ),
            )


def updates_owed_by_person(cycle: ReportingCycle) -> dict[User, list[OwedUpdate]]:
    """Every person who writes an update in `cycle`, with the updates they write."""
    result: dict[User, list[OwedUpdate]] = defaultdict(list)
    flt = {"cycle": cycle}
    for person, row in _owed_rows(_workstream_updates(flt), _thread_updates(flt)):
        if person.is_active:
            result[person].append(row)
    return dict(result)


def my_updates(user) -> list[OwedUpdate]:
    """Everything `user` leads or deputises in open cycles, outstanding first."""
    flt = {"cycle__status": ReportingCycle.Status.OPEN}
    ws = (
        _workstream_updates(flt)
        .filter(Q(workstream__leads=user) | Q(workstream__deputies=user))
        .distinct()
    )
    gt = _thread_updates(flt).filter(golden_thread__system_leads=user).distinct()
    rows = [row for person, row in _owed_rows(ws, gt) if person.pk == user.pk]
    return sorted(rows, key=lambda r: (not r.is_outstanding, r.deadline, r.title))


# --- cycle progress (governance) ---------------------------------------------------------------

_PROGRESS_ORDER = (
    WorkflowState.NOT_STARTED,
    WorkflowState.DRAFT,
    WorkflowState.RETURNED,
    WorkflowState.SUBMITTED,
    WorkflowState.APPROVED,
)


@dataclass
class StateCounts:
    """How many updates are in each workflow state (published counts as approved)."""

    label: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(_PROGRESS_ORDER, 0))

    def add(self, state: str) -> None:
        key = WorkflowState.APPROVED if state == WorkflowState.PUBLISHED else state
        self.counts[key] = self.counts.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def approved(self) -> int:
        return self.counts[WorkflowState.APPROVED]

    @property
    def percent_approved(self) -> int:
        return round(100 * self.approved / self.total) if self.total else 0

    @property
    def rows(self) -> list[tuple[str, str, int, int]]:
        """(state, label, count, percent of total) in workflow order, for tables and bars."""
        total = self.total or 1
        return [
            (s.value, s.label, self.counts[s], round(100 * self.counts[s] / total))
            for s in _PROGRESS_ORDER
        ]


@dataclass
class CycleProgress:
    cycle: ReportingCycle
    overall: StateCounts
    by_theme: list[StateCounts]
    threads: StateCounts

    @property
    def is_overdue(self) -> bool:
        return timezone.localdate() > self.cycle.submission_deadline

    @property
    def outstanding(self) -> int:
        return sum(self.overall.counts[s] for s in OUTSTANDING_STATES)


def cycle_progress(cycle: ReportingCycle) -> CycleProgress:
    """Counts by workflow state, overall, per theme and for golden threads: two queries."""
    overall = StateCounts("All updates")
    themes: dict[int, StateCounts] = {}
    ws_rows = (
        WorkstreamUpdate.objects.filter(cycle=cycle)
        .order_by("workstream__theme__order", "workstream__theme__number")
        .values_list("workstream__theme_id", "workstream__theme__name", "state")
    )
    for theme_id, theme_name, state in ws_rows:
        themes.setdefault(theme_id, StateCounts(theme_name)).add(state)
        overall.add(state)
    threads = StateCounts("Golden threads")
    for state in GoldenThreadUpdate.objects.filter(cycle=cycle).values_list("state", flat=True):
        threads.add(state)
        overall.add(state)
    return CycleProgress(cycle, overall, list(themes.values()), threads)


def current_cycle() -> ReportingCycle | None:
    """The open cycle (latest if several), else the most recent one."""
    cycles = ReportingCycle.objects.order_by("-fy_start_year", "-quarter")
    return cycles.filter(status=ReportingCycle.Status.OPEN).first() or cycles.first()
