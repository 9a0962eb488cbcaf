"""One set of numbers for a reporting cycle: what several pages, exports, the board pack and
emails need alike is made here once, and read by each of them.

- Who still owes what (`owed_by_person`): updates, golden-thread updates and risk reviews. The
  cycle page lists exactly these people, and the reminders ("remind all", the daily run) and
  the email sent when a cycle is reopened go to exactly these people.
- The latest approved update before a cycle (`latest_approved`) pre-fills a new cycle, gives
  the review page last quarter's text, stands in for a golden thread's missing update in the
  board pack and is what a risk review's change of score is judged against.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from ics_portal.models import User
from risks.models import BAFRisk, RiskReview

from .models import GoldenThreadUpdate, ReportingCycle, WorkstreamUpdate
from .status import WorkflowState
from .workflow import OUTSTANDING_STATES, READABLE_BY_BOARD_STATES, leads_window_open

COUNTED_STATES = frozenset(READABLE_BY_BOARD_STATES)


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
    if isinstance(update, WorkstreamUpdate):
        workstream = update.workstream
        return CycleRow(
            update,
            "workstream",
            workstream.name,
            workstream.theme.name,
            list(workstream.leads.all()),
            list(workstream.deputies.all()),
        )
    thread = update.golden_thread
    return CycleRow(
        update, "thread", str(thread), "Golden threads", list(thread.system_leads.all()), []
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
        if self.cycle.status == ReportingCycle.Status.CLOSED and self.update.extended_until:
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
        return self.cycle.status == ReportingCycle.Status.CLOSED and self.update.has_extension

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


def risk_reviews_owed_by_person(cycle: ReportingCycle) -> dict[User, list[RiskReview]]:
    """Every active owner with the reviews of open risks they still owe in `cycle` (not
    started, draft or returned), in reference order, in one query."""
    reviews = (
        RiskReview.objects.filter(
            cycle=cycle,
            state__in=OUTSTANDING_STATES,
            risk__status=BAFRisk.Status.OPEN,
            risk__owner__is_active=True,
        )
        .select_related("cycle", "risk__owner__organisation")
        .order_by("risk__reference")
    )
    owed: dict[User, list[RiskReview]] = defaultdict(list)
    for review in reviews:
        owed[review.risk.owner].append(review)
    return dict(owed)


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


# --- the latest approved update before a cycle ----------------------------------------------------


def before(cycle: ReportingCycle, prefix: str = "cycle__") -> Q:
    """Rows whose cycle comes before `cycle`."""
    return Q(**{f"{prefix}fy_start_year__lt": cycle.fy_start_year}) | Q(
        **{f"{prefix}fy_start_year": cycle.fy_start_year, f"{prefix}quarter__lt": cycle.quarter}
    )


def after(cycle: ReportingCycle, prefix: str = "cycle__") -> Q:
    """Rows whose cycle comes after `cycle`."""
    return Q(**{f"{prefix}fy_start_year__gt": cycle.fy_start_year}) | Q(
        **{f"{prefix}fy_start_year": cycle.fy_start_year, f"{prefix}quarter__gt": cycle.quarter}
    )


def latest_approved(
    model,
    wanted: Iterable[tuple[int, ReportingCycle]],
    *,
    subject: str,
    related: Iterable[str] = (),
    prefetch: Iterable = (),
) -> dict[tuple[int, int], object]:
    """For each (subject id, cycle) in `wanted`, the latest approved or published row of
    `model` (a workstream or golden-thread update, or a risk review) about that subject
    (`subject` is its foreign key: "workstream", "golden_thread", "risk") in a cycle before
    that cycle, keyed by (subject id, cycle id); a pair with none is left out.

    One query, plus one per `prefetch` lookup, however many pairs are wanted."""
    wanted = list(wanted)
    if not wanted:
        return {}
    newest = max((cycle for _, cycle in wanted), key=lambda c: c.period)
    approved = (
        model.objects.filter(state__in=COUNTED_STATES)
        .filter(**{f"{subject}_id__in": {subject_id for subject_id, _ in wanted}})
        .filter(before(newest))
        .select_related("cycle", *related)
        .order_by("-cycle__fy_start_year", "-cycle__quarter")
    )
    by_subject: dict[int, list] = defaultdict(list)
    for row in approved:
        by_subject[getattr(row, f"{subject}_id")].append(row)
    found = {}
    for subject_id, cycle in wanted:
        period = cycle.period
        earlier = (r for r in by_subject.get(subject_id, []) if r.cycle.period < period)
        row = next(earlier, None)
        if row is not None:
            found[(subject_id, cycle.pk)] = row
    if prefetch and found:
        prefetch_related_objects(list(found.values()), *prefetch)
    return found
