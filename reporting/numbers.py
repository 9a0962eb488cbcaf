"""One set of numbers for a reporting cycle (docs/adr/0007-one-set-of-numbers.md).

Every number shown about a cycle is made here, once, and read by each place that shows it:
- delivery-status counts: the cycle page, the cycle return's summary sheet, the updates CSV's
  "Counted" column, the board pack's summary table and its status bar;
- workflow-state counts: the home page, the cycle page and the cycle list;
- who still owes what (updates, golden-thread updates and risk reviews): the cycle page's
  list, the reminders (daily and "remind all") and the email sent when a cycle is reopened;
- the latest approved update before a cycle (made by ics_portal/workflow/history.py): pre-filling a new cycle, the review page's
  comparison with last quarter, the pack's carried golden threads and a risk review's change
  of score;
- milestone rows: the cycle return, the updates CSV and the board pack.

Why a module of its own and not more of presenters.py: a presenter shapes the rows of one page
or one export; these numbers are shared by pages, exports, the pack and emails, and
presenters.py builds on them. Keeping them here means there is one place to change what is
counted, and nothing else in the code counts statuses.

What is counted (COUNTED_STATES, COUNTING_RULE): a delivery status is counted only when its
update is approved or published, as the board sees it; every other update is counted once as
"Not yet approved", whatever status its draft gives. The rule's words are shown beside the
numbers wherever they appear.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch
from django.utils import timezone

from ics_portal import palette
from ics_portal.models import ReportingCycle, User
from ics_portal.periods import Quarter
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow.history import COUNTED_STATES
from ics_portal.workflow.kinds import kind_of
from ics_portal.workflow.states import (
    OUTSTANDING_STATES,
    leads_window_open,
)
from risks.models import RiskReview
from risks.presenters import risk_reviews_owed_by_person

from .models import GoldenThreadUpdate, WorkstreamUpdate

# --- what is counted ----------------------------------------------------------------------------

COUNTING_RULE = "Approved updates only"
COUNTING_NOTE = (
    "Statuses are counted from approved and published updates only. An update not yet "
    "approved is counted as \u201cNot yet approved\u201d, whatever status it gives."
)
# The updates CSV's column saying which rows the counts count ("Yes" or "No").
COUNTED_COLUMN = f"Counted in status totals ({COUNTING_RULE.lower()})"
NO_STATUS, NOT_APPROVED = "NONE", "NOT_APPROVED"
STATUS_KEYS = [*DeliveryStatus.values, NO_STATUS, NOT_APPROVED]
STATUS_LABELS = {
    **dict(DeliveryStatus.choices),
    NO_STATUS: "No status",
    NOT_APPROVED: "Not yet approved",
}
_STATUS_COLOURS = {
    **palette.DELIVERY_STATUS_COLOURS,
    NO_STATUS: palette.NO_STATUS_COLOUR,
    NOT_APPROVED: palette.NOT_APPROVED_COLOUR,
}


def is_counted(state: str) -> bool:
    """Does an update in `state` count its status (and show it in the board pack)?"""
    return state in COUNTED_STATES


def status_key(state: str, status: str) -> str:
    """Where an update is counted: its status code, NONE, or NOT_APPROVED."""
    if not is_counted(state):
        return NOT_APPROVED
    return status or NO_STATUS


@dataclass(frozen=True)
class StatusWord:
    """How one update's status is shown by the counting rule: its key (a DeliveryStatus code,
    NONE or NOT_APPROVED), word and colour. A grid cell and the count it falls in agree."""

    key: str
    label: str
    colour: palette.Colour


def status_word(state: str, status: str) -> StatusWord:
    """The word and colour an update in `state` with `status` is counted and shown under."""
    key = status_key(state, status)
    return StatusWord(key, STATUS_LABELS[key], palette.colour(_STATUS_COLOURS[key]))


@dataclass(frozen=True)
class StatusColumn:
    key: str  # a DeliveryStatus code, NONE or NOT_APPROVED
    label: str
    colour: palette.Colour
    count: int


@dataclass
class StatusCounts:
    """How many updates of one group (a theme, the golden threads, all) are counted under
    each status, by the counting rule."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_KEYS, 0))

    def add(self, state: str, status: str, n: int = 1) -> None:
        self.counts[status_key(state, status)] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def columns(self) -> list[StatusColumn]:
        """Every status, then "No status" and "Not yet approved", in that order."""
        return [
            StatusColumn(key, STATUS_LABELS[key], palette.colour(_STATUS_COLOURS[key]), n)
            for key, n in self.counts.items()
        ]

    @property
    def shown(self) -> list[StatusColumn]:
        """The columns with something in them, for a bar and its words."""
        return [column for column in self.columns if column.count]

    @property
    def sentence(self) -> str:
        """ "On track 1, Delayed 1, Not yet approved 1 (of 3)"."""
        words = ", ".join(f"{c.label} {c.count}" for c in self.shown) or "None"
        return f"{words} (of {self.total})"


@dataclass
class StatusTable:
    """Status counts per theme (plan order), then the golden threads, and for all of them."""

    groups: list[StatusCounts]
    total: StatusCounts
    rule: str = COUNTING_RULE
    note: str = COUNTING_NOTE

    @property
    def headings(self) -> list[str]:
        return [STATUS_LABELS[key] for key in STATUS_KEYS]


# --- workflow-state counts ------------------------------------------------------------------------

_PROGRESS_ORDER = (
    WorkflowState.NOT_STARTED,
    WorkflowState.DRAFT,
    WorkflowState.RETURNED,
    WorkflowState.SUBMITTED,
    WorkflowState.APPROVED,
)


@dataclass(frozen=True)
class Segment:
    """One state's part of a progress bar, in percent of its width."""

    state: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class StateCounts:
    """How many updates are in each workflow state (published counts as approved)."""

    label: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(_PROGRESS_ORDER, 0))

    def add(self, state: str, n: int = 1) -> None:
        key = WorkflowState.APPROVED if state == WorkflowState.PUBLISHED else state
        self.counts[key] = self.counts.get(key, 0) + n

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

    @property
    def segments(self) -> list[Segment]:
        """The non-empty states laid end to end, for an SVG bar drawn with attributes only."""
        total, x, segments = self.total or 1, 0.0, []
        for state in _PROGRESS_ORDER:
            n = self.counts[state]
            if n:
                width = 100 * n / total
                segments.append(Segment(state.value, state.label, n, round(x, 2), round(width, 2)))
                x += width
        return segments


@dataclass
class CycleCounts:
    """A cycle's numbers: workflow states overall, per theme and for the golden threads, and
    the delivery-status table."""

    cycle: ReportingCycle
    overall: StateCounts
    by_theme: list[StateCounts]
    threads: StateCounts
    statuses: StatusTable

    @property
    def is_overdue(self) -> bool:
        return timezone.localdate() > self.cycle.submission_deadline

    @property
    def outstanding(self) -> int:
        return sum(self.overall.counts[s] for s in OUTSTANDING_STATES)


def cycle_counts(cycle: ReportingCycle) -> CycleCounts:
    """Every update of `cycle` counted by workflow state and by status: two queries, however
    many updates there are."""
    overall, themes = StateCounts("All updates"), {}
    status_total, status_groups = StatusCounts("All updates"), {}
    workstream_counts = (
        WorkstreamUpdate.objects.filter(cycle=cycle)
        .values_list("workstream__theme_id", "workstream__theme__name", "state", "overall_status")
        .annotate(n=Count("pk"))
        .order_by("workstream__theme__order", "workstream__theme__number", "workstream__theme_id")
    )
    for theme_id, name, state, status, n in workstream_counts:
        themes.setdefault(theme_id, StateCounts(name)).add(state, n)
        status_groups.setdefault(theme_id, StatusCounts(name)).add(state, status, n)
        overall.add(state, n)
        status_total.add(state, status, n)
    threads, thread_statuses = StateCounts("Golden threads"), StatusCounts("Golden threads")
    thread_counts = (
        GoldenThreadUpdate.objects.filter(cycle=cycle)
        .values_list("state", "overall_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for state, status, n in thread_counts:
        threads.add(state, n)
        thread_statuses.add(state, status, n)
        overall.add(state, n)
        status_total.add(state, status, n)
    groups = list(status_groups.values()) + ([thread_statuses] if thread_statuses.total else [])
    return CycleCounts(
        cycle, overall, list(themes.values()), threads, StatusTable(groups, status_total)
    )


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
            counts[cycle_id].add(state, n)
    return counts


# --- every update of a cycle, and who still owes what ---------------------------------------------

_PEOPLE = User.objects.select_related("organisation").order_by("full_name")


def workstream_updates(**filters):
    """Workstream updates with their cycle, theme, leads and deputies (three queries)."""
    return (
        WorkstreamUpdate.objects.filter(**filters)
        .select_related("cycle", "workstream__theme", "updated_by")
        .prefetch_related(
            Prefetch("workstream__leads", queryset=_PEOPLE),
            Prefetch("workstream__deputies", queryset=_PEOPLE),
        )
    )


def thread_updates(**filters):
    """Golden-thread updates with their cycle and system leads (two queries)."""
    return (
        GoldenThreadUpdate.objects.filter(**filters)
        .select_related("cycle", "golden_thread", "updated_by")
        .prefetch_related(Prefetch("golden_thread__system_leads", queryset=_PEOPLE))
    )


@dataclass
class CycleRow:
    """One update of a cycle with the people who write it."""

    update: object
    kind: str  # "workstream" or "thread"
    title: str
    group: str  # the theme, or "Golden threads"
    leads: list
    deputies: list

    @property
    def state(self) -> str:
        return self.update.state

    @property
    def delivery_status(self) -> str:
        return self.update.overall_status

    @property
    def is_outstanding(self) -> bool:
        return self.state in OUTSTANDING_STATES

    @property
    def overdue(self) -> bool:
        return self.is_outstanding and timezone.localdate() > self.update.cycle.submission_deadline

    @property
    def updated_at(self) -> datetime | None:
        """When it was last changed; None while nobody has started it."""
        return self.update.updated_at if self.state != WorkflowState.NOT_STARTED else None

    @property
    def updated_by(self) -> User | None:
        return self.update.updated_by if self.state != WorkflowState.NOT_STARTED else None


def cycle_row(update) -> CycleRow:
    """No queries when the update came from `workstream_updates` or `thread_updates`."""
    kind = kind_of(update)
    return CycleRow(
        update,
        kind.slug,
        kind.title(update),
        kind.group(update),
        kind.leads(update),
        kind.deputies(update),
    )


def cycle_rows(cycle: ReportingCycle) -> list[CycleRow]:
    """Every update in `cycle`: workstreams by theme, then golden threads (five queries)."""
    workstreams = workstream_updates(cycle=cycle).order_by(
        "workstream__theme__order",
        "workstream__theme__number",
        "workstream__order",
        "workstream__name",
    )
    threads = thread_updates(cycle=cycle).order_by("golden_thread__order", "golden_thread__number")
    return [cycle_row(u) for u in workstreams] + [cycle_row(u) for u in threads]


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
        """The last day to submit: the cycle's deadline, or the extension once it has closed."""
        if self.cycle.is_closed and self.update.extended_until:
            return self.update.extended_until
        return self.cycle.submission_deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def is_outstanding(self) -> bool:
        return self.state in OUTSTANDING_STATES

    @property
    def is_extended(self) -> bool:
        """The cycle is closed but governance's extension lets the leads submit this."""
        return self.cycle.is_closed and self.update.has_extension

    @property
    def is_shut(self) -> bool:
        """The cycle closed before this was submitted: only governance can reopen it."""
        return self.is_outstanding and not leads_window_open(self.update)


def owed_updates(rows: Iterable[CycleRow]) -> Iterator[tuple[User, OwedUpdate]]:
    """(person, what they write) for each lead, deputy and system lead of each row."""
    for row in rows:
        lead_role = "Lead" if row.kind == "workstream" else "System lead"
        for role, people in ((lead_role, row.leads), ("Deputy", row.deputies)):
            for person in people:
                yield (
                    person,
                    OwedUpdate(row.update, row.kind, row.title, role, row.update.cycle, row.state),
                )


def updates_by_person(rows: Iterable[CycleRow]) -> dict[User, list[OwedUpdate]]:
    """Every active person who writes one of the updates in `rows`, with those updates."""
    result: dict[User, list[OwedUpdate]] = defaultdict(list)
    for person, owed in owed_updates(rows):
        if person.is_active:
            result[person].append(owed)
    return dict(result)


@dataclass
class Owed:
    """One person and everything they still owe in a cycle."""

    person: User
    updates: list[OwedUpdate] = field(default_factory=list)
    reviews: list[RiskReview] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """ "2 updates and 1 risk review"."""
        parts = []
        if self.updates:
            parts.append(f"{len(self.updates)} update{'s' if len(self.updates) != 1 else ''}")
        if self.reviews:
            n = len(self.reviews)
            parts.append(f"{n} risk review{'s' if n != 1 else ''}")
        return " and ".join(parts)

    @property
    def items(self) -> list[str]:
        """What is owed, in words: update titles, then "Risk 07 review"."""
        return [u.title for u in self.updates] + [
            f"Risk {r.risk.reference} review" for r in self.reviews
        ]


def owed_by_person(cycle: ReportingCycle, rows: list[CycleRow] | None = None) -> dict[int, Owed]:
    """Every active person who still owes an update or a risk review in `cycle`, by id, in
    name order: the cycle page lists exactly these and "remind all" emails exactly these.
    Pass the cycle's `rows` when already loaded; otherwise six queries."""
    rows = cycle_rows(cycle) if rows is None else rows
    owed: dict[int, Owed] = {}
    outstanding = updates_by_person(row for row in rows if row.is_outstanding)
    for person, updates in outstanding.items():
        owed[person.pk] = Owed(person, updates=updates)
    for person, reviews in risk_reviews_owed_by_person(cycle).items():
        owed.setdefault(person.pk, Owed(person)).reviews = reviews
    return dict(
        sorted(owed.items(), key=lambda item: (item[1].person.full_name, item[1].person.email))
    )


# --- milestones -----------------------------------------------------------------------------------


@dataclass
class MilestoneRow:
    """A milestone as one workstream holds it and its update reported it: the delivery date as
    written for that workstream (a shared milestone may be due at a different time in each), and
    the status, revised date and note the update gave (blank where it gave none)."""

    milestone_id: int
    title: str
    due_label: str
    due_date: date | None
    status: str
    revised_date: date | None
    note: str
    workstreams: list[str] = field(default_factory=list)
    due_precision: str = ""
    critical_path: bool = False
    # When this quarter's update is not in the pack: the quarter whose approved update gave the
    # status and revised date ("Q2 2021/22"); blank when they are this quarter's.
    reported_in: str = ""

    @property
    def when(self) -> date | None:
        """When it is now expected: the revised date an update gives, else its delivery date."""
        return self.revised_date or self.due_date

    @property
    def label(self) -> str:
        """ "Delivery by Sept 2021" as written, else the date it is expected."""
        return self.due_label or (f"{self.when:%-d %B %Y}" if self.when else "")

    @property
    def group_key(self) -> tuple:
        """What workstreams must share for one row to stand for them all (the pack's milestone
        section and the overview dashboard): the milestone, its delivery date and label as each
        holds it, and the status and revised date their updates gave, from the same quarter."""
        return (
            self.milestone_id,
            self.due_date,
            self.due_label,
            self.status,
            self.revised_date,
            self.reported_in,
        )

    @property
    def due_text(self) -> str:
        """The delivery-by date as written, else the date itself ("30 September 2021")."""
        return self.due_label or (f"{self.due_date:%-d %B %Y}" if self.due_date else "")

    def falls_in(self, period: Quarter) -> bool:
        """Expected (by revised date, else delivery date) within `period`."""
        return self.when is not None and period.start <= self.when <= period.end

    def due_in(self, period: Quarter) -> bool:
        """Its delivery-by date (this workstream's) falls within `period`."""
        return self.due_date is not None and period.start <= self.due_date <= period.end

    def overdue_by(self, day: date) -> bool:
        """Expected by `day` and not complete."""
        return self.when is not None and self.when <= day and self.status != DeliveryStatus.COMPLETE

    def overdue_in(self, period: Quarter) -> bool:
        """Overdue as the pack reports a quarter: due before the quarter began and not reported
        complete, or due in it and reported as not completing by its end (Delayed, or a revised
        date after it). A milestone due in the quarter and reported On track is due, not late.
        The one rule for the pack's milestone section and its exception filter."""
        if self.due_date is None or self.status == DeliveryStatus.COMPLETE:
            return False
        if self.due_date < period.start:
            return True
        if self.due_date <= period.end:
            return self.status == DeliveryStatus.DELAYED or bool(
                self.revised_date and self.revised_date > period.end
            )
        return False


def milestone_rows(links: Iterable, reported: Iterable = ()) -> list[MilestoneRow]:
    """Each of a workstream's milestones with what an update `reported` against it (its
    MilestoneProgress rows; none for an update the reader may not see). `links` are the
    workstream's WorkstreamMilestone rows (workstream.milestone_links, with their milestone),
    so each row carries that workstream's own delivery date; a plain Milestone gives the
    milestone's. No queries when both are prefetched."""
    by_milestone = {row.milestone_id: row for row in reported}
    rows = []
    for link in links:
        milestone = getattr(link, "milestone", link)
        if milestone is link:
            due_label, due_date = milestone.due_label, milestone.due_date
            precision = milestone.due_precision
        else:
            due_label, due_date = link.delivery_label, link.delivery_date
            precision = link.delivery_precision
        row = by_milestone.get(milestone.pk)
        rows.append(
            MilestoneRow(
                milestone.pk,
                milestone.title,
                due_label,
                due_date,
                row.status if row else "",
                row.revised_date if row else None,
                row.note if row else "",
                due_precision=precision,
                critical_path=milestone.critical_path,
            )
        )
    return rows
